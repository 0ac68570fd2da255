"""Judge assignment: by hand and by the balancing auto-assigner.

The auto-assigner works in two layers:
- `plan_assignments` is a pure function over plain ids (no database), which the property
  tests exercise directly;
- `assignment_auto_run` loads the round's data in a fixed number of queries, plans, writes the
  new rows with one `bulk_create`, audits the run and notifies each judge once.

Guarantees of a run (each checked by tests/judging/test_assignment_properties.py):
1. Hard constraints: a judge is only given solutions of tracks in their pool entry (empty
   tracks = every track), never one they conflict with or were removed from, never the same
   solution twice, and never more than their load cap (existing assignments count).
2. Coverage: every solution ends with `judges_per_solution` active judges unless it is listed
   in the report; a listed solution has every eligible judge it lacks at their load cap
   (`load_caps_exhausted`) or fewer eligible judges than required (`not_enough_eligible_judges`,
   `no_judges_in_pool`).
3. Balance: no new assignment could move to another eligible judge with room and make the
   two loads closer (so loads differ by at most one wherever the pool allows; with one open
   pool and no conflicts max(load) - min(load) <= 1).
4. Determinism: same input and seed, same output. Re-running only tops up what is missing and
   never moves or removes an existing assignment.
"""

import heapq
import random
import uuid
from collections import defaultdict
from dataclasses import asdict, dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from contest.audit import audit_record
from contest.enums import RoundStatus
from contest.models import Round, User
from judging.enums import AssignmentSource, ReviewStatus
from judging.errors import (
    AlreadyAssignedError,
    AssignmentHasReviewError,
    ConflictOfInterestError,
    JudgeNotInPoolError,
    LoadCapReachedError,
    RoundFinishedError,
    SolutionNotInRoundError,
)
from judging.models import JudgeAssignment, JudgePoolMember, Review
from judging.selectors import round_solutions
from judging.services.conflicts import ConflictIndex, end_conflicted_assignments_locked
from judging.services.scoring import review_void_locked
from notifications.services import NoticeSpec, notify_many

FINISHED_STATUSES = (RoundStatus.AGGREGATED, RoundStatus.PUBLISHED, RoundStatus.CLOSED)

REASON_NO_POOL = "no_judges_in_pool"
REASON_NOT_ENOUGH = "not_enough_eligible_judges"
REASON_CAPS = "load_caps_exhausted"


@dataclass
class Shortfall:
    solution_id: int
    track_id: int | None
    required: int
    assigned: int
    missing: int
    eligible: int
    pool: int
    conflicted: int
    reason: str


@dataclass
class Plan:
    new: list[tuple[int, int]]  # (solution_id, judge_id)
    shortfalls: list[Shortfall]
    loads: dict[int, int]


