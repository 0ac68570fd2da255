"""Conflicts of interest: the automatic rule, declared and hand-added conflicts.

Automatic rule: a judge conflicts with a team when the judge is one of its members, or when
the judge's organization belongs to the same organization group (same root of the
`Organization.parent` chain: parent, subsidiary or sibling) as the team's lead unit, one of
its co-units or the organization of any member. The scenario's publisher is not a conflict
by itself. Automatic conflicts are computed every time (never stored) from recorded facts:
the team's units and memberships (each membership keeps the organization the member had when
joining; the member's profile is never read), which freeze at the first round's submission
deadline (submissions: later changes only through an organizer-approved `TeamFactChange`), and
the judge's organization recorded on their pool entry (`JudgePoolMember.organization`, set by
organizers only; the judge's profile is read only for someone never in a pool of the contest).
Declared and hand-added conflicts are `ConflictOfInterest` rows naming a solution, a team or an
organization (group-wide).

A conflict found on an assignment whose review was already submitted (or returned) never voids
it: a `ConflictFlag` with the reasons goes to the organizers, who void the review or keep it
with a reason (`conflict_flag_resolve`). Rounds that are aggregated, published or closed are
never changed by a conflict found later: at most a flag is raised.

`ConflictIndex` is the only place the rule is written: every conflict decision (assignment
rows and visible solutions for judges, the auto-assigner, hand assignment, scoring, the sweep)
asks it. It answers "is judge J conflicted with solution S?" for many pairs with a fixed number
of queries (the conflict rows, then one query for the teams' units, memberships and the
organization chains above them).
"""

from collections import defaultdict
from collections.abc import Callable, Iterable

from django.db import connection, models, transaction
from django.db.models import Case, Exists, F, OuterRef, Subquery, When
from django.utils import timezone
from django.utils.translation import gettext as _

from contest.audit import audit_record
from contest.enums import RoundStatus
from contest.models import Organization, Round, User
from judging.enums import ConflictFlagStatus, ConflictSource, ReviewStatus
from judging.errors import ConflictFlagResolvedError, ConflictTargetError, ReasonRequiredError
from judging.models import ConflictFlag, ConflictOfInterest, JudgeAssignment, JudgePoolMember, Review
from submissions.models import Solution, Team, TeamMembership

# Rounds whose judging is over: a conflict found later changes nothing in them but raises a flag.
FINISHED_STATUSES = (RoundStatus.AGGREGATED, RoundStatus.PUBLISHED, RoundStatus.CLOSED)
# Reviews that hold a judge's finished scores: only an organizer voids them.
SCORED_STATUSES = (ReviewStatus.SUBMITTED, ReviewStatus.RETURNED)

# The facts the rule reads, in one query: every unit of the teams asked about (lead unit,
# co-units, the organizations recorded on the memberships, with the member), the extra
# organizations (judges', conflict rows'), and the `parent` edges of every chain above them
# (walked upwards; UNION drops repeated rows, so a cycle ends the walk). Which organization
# is a group's root is decided in Python (`group_root`), not here.
_PROFILE_SQL = """
WITH RECURSIVE units(team_id, org_id, user_id) AS (
    SELECT t.id, t.lead_unit_id, CAST(NULL AS BIGINT) FROM {team} t WHERE {where}
    UNION ALL
    SELECT cu.team_id, cu.organization_id, CAST(NULL AS BIGINT) FROM {co_units} cu
        JOIN {team} t ON t.id = cu.team_id WHERE {where}
    UNION ALL
    SELECT m.team_id, m.organization_id, m.user_id FROM {member} m JOIN {team} t ON t.id = m.team_id WHERE {where}
    UNION ALL
    SELECT CAST(NULL AS BIGINT), o.id, CAST(NULL AS BIGINT) FROM {org} o WHERE {org_where}
),
up(id, parent_id) AS (
    SELECT o.id, o.parent_id FROM {org} o WHERE o.id IN (SELECT org_id FROM units)
    UNION
    SELECT o.id, o.parent_id FROM {org} o JOIN up ON o.id = up.parent_id
)
SELECT 0, units.team_id, units.org_id, units.user_id FROM units
UNION ALL
SELECT 1, CAST(NULL AS BIGINT), up.id, up.parent_id FROM up
"""
# Above this many teams the query selects the contest's teams instead of listing ids.
_MAX_LISTED_TEAMS = 500