@dataclass
class AssignmentReport:
    round_id: int
    run_id: str
    seed: int
    judges_per_solution: int
    solutions: int
    judges: int
    created: int
    complete: int
    short: list[Shortfall] = field(default_factory=list)
    reasons: dict[str, int] = field(default_factory=dict)
    loads: dict[int, int] = field(default_factory=dict)
    ended_for_conflict: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def plan_assignments(
    *,
    solutions: dict[int, int | None],
    judges: dict[int, set[int] | None],
    caps: dict[int, int | None],
    per_solution: int,
    existing: dict[int, set[int]] | None = None,
    blocked: set[tuple[int, int]] = frozenset(),
    conflicts: set[tuple[int, int]] = frozenset(),
    seed: int = 0,
) -> Plan:
    """Plan new (solution, judge) pairs. Pure: same arguments, same plan.

    `solutions`: {solution_id: track_id}; `judges`: {judge_id: track ids or None for all};
    `caps`: {judge_id: load cap or None}; `existing`: {solution_id: judges actively assigned}
    (kept as they are; they count towards loads); `blocked`: (solution, judge) pairs that must
    not be (re)created, e.g. ended assignments; `conflicts`: conflicted (solution, judge) pairs.
    """
    existing = {s: set(js) for s, js in (existing or {}).items()}
    rng = random.Random(seed)
    judge_ids = sorted(judges)
    judge_rank = {j: i for i, j in enumerate(rng.sample(judge_ids, len(judge_ids)))}
    solution_ids = sorted(solutions)
    solution_rank = {s: i for i, s in enumerate(rng.sample(solution_ids, len(solution_ids)))}

    load = dict.fromkeys(judge_ids, 0)
    for js in existing.values():
        for j in js:
            if j in load:
                load[j] += 1

    by_track: dict[int | None, list[int]] = {}

    def track_pool(track_id):
        if track_id not in by_track:
            by_track[track_id] = [j for j in judge_ids if judges[j] is None or track_id in judges[j]]
        return by_track[track_id]

    eligible: dict[int, list[int]] = {}
    for s in solution_ids:
        eligible[s] = [j for j in track_pool(solutions[s]) if (s, j) not in conflicts and (s, j) not in blocked]

    on: dict[int, set[int]] = {s: set(existing.get(s, ())) for s in solution_ids}
    new_of: dict[int, list[int]] = defaultdict(list)  # judge -> solutions given in this run (movable)

    def room(j):
        cap = caps.get(j)
        return cap is None or load[j] < cap

    def fill() -> bool:
        changed = False
        order = sorted(
            (s for s in solution_ids if len(on[s]) < per_solution),
            key=lambda s: (len(eligible[s]), solution_rank[s]),
        )
        for s in order:
            need = per_solution - len(on[s])
            candidates = [j for j in eligible[s] if j not in on[s] and room(j)]
            for j in heapq.nsmallest(need, candidates, key=lambda j: (load[j], judge_rank[j])):
                on[s].add(j)
                new_of[j].append(s)
                load[j] += 1
                changed = True
        return changed

    def move(s, j_from, j_to):
        on[s].discard(j_from)
        new_of[j_from].remove(s)
        load[j_from] -= 1
        on[s].add(j_to)
        new_of[j_to].append(s)
        load[j_to] += 1

    def repair() -> bool:
        """Free room for short solutions by handing one of a capped judge's new solutions on."""
        changed = False
        # Within a pass room only shrinks, so a solution found with no taker stays without one.
        dead: set[int] = set()
        for s in sorted(solution_ids, key=lambda s: solution_rank[s]):
            while len(on[s]) < per_solution:
                done = False
                for j in sorted((j for j in eligible[s] if j not in on[s] and not room(j)), key=judge_rank.get):
                    for s2 in list(new_of[j]):
                        if s2 in dead:
                            continue
                        takers = [j2 for j2 in eligible[s2] if j2 not in on[s2] and j2 != j and room(j2)]
                        if not takers:
                            dead.add(s2)
                            continue
                        j2 = min(takers, key=lambda x: (load[x], judge_rank[x]))
                        move(s2, j, j2)
                        on[s].add(j)
                        new_of[j].append(s)
                        load[j] += 1
                        done = changed = True
                        break
                    if done:
                        break
                if not done:
                    break
        return changed

    def balance() -> bool:
        """Hand new assignments from judges to eligible judges with room and two fewer, until none can."""
        changed = False
        while any(new_of.values()):
            with_room = [load[j] for j in judge_ids if room(j)]
            if not with_room:
                return changed
            lowest = min(with_room)
            # Lowest load with room per track: a solution of a track whose pool holds no judge two
            # below its giver is skipped without scanning its candidates.
            track_low = {t: min((load[j] for j in pool if room(j)), default=None) for t, pool in by_track.items()}
            moved = False
            for j in sorted(judge_ids, key=lambda j: (-load[j], judge_rank[j])):
                if load[j] - lowest < 2:
                    break  # sorted by load: no later judge can give either
                for s in sorted(new_of[j], key=solution_rank.get):
                    low = track_low[solutions[s]]
                    if low is None or load[j] - low < 2:
                        continue
                    takers = [j2 for j2 in eligible[s] if j2 not in on[s] and room(j2) and load[j2] <= load[j] - 2]
                    if takers:
                        move(s, j, min(takers, key=lambda x: (load[x], judge_rank[x])))
                        moved = changed = True
            if not moved:
                return changed
        return changed

    while True:
        a = fill()
        b = repair()
        c = balance()
        if not (a or b or c):
            break

    existing_pairs = {(s, j) for s, js in existing.items() for j in js}
    new = sorted((s, j) for s in solution_ids for j in on[s] if (s, j) not in existing_pairs)
    shortfalls = []
    for s in solution_ids:
        if len(on[s]) >= per_solution:
            continue
        pool = track_pool(solutions[s])
        conflicted = sum(1 for j in pool if (s, j) in conflicts)
        if not pool:
            reason = REASON_NO_POOL
        elif len(eligible[s]) < per_solution:
            reason = REASON_NOT_ENOUGH
        else:
            reason = REASON_CAPS
        shortfalls.append(
            Shortfall(
                solution_id=s,
                track_id=solutions[s],
                required=per_solution,
                assigned=len(on[s]),
                missing=per_solution - len(on[s]),
                eligible=len(eligible[s]),
                pool=len(pool),
                conflicted=conflicted,
                reason=reason,
            )
        )
    return Plan(new=new, shortfalls=shortfalls, loads=load)