def group_root(org_id: int, parents: dict[int, int | None]) -> int:
    """The organization group of `org_id`: the root of its `Organization.parent` chain
    (`parents`: {organization: parent or None} for the whole chain). Bad data, a chain that
    runs into a cycle, makes the organization its own group."""
    seen = {org_id}
    current = org_id
    while (parent := parents.get(current)) is not None:
        if parent in seen:
            return org_id
        seen.add(parent)
        current = parent
    return current


def _profiles(*, contest_id: int, team_ids: set[int], org_ids: set[int]):
    """({org: group root} for every organization met, {team: organizations}, {team: member user ids})."""
    team_orgs: dict[int, set[int]] = defaultdict(set)
    members: dict[int, set[int]] = defaultdict(set)
    if not team_ids and not org_ids:
        return {}, team_orgs, members
    if team_ids and len(team_ids) <= _MAX_LISTED_TEAMS:
        where = "t.id IN (" + ", ".join(["%s"] * len(team_ids)) + ")"
        where_params = sorted(team_ids)
    elif team_ids:
        where, where_params = "t.contest_id = %s", [contest_id]
    else:
        where, where_params = "1 = 0", []
    org_where, org_params = "1 = 0", []
    if org_ids:
        org_where = "o.id IN (" + ", ".join(["%s"] * len(org_ids)) + ")"
        org_params = sorted(org_ids)
    sql = _PROFILE_SQL.format(
        org=Organization._meta.db_table,
        team=Team._meta.db_table,
        co_units=Team.co_units.through._meta.db_table,
        member=TeamMembership._meta.db_table,
        where=where,
        org_where=org_where,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, where_params * 3 + org_params)
        rows = cursor.fetchall()
    parents: dict[int, int | None] = {}
    for kind, team_id, org_id, other in rows:
        if kind:
            parents[org_id] = other
            continue
        if team_id is None or team_id not in team_ids:
            continue
        if org_id is not None:
            team_orgs[team_id].add(org_id)
        if other is not None:
            members[team_id].add(other)
    roots = {org_id: group_root(org_id, parents) for org_id in parents}
    return roots, team_orgs, members


# What the rule matches on: ("member", user), ("group", root organization), ("team", team),
# ("solution", solution).
Key = tuple[str, int]


class ConflictIndex:
    """The one conflict rule, for a set of judges and a set of solutions, computed in bulk.

    `judges`: {judge_id: recorded organization id or None}; `solutions`: {solution_id: team_id}.

    The rule: a solution has keys (its team's members, the groups of the team's lead unit,
    co-units and membership organizations, the team, the solution itself); a judge has keys,
    each with a reason (being the judge, for team membership; the judge's organization group;
    each `ConflictOfInterest` row's target: its solution, else its team, else its
    organization's group). The judge conflicts with the solution for every key they share
    (`reasons`). `conflicted_pairs` evaluates the same keys through an inverted index.
    """

    def __init__(self, *, contest_id: int, judges: dict[int, int | None], solutions: dict[int, int]):
        self.judges = judges
        self.solutions = solutions
        self.rows: dict[int, list[ConflictOfInterest]] = defaultdict(list)
        if judges:
            for row in ConflictOfInterest.objects.filter(contest_id=contest_id, judge_id__in=list(judges)):
                self.rows[row.judge_id].append(row)
        extra_orgs = {o for o in judges.values() if o is not None}
        extra_orgs |= {r.organization_id for rows in self.rows.values() for r in rows if r.organization_id}
        team_ids = set(solutions.values())
        self.roots, team_orgs, members = _profiles(contest_id=contest_id, team_ids=team_ids, org_ids=extra_orgs)
        self.team_keys: dict[int, frozenset[Key]] = {
            team_id: frozenset(
                {("team", team_id)}
                | {("group", self._root(o)) for o in team_orgs[team_id]}
                | {("member", u) for u in members[team_id]}
            )
            for team_id in team_ids
        }

    def _root(self, org_id: int) -> int:
        return self.roots.get(org_id, org_id)

    def judge_keys(self, judge_id: int) -> list[tuple[Key, str]]:
        """What the judge conflicts through, each key with the reason it gives."""
        keys: list[tuple[Key, str]] = [(("member", judge_id), "team_member")]
        org_id = self.judges.get(judge_id)
        if org_id is not None:
            keys.append((("group", self._root(org_id)), "organization_group"))
        for row in self.rows.get(judge_id, ()):
            if row.solution_id is not None:
                keys.append((("solution", row.solution_id), row.source))
            elif row.team_id is not None:
                keys.append((("team", row.team_id), row.source))
            elif row.organization_id is not None:
                keys.append((("group", self._root(row.organization_id)), row.source))
        return keys

    def solution_keys(self, solution_id: int) -> frozenset[Key]:
        return self.team_keys[self.solutions[solution_id]] | {("solution", solution_id)}

    def reasons(self, judge_id: int, solution_id: int) -> list[str]:
        """Why the judge conflicts with the solution (empty list: no conflict)."""
        keys = self.solution_keys(solution_id)
        return [reason for key, reason in self.judge_keys(judge_id) if key in keys]

    def conflicted(self, judge_id: int, solution_id: int) -> bool:
        return bool(self.reasons(judge_id, solution_id))

    def conflicted_pairs(self) -> set[tuple[int, int]]:
        """Every (solution, judge) pair with a reason: the keys of `reasons`, matched by key."""
        solutions_by_key: dict[Key, list[int]] = defaultdict(list)
        for solution_id in self.solutions:
            for key in self.solution_keys(solution_id):
                solutions_by_key[key].append(solution_id)
        pairs: set[tuple[int, int]] = set()
        for judge_id in self.judges:
            for key, _reason in self.judge_keys(judge_id):
                pairs.update((s, judge_id) for s in solutions_by_key.get(key, ()))
        return pairs


def recorded_judge_org() -> Case:
    """Annotation for JudgeAssignment rows: the judge's organization as recorded on the pool entry
    of the assignment's round, else on their latest pool entry in the contest, else (never in a
    pool of the contest) their profile's."""
    in_round = JudgePoolMember.objects.filter(round_id=OuterRef("round_id"), judge_id=OuterRef("judge_id"))
    in_contest = JudgePoolMember.objects.filter(
        round__contest_id=OuterRef("round__contest_id"), judge_id=OuterRef("judge_id")
    ).order_by("-id")
    return Case(
        When(Exists(in_round), then=Subquery(in_round.values("organization_id")[:1])),
        When(Exists(in_contest), then=Subquery(in_contest.values("organization_id")[:1])),
        default=F("judge__organization_id"),
        output_field=models.BigIntegerField(null=True),
    )


def recorded_judge_organizations(
    *, contest_id: int, judges: Iterable[User], round_id: int | None = None
) -> dict[int, int | None]:
    """{judge id: recorded organization id}, by the rule of `recorded_judge_org` (one query)."""
    judges = list(judges)
    found: dict[int, int | None] = {}
    exact: set[int] = set()
    rows = JudgePoolMember.objects.filter(round__contest_id=contest_id, judge_id__in=[j.pk for j in judges])
    for judge_id, round_id_, org_id in rows.order_by("id").values_list("judge_id", "round_id", "organization_id"):
        if judge_id not in exact:  # ascending ids: a later entry overrides, the round's own wins
            found[judge_id] = org_id
            if round_id_ == round_id:
                exact.add(judge_id)
    return {j.pk: found.get(j.pk, j.organization_id) for j in judges}