def _pool(round_: Round) -> tuple[dict[int, set[int] | None], dict[int, int | None], dict[int, int | None]]:
    """Pool of the round: ({judge: tracks or None}, {judge: cap}, {judge: recorded organization}) in
    two queries."""
    members = list(
        JudgePoolMember.objects.filter(round=round_).values_list("id", "judge_id", "load_cap", "organization_id")
    )
    tracks: dict[int, set[int]] = defaultdict(set)
    for member_id, track_id in JudgePoolMember.tracks.through.objects.filter(judgepoolmember__round=round_).values_list(
        "judgepoolmember_id", "track_id"
    ):
        tracks[member_id].add(track_id)
    judges = {judge_id: (tracks[mid] or None) for mid, judge_id, _cap, _org in members}
    caps = {judge_id: cap for _mid, judge_id, cap, _org in members}
    orgs = {judge_id: org for _mid, judge_id, _cap, org in members}
    return judges, caps, orgs


def _insert_assignments(*, round_id: int, pairs: list[tuple[int, int]]) -> None:
    """Insert new automatic assignments. On PostgreSQL through COPY: building ten thousand model
    instances for bulk_create costs more than planning them (see bench/bench_assignment.py).
    The table's constraints apply either way."""
    if connection.vendor != "postgresql":
        JudgeAssignment.objects.bulk_create(
            [
                JudgeAssignment(round_id=round_id, solution_id=s, judge_id=j, source=AssignmentSource.AUTO, active=True)
                for s, j in pairs
            ],
            batch_size=2000,
        )
        return
    now = timezone.now()
    columns = "created_at, updated_at, round_id, solution_id, judge_id, source, active"
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {JudgeAssignment._meta.db_table} ({columns}) FROM STDIN") as copy,
    ):
        for s, j in pairs:
            copy.write_row((now, now, round_id, s, j, AssignmentSource.AUTO.value, True))


def _notify_judges(*, round_: Round, counts: dict[int, int], run_id: str) -> None:
    """One `judge_assigned` notice per judge with new work in this run (deduplicated per run)."""
    if not counts:
        return
    users = User.objects.in_bulk(list(counts))
    contest = round_.contest
    closes_at = round_.judging_closes_at.isoformat() if round_.judging_closes_at else ""
    notify_many(
        kind="judge_assigned",
        notices=[
            NoticeSpec(
                recipient=users[judge_id],
                dedup_key=f"judge_assigned:{round_.pk}:{run_id}:{judge_id}",
                context={
                    "contest": contest.name,
                    "round": round_.name,
                    "count": counts[judge_id],
                    "closes_at": closes_at,
                },
            )
            for judge_id in sorted(counts)
        ],
    )