def conflict_index_for(
    *, contest_id: int, judges: Iterable[User], solutions: Iterable[Solution], round_id: int | None = None
) -> ConflictIndex:
    return ConflictIndex(
        contest_id=contest_id,
        judges=recorded_judge_organizations(contest_id=contest_id, judges=judges, round_id=round_id),
        solutions={s.pk: s.team_id for s in solutions},
    )


def round_conflicts(*, round_: Round) -> list[dict]:
    """Conflicts between the round's pool and its solutions, with reasons (read-only, bulk)."""
    from judging.selectors import round_solutions  # selectors read ConflictIndex from here: a cycle

    judges = dict(JudgePoolMember.objects.filter(round=round_).values_list("judge_id", "organization_id"))
    solutions = dict(round_solutions(round_=round_).values_list("id", "team_id"))
    index = ConflictIndex(contest_id=round_.contest_id, judges=judges, solutions=solutions)
    return [{"judge": j, "solution": s, "reasons": index.reasons(j, s)} for s, j in sorted(index.conflicted_pairs())]


def judge_conflicts_with(*, judge: User, solution: Solution, round_id: int | None = None) -> list[str]:
    """Reasons why `judge` conflicts with `solution` (a handful of queries). With `round_id` the
    judge's organization is the one recorded on that round's pool entry."""
    index = conflict_index_for(contest_id=solution.contest_id, judges=[judge], solutions=[solution], round_id=round_id)
    return index.reasons(judge.pk, solution.pk)


def _flag(*, actor: User | None, assignment: JudgeAssignment, review: Review, reasons: list[str], detail: str) -> None:
    """Raise (once per assignment) a flag for the organizers; the review stays as it is."""
    flag, created = ConflictFlag.objects.get_or_create(
        assignment=assignment,
        defaults={
            "round_id": assignment.round_id,
            "review": review,
            "judge_id": assignment.judge_id,
            "solution_id": assignment.solution_id,
            "reasons": sorted(set(reasons)),
            "detail": detail,
        },
    )
    if created:
        audit_record(
            actor=actor,
            action="judging.conflict_flagged",
            obj=flag,
            after={"assignment": assignment.pk, "review": review.pk, "reasons": flag.reasons, "detail": detail},
        )


def _end_assignments(
    *,
    actor: User | None,
    assignments: Iterable[JudgeAssignment],
    reason: str,
    reasons: Callable[[JudgeAssignment], list[str]] = lambda _a: [],
) -> list[int]:
    """Settle assignments a conflict touches. Caller holds the transaction. Returns the ended ids.

    A scored review (submitted or returned) is never voided here: it is flagged to the organizers
    and its assignment stays. In a round whose judging is over nothing else changes either. Any
    other assignment ends and its draft review, if any, is voided."""
    assignments = list(assignments)
    statuses = dict(Round.objects.filter(pk__in={a.round_id for a in assignments}).values_list("pk", "status"))
    ended = []
    for assignment in assignments:
        review = Review.objects.select_for_update().filter(assignment=assignment).first()
        if review is not None and review.status in SCORED_STATUSES:
            _flag(actor=actor, assignment=assignment, review=review, reasons=reasons(assignment), detail=reason)
            continue
        if statuses.get(assignment.round_id) in FINISHED_STATUSES:
            continue
        JudgeAssignment.objects.filter(pk=assignment.pk).update(active=False)
        ended.append(assignment.pk)
        if review is not None and review.status != ReviewStatus.VOIDED:
            from judging.services.scoring import review_void_locked  # scoring checks conflicts here: a cycle

            review_void_locked(actor=actor, review=review, reason=reason)
        audit_record(
            actor=actor,
            action="judging.assignment_ended_by_conflict",
            obj=assignment,
            before={"active": True},
            after={"active": False, "reason": reason},
        )
    return ended


def end_conflicted_assignments_locked(
    *,
    actor: User | None,
    pairs: Iterable[tuple[int, int]],
    round_id: int,
    index: "ConflictIndex | None" = None,
) -> list[int]:
    """Settle the round's active assignments of these (solution, judge) pairs, which have come
    into conflict since they were made (see `_end_assignments`: scored reviews are flagged, the
    rest end). Caller holds the transaction. Returns the ended assignment ids."""
    pairs = set(pairs)
    if not pairs:
        return []
    candidates = JudgeAssignment.objects.select_for_update(of=("self",)).filter(
        round_id=round_id, active=True, solution_id__in={s for s, _j in pairs}
    )
    touched = [a for a in candidates.order_by("id") if (a.solution_id, a.judge_id) in pairs]
    return _end_assignments(
        actor=actor,
        assignments=touched,
        reason=_("Conflict of interest found"),
        reasons=(lambda a: index.reasons(a.judge_id, a.solution_id)) if index is not None else (lambda _a: []),
    )


@transaction.atomic
def conflicts_sweep(
    *,
    actor: User | None,
    contest_id: int,
    team_ids: Iterable[int] | None = None,
    judge_ids: Iterable[int] | None = None,
) -> list[int]:
    """Settle every active assignment of the contest (optionally: of these teams' solutions or
    these judges) whose judge now conflicts with its solution: scored reviews are flagged, the
    rest end (see `_end_assignments`). Call after an approved change to a team's members or
    units, or to a judge's recorded organization. Idempotent; audited per assignment."""
    qs = JudgeAssignment.objects.filter(active=True, round__contest_id=contest_id).select_related("solution")
    if team_ids is not None:
        qs = qs.filter(solution__team_id__in=list(team_ids))
    if judge_ids is not None:
        qs = qs.filter(judge_id__in=list(judge_ids))
    assignments = list(qs.annotate(recorded_org=recorded_judge_org()))
    ended = []
    by_round: dict[int, list[JudgeAssignment]] = defaultdict(list)
    for a in assignments:
        by_round[a.round_id].append(a)
    for round_id, round_assignments in sorted(by_round.items()):
        # One index per round: a judge's recorded organization belongs to a round's pool entry.
        index = ConflictIndex(
            contest_id=contest_id,
            judges={a.judge_id: a.recorded_org for a in round_assignments},
            solutions={a.solution_id: a.solution.team_id for a in round_assignments},
        )
        pairs = {(a.solution_id, a.judge_id) for a in round_assignments if index.conflicted(a.judge_id, a.solution_id)}
        ended += end_conflicted_assignments_locked(actor=actor, pairs=pairs, round_id=round_id, index=index)
    return ended