def _lock_round(round_: Round) -> Round:
    # Lock the round row: serialises auto-runs and hand assignments so load caps hold.
    locked = Round.objects.select_for_update(of=("self",), no_key=True).select_related("contest").get(pk=round_.pk)
    if locked.status in FINISHED_STATUSES:
        raise RoundFinishedError()
    return locked


@transaction.atomic
def assignment_auto_run(
    *, actor: User | None, round_: Round, seed: int = 0, track_ids: set[int] | None = None
) -> AssignmentReport:
    """Assign judges to every solution of the round that lacks them; report what could not be done.

    With `track_ids` (a track host's run) only those tracks' solutions are planned, ended for
    conflict and reported; the judges' assignments in other tracks still count towards their
    loads and caps. Locks the round row. Side effects: JudgeAssignment rows (source=auto, one bulk insert), one
    audit event listing the new pairs, one `judge_assigned` notice per judge who got new work.
    Idempotent: a second run with nothing missing creates nothing and notifies no one.
    """
    round_ = _lock_round(round_)
    solution_rows = list(round_solutions(round_=round_).values_list("id", "scenario__track_id", "team_id"))
    solutions = {sid: track for sid, track, _team in solution_rows}
    # The planned solutions; `existing` below keeps every solution's judges, so loads are whole.
    planned = solutions if track_ids is None else {s: t for s, t in solutions.items() if t in track_ids}
    judges, caps, judge_orgs = _pool(round_)
    existing: dict[int, set[int]] = defaultdict(set)
    blocked = set()
    # Only assignments to solutions still judged in the round count: they are the judge's load.
    for s, j, active in JudgeAssignment.objects.filter(round=round_, solution_id__in=list(solutions)).values_list(
        "solution_id", "judge_id", "active"
    ):
        if active:
            existing[s].add(j)
        else:
            blocked.add((s, j))
    index = ConflictIndex(
        contest_id=round_.contest_id,
        judges=judge_orgs,
        solutions={sid: team for sid, _t, team in solution_rows if sid in planned},
    )
    conflicts = index.conflicted_pairs()
    # Assignments that have come into conflict since they were made end here (draft reviews
    # voided) and are topped up like any other missing judge. One with a scored review is only
    # flagged to the organizers and keeps its place until an organizer voids it.
    stale = {(s, j) for s, js in existing.items() for j in js if (s, j) in conflicts}
    ended = end_conflicted_assignments_locked(actor=actor, pairs=stale, round_id=round_.pk, index=index)
    ended_pairs = set(JudgeAssignment.objects.filter(pk__in=ended).values_list("solution_id", "judge_id"))
    for s, j in ended_pairs:
        existing[s].discard(j)
        blocked.add((s, j))
    plan = plan_assignments(
        solutions=planned,
        judges=judges,
        caps=caps,
        per_solution=round_.judges_per_solution,
        existing=existing,
        blocked=blocked,
        conflicts=conflicts,
        seed=seed,
    )
    run_id = uuid.uuid4().hex[:12]
    _insert_assignments(round_id=round_.pk, pairs=plan.new)
    counts: dict[int, int] = defaultdict(int)
    for _s, j in plan.new:
        counts[j] += 1
    reasons: dict[str, int] = defaultdict(int)
    for short in plan.shortfalls:
        reasons[short.reason] += 1
    report = AssignmentReport(
        round_id=round_.pk,
        run_id=run_id,
        seed=seed,
        judges_per_solution=round_.judges_per_solution,
        solutions=len(planned),
        judges=len(judges),
        created=len(plan.new),
        complete=len(planned) - len(plan.shortfalls),
        short=plan.shortfalls,
        reasons=dict(reasons),
        loads=plan.loads,
        ended_for_conflict=ended,
    )
    audit_record(
        actor=actor,
        action="judging.assignment_auto_run",
        obj=round_,
        after={
            "run_id": run_id,
            "seed": seed,
            "tracks": None if track_ids is None else sorted(track_ids),
            "created": [list(p) for p in plan.new],
            "short": {str(s.solution_id): s.reason for s in plan.shortfalls},
            "ended_for_conflict": ended,
        },
    )
    _notify_judges(round_=round_, counts=counts, run_id=run_id)
    return report