@transaction.atomic
def conflict_declare(*, judge: User, assignment: JudgeAssignment, reason: str) -> ConflictOfInterest:
    """A judge declares a conflict on an assigned solution.

    Records ConflictOfInterest(source=declared), deactivates the assignment and voids its review
    if one exists (its scores must not count). Audited. The caller has checked visibility.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequiredError()
    # Lock the assignment: a concurrent submit of the same review waits for this to finish.
    assignment = JudgeAssignment.objects.select_for_update().get(pk=assignment.pk)
    conflict = ConflictOfInterest.objects.create(
        contest_id=assignment.solution.contest_id,
        judge=judge,
        solution_id=assignment.solution_id,
        source=ConflictSource.DECLARED,
        reason=reason,
        created_by=judge,
    )
    audit_record(
        actor=judge,
        action="judging.conflict_declared",
        obj=conflict,
        after={"solution": assignment.solution_id, "round": assignment.round_id, "reason": reason},
    )
    if assignment.active:
        _end_assignments(
            actor=judge,
            assignments=[assignment],
            reason=_("Conflict of interest declared: %s") % reason,
            reasons=lambda _a: [ConflictSource.DECLARED],
        )
    return conflict


@transaction.atomic
def conflict_add(
    *,
    actor: User,
    round_: Round,
    judge: User,
    reason: str,
    solution: Solution | None = None,
    team: Team | None = None,
    organization: Organization | None = None,
) -> ConflictOfInterest:
    """An organizer records a conflict by hand (on a solution, a team or an organization group).

    Every active assignment of the judge in the contest that the conflict touches is settled
    (`_end_assignments`: ends, a draft is voided; a scored review is flagged). Audited.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequiredError()
    contest_id = round_.contest_id
    targets = [t for t in (solution, team, organization) if t is not None]
    if len(targets) != 1:
        raise ConflictTargetError()
    if (solution is not None and solution.contest_id != contest_id) or (
        team is not None and team.contest_id != contest_id
    ):
        raise ConflictTargetError()
    conflict = ConflictOfInterest.objects.create(
        contest_id=contest_id,
        judge=judge,
        solution=solution,
        team=team,
        organization=organization,
        source=ConflictSource.MANUAL,
        reason=reason,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="judging.conflict_added",
        obj=conflict,
        after={
            "judge": judge.pk,
            "solution": getattr(solution, "pk", None),
            "team": getattr(team, "pk", None),
            "organization": getattr(organization, "pk", None),
            "reason": reason,
        },
    )
    active = list(
        JudgeAssignment.objects.select_for_update(of=("self",))
        .filter(judge=judge, active=True, round__contest_id=contest_id)
        .select_related("solution")
        .order_by("id")
    )
    if active:
        index = conflict_index_for(contest_id=contest_id, judges=[judge], solutions=[a.solution for a in active])
        touched = [a for a in active if index.conflicted(judge.pk, a.solution_id)]
        _end_assignments(
            actor=actor,
            assignments=touched,
            reason=_("Conflict of interest: %s") % reason,
            reasons=lambda a: index.reasons(judge.pk, a.solution_id),
        )
    return conflict


@transaction.atomic
def conflict_flag_resolve(*, actor: User, flag: ConflictFlag, void: bool, reason: str) -> ConflictFlag:
    """An organizer settles a flagged conflict with a reason: void the review (it stops counting;
    the assignment ends so the solution can be topped up) or keep it. The void is the ordinary
    `review_void` (refused in a closed round). Audited."""
    from judging.services.scoring import review_void  # scoring checks conflicts here: a cycle

    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequiredError()
    flag = ConflictFlag.objects.select_for_update().get(pk=flag.pk)
    if flag.status != ConflictFlagStatus.OPEN:
        raise ConflictFlagResolvedError(extra={"status": flag.status})
    if void:
        review = Review.objects.get(pk=flag.review_id)
        if review.status != ReviewStatus.VOIDED:
            review_void(actor=actor, review=review, reason=reason)
        if JudgeAssignment.objects.filter(pk=flag.assignment_id, active=True).update(active=False):
            audit_record(
                actor=actor,
                action="judging.assignment_ended_by_conflict",
                obj=flag.assignment,
                before={"active": True},
                after={"active": False, "reason": reason},
            )
    flag.status = ConflictFlagStatus.VOIDED if void else ConflictFlagStatus.DISMISSED
    flag.resolution_reason = reason
    flag.resolved_by = actor
    flag.resolved_at = timezone.now()
    flag.save(update_fields=["status", "resolution_reason", "resolved_by", "resolved_at", "updated_at"])
    audit_record(
        actor=actor,
        action="judging.conflict_flag_resolved",
        obj=flag,
        before={"status": ConflictFlagStatus.OPEN},
        after={"status": flag.status, "reason": reason},
    )
    return flag