@transaction.atomic
def assignment_create(*, actor: User, round_: Round, solution_id: int, judge: User) -> JudgeAssignment:
    """An organizer assigns a judge by hand (or reactivates an ended assignment).

    Checks: the solution is judged in the round, the judge's pool entry covers its track, no
    conflict, the load cap. Locks the round row. Audited; notifies the judge.
    """
    round_ = _lock_round(round_)
    solution = round_solutions(round_=round_).select_related("scenario").filter(pk=solution_id).first()
    if solution is None:
        raise SolutionNotInRoundError()
    member = JudgePoolMember.objects.filter(round=round_, judge=judge).prefetch_related("tracks").first()
    if member is None:
        raise JudgeNotInPoolError()
    track_ids = {t.pk for t in member.tracks.all()}
    if track_ids and solution.scenario.track_id not in track_ids:
        raise JudgeNotInPoolError()
    index = ConflictIndex(
        contest_id=round_.contest_id,
        judges={judge.pk: member.organization_id},
        solutions={solution.pk: solution.team_id},
    )
    reasons = index.reasons(judge.pk, solution.pk)
    if reasons:
        raise ConflictOfInterestError(extra={"reasons": reasons})
    assignment = JudgeAssignment.objects.filter(round=round_, solution=solution, judge=judge).first()
    if assignment is not None and assignment.active:
        raise AlreadyAssignedError()
    load = JudgeAssignment.objects.filter(
        round=round_, judge=judge, active=True, solution__in=round_solutions(round_=round_)
    ).count()
    if member.load_cap is not None and load >= member.load_cap:
        raise LoadCapReachedError(extra={"load": load, "load_cap": member.load_cap})
    if assignment is None:
        assignment = JudgeAssignment.objects.create(
            round=round_, solution=solution, judge=judge, source=AssignmentSource.HAND, active=True
        )
    else:
        assignment.active = True
        assignment.source = AssignmentSource.HAND
        assignment.save(update_fields=["active", "source", "updated_at"])
    audit_record(
        actor=actor,
        action="judging.assignment_created",
        obj=assignment,
        after={"round": round_.pk, "solution": solution.pk, "judge": judge.pk, "source": "hand"},
    )
    _notify_judges(round_=round_, counts={judge.pk: 1}, run_id=f"a{assignment.pk}-{uuid.uuid4().hex[:8]}")
    return assignment


@transaction.atomic
def assignment_remove(*, actor: User, assignment: JudgeAssignment) -> JudgeAssignment:
    """An organizer ends an assignment. Refused while the review is submitted or returned
    (void it first); a draft review is voided. The row stays (inactive) for the record."""
    _lock_round(assignment.round)
    assignment = JudgeAssignment.objects.select_for_update().get(pk=assignment.pk)
    review = Review.objects.select_for_update().filter(assignment=assignment).first()
    if review is not None and review.status in (ReviewStatus.SUBMITTED, ReviewStatus.RETURNED):
        raise AssignmentHasReviewError()
    if review is not None and review.status == ReviewStatus.DRAFT:
        review_void_locked(actor=actor, review=review, reason="unassigned")
    before = assignment.active
    assignment.active = False
    assignment.save(update_fields=["active", "updated_at"])
    audit_record(
        actor=actor,
        action="judging.assignment_removed",
        obj=assignment,
        before={"active": before},
        after={"active": False},
    )
    return assignment
