"""Read queries for teams and solutions. Visibility lives here: views start from these
querysets, so an object the user may not see is a 404, never a 403.

Who sees a solution:
- members of its team;
- organizers of its contest (and superusers);
- the scenario's publisher (a publisher role for the scenario's organization) once the
  qualification round's submission deadline has passed, and only solutions that were handed in
  (a final version, not a draft, not withdrawn before the deadline, not void);
- judges holding an ACTIVE assignment for it, unless they conflict with it. Judging decides
  that with its one conflict rule (`judging.services.conflicts.ConflictIndex`, through
  `judging.selectors.solution_ids_visible_to_judge`), so a conflict arising after the
  assignment hides the solution at once. Submissions does not import judging (the dependency
  points judging → submissions): judging installs its answer with `install_judging_hooks` when
  the app is ready (see "what judging answers" below). When the viewer sees a solution *only* as a
  judge and that assignment's round is blind, nothing names the team or its people.

Deadlines are decided by `contest.clock` only; the first round is looked up by
`contest.selectors.first_round_of` (and its two siblings) only; the round a solution submits to
is `submission_round_for` only.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404

from contest import clock
from contest.enums import Role, RoundStatus
from contest.models import Contest, ContestRole, Round, Scenario
from contest.roles import is_organizer, roles_of_user
from contest.selectors import first_round_of, first_rounds_of

from . import hot_reads, permissions
from .enums import EntryStatus, InvitationStatus, SolutionStatus
from .models import (
    EligibilityDecision,
    Invitation,
    RoundEntry,
    Solution,
    SolutionFile,
    SolutionVersion,
    SubmissionReceipt,
    Team,
    TeamFactChange,
    TeamMembership,
)

# A publisher never sees these, even for its own scenario after the deadline.
PUBLISHER_HIDDEN_STATUSES = (SolutionStatus.DRAFT, SolutionStatus.WITHDRAWN, SolutionStatus.VOID)


# Statuses in which the team still edits and submits for the first round (揭榜).
FIRST_ROUND_STATUSES = (SolutionStatus.DRAFT, SolutionStatus.SUBMITTED, SolutionStatus.WITHDRAWN)
# Statuses that take part in a later round (they hold an ACTIVE RoundEntry there).
LATER_ROUND_STATUSES = (SolutionStatus.QUALIFIED, SolutionStatus.ADVANCED)
# Statuses in which a solution submits at all (to the round `submission_round_for` names).
SUBMITTING_STATUSES = (*FIRST_ROUND_STATUSES, *LATER_ROUND_STATUSES)


def submission_round_for(target: Solution | Contest) -> Round | None:
    """The one rule for the round a solution submits to (None: none).

    A contest (a scenario being taken up or a solution transferred): its first round. A
    solution in a first-round status (draft, submitted, withdrawn): its contest's first round;
    qualified or advanced: the latest round (highest sequence) where it holds an ACTIVE entry;
    any other status: none. Whether that round accepts submissions now is the clock's
    (`contest.clock.round_accepts_submissions`).
    """
    if isinstance(target, Contest):
        return first_round_of(target.pk)
    if target.status in FIRST_ROUND_STATUSES:
        return first_round_of(target.contest_id)
    if target.status in LATER_ROUND_STATUSES:
        entry = (
            RoundEntry.objects.filter(solution_id=target.pk, status=EntryStatus.ACTIVE)
            .select_related("round")
            .order_by("-round__sequence")
            .first()
        )
        return entry.round if entry else None
    return None


# A first round in one of these statuses has stopped taking entries, whatever its dates say.
_ENTRIES_CLOSED = (RoundStatus.JUDGING, RoundStatus.AGGREGATED, RoundStatus.PUBLISHED, RoundStatus.CLOSED)


def team_facts_frozen(contest: Contest | int, at: dt.datetime) -> bool:
    """A team's units and members are facts judging rests on: they freeze at the first round's
    submission deadline (every entry starts in that round; later rounds' deadlines come after),
    or once that round is judged, even without a deadline set."""
    first = first_round_of(contest)
    return first is not None and (
        clock.deadline_passed(first.submission_deadline, at) or first.status in _ENTRIES_CLOSED
    )


def next_round(round_: Round) -> Round | None:
    return Round.objects.filter(contest_id=round_.contest_id, sequence__gt=round_.sequence).order_by("sequence").first()


# --- what judging answers --------------------------------------------------------------------
# Which solutions a judge sees is judging's decision: it rests on the one conflict rule
# (`ConflictIndex`), which lives in judging. Judging imports submissions, so submissions cannot
# ask judging directly without a cycle; instead judging installs its answers here from its
# AppConfig.ready() (dependency inversion, `judging/hooks.py`). Without it nobody sees a
# solution as a judge and a solution page shows no results.


@dataclass(frozen=True)
class JudgingHooks:
    # (judge=, contest_id=None) -> ids of the solutions the user sees as a judge.
    visible_ids: Callable[..., set[int]]
    # (judge=, solution_ids=) -> of these, the ids the user is assigned to in a blind round.
    blind_ids: Callable[..., set[int]]
    # (user=, solution=) -> the team member's published results for the solution page, or None.
    team_results: Callable[..., dict | None]


_NO_JUDGING = JudgingHooks(
    visible_ids=lambda **kwargs: set(), blind_ids=lambda **kwargs: set(), team_results=lambda **kwargs: None
)
_judging: JudgingHooks = _NO_JUDGING


def install_judging_hooks(hooks: JudgingHooks) -> None:
    """Called once by judging's AppConfig.ready()."""
    global _judging
    _judging = hooks


def judging_hooks() -> JudgingHooks:
    return _judging


def _member_q(user) -> Q:
    return Q(Exists(TeamMembership.objects.filter(team=OuterRef("team"), user=user)))


def _judge_q(user, contest: Contest | None = None) -> Q:
    """Solutions seen as a judge: an active assignment and no conflict, declared or automatic.

    A fixed number of queries whatever the number of solutions (the judging selector reads the
    assignments, then per contest the conflict rows and one organization-group query).
    """
    ids = _judging.visible_ids(judge=user, contest_id=contest.pk if contest is not None else None)
    return Q(pk__in=sorted(ids)) if ids else Q(pk__in=[])


def _publisher_q(user, at: dt.datetime) -> Q:
    """Publishers see their organization's scenarios' solutions after the first round's deadline."""
    roles = [(r.contest_id, r.organization_id) for r in roles_of_user(user) if r.role == Role.PUBLISHER]
    q = Q(pk__in=[])
    if not roles:
        return q
    first_rounds = first_rounds_of(c for c, _ in roles)
    for contest_id, organization_id in roles:
        round_ = first_rounds.get(contest_id)
        if round_ is not None and clock.deadline_passed(round_.submission_deadline, at):
            q |= Q(contest_id=contest_id, scenario__publisher_id=organization_id)
    # Only what was handed in: drafts and solutions withdrawn before the deadline stay the team's.
    return q & Q(final_version__isnull=False) & ~Q(status__in=PUBLISHER_HIDDEN_STATUSES)


def solution_list_for_user(user, contest: Contest | None = None, *, at: dt.datetime | None = None) -> QuerySet:
    qs = Solution.objects.all()
    if contest is not None:
        qs = qs.filter(contest=contest)
    if user is None or not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs
    at = at or clock.now()
    organizer_contests = [r.contest_id for r in roles_of_user(user) if r.role == Role.ORGANIZER]
    visible = _member_q(user) | Q(contest_id__in=organizer_contests) | _publisher_q(user, at) | _judge_q(user, contest)
    return qs.filter(visible)


def solution_list_with_related(qs: QuerySet) -> QuerySet:
    return qs.select_related("team", "team__lead_unit", "scenario", "scenario__track", "final_version").order_by("id")


def _viewer_role(user_id: int) -> Subquery:
    return Subquery(TeamMembership.objects.filter(team=OuterRef("team"), user_id=user_id).values("role")[:1])


def _first(qs: QuerySet):
    """The first row of `qs` as ordered (or None), with no ORDER BY added as `.first()` would."""
    return next(iter(qs[:1]), None)


def solution_get_for_user(user, pk, *, related: bool = True) -> Solution:
    """One solution the user sees, or 404. `related=False` skips the joined team, scenario and
    final version (the upload and submit views re-read the row under a lock anyway).

    Reads the row by primary key, then applies the same rules as `solution_list_for_user` to
    that one row, cheapest first: the OR of every rule in one statement cost a dozen
    milliseconds of planning and ORM work per request at the deadline (bench_deadline_rush).
    """
    signed_in = user is not None and user.is_authenticated
    if signed_in and isinstance(pk, int) and not related:
        # The viewer's team role comes with the row: visibility and the permission checks of
        # this request then need no query of their own.
        solution = hot_reads.solution_with_role(user.pk, pk)
    else:  # the page's read with its related rows, anonymous, or a key that is not an int
        qs = Solution.objects.filter(pk=pk)
        if signed_in:
            qs = qs.annotate(viewer_member_role=_viewer_role(user.pk))
        solution = _first(solution_list_with_related(qs) if related else qs)
    if solution is not None and signed_in:
        permissions.remember_member_role(solution, user, solution.viewer_member_role)
    if solution is None or not solution_visible_to(user, solution):
        raise Http404
    return solution


def solution_visible_to(user, solution: Solution, *, at: dt.datetime | None = None) -> bool:
    """`solution_list_for_user` for a single row (tests/submissions check they agree)."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if permissions.solution_member_role(user, solution) is not None:
        return True
    roles = [r for r in roles_of_user(user) if r.contest_id == solution.contest_id]
    if any(r.role == Role.ORGANIZER for r in roles):
        return True
    publisher_orgs = {r.organization_id for r in roles if r.role == Role.PUBLISHER}
    if (
        publisher_orgs
        and solution.final_version_id is not None
        and solution.status not in PUBLISHER_HIDDEN_STATUSES
        and Scenario.objects.filter(pk=solution.scenario_id, publisher_id__in=publisher_orgs).exists()
    ):
        first_round = first_round_of(solution.contest_id)
        if first_round is not None and clock.deadline_passed(first_round.submission_deadline, at or clock.now()):
            return True
    return solution.pk in _judging.visible_ids(judge=user, contest_id=solution.contest_id)


def solution_sees_full_history(user, solution: Solution) -> bool:
    """Team and organizers see every version; publishers and judges see only the final one.

    Remembered on the solution instance per user, so a view asking twice pays one query.
    """
    memo = solution.__dict__.setdefault("_full_history_for", {})
    if user.pk not in memo:
        memo[user.pk] = bool(
            user.is_superuser
            or permissions.solution_member_role(user, solution) is not None
            or is_organizer(user, solution.contest)
        )
    return memo[user.pk]


def version_list_for_user(user, solution: Solution) -> QuerySet:
    """Versions of a solution the user already sees (the caller fetched it through a selector)."""
    qs = SolutionVersion.objects.filter(solution=solution).select_related("created_by", "round")
    qs = qs.prefetch_related(Prefetch("files", queryset=SolutionFile.objects.order_by("id")))
    if not solution_sees_full_history(user, solution):
        qs = qs.filter(pk=solution.final_version_id) if solution.final_version_id else qs.none()
    return qs.order_by("number")


def file_get_for_user(user, pk) -> SolutionFile:
    """A file the user may download; 404 otherwise."""
    file = get_object_or_404(SolutionFile.objects.select_related("version", "version__solution"), pk=pk)
    solution = file.version.solution
    if not solution_list_for_user(user).filter(pk=solution.pk).exists():
        raise_404()
    if not solution_sees_full_history(user, solution) and file.version_id != solution.final_version_id:
        raise_404()
    return file


def raise_404():
    raise Http404


def receipt_list_for_solution(solution: Solution) -> QuerySet:
    return SubmissionReceipt.objects.filter(solution=solution).select_related("version", "round").order_by("id")


def eligibility_list_for_solution(solution: Solution) -> QuerySet:
    return EligibilityDecision.objects.filter(solution=solution).select_related("round").order_by("id")


def latest_eligibility_decision(solution: Solution) -> EligibilityDecision | None:
    return EligibilityDecision.objects.filter(solution=solution).order_by("-id").first()


def team_list_for_user(user, contest: Contest | None = None) -> QuerySet:
    qs = Team.objects.all()
    if contest is not None:
        qs = qs.filter(contest=contest)
    if user is None or not user.is_authenticated:
        return qs.none()
    if not user.is_superuser:
        organizer_contests = ContestRole.objects.filter(user=user, role=Role.ORGANIZER).values("contest_id")
        qs = qs.filter(Q(memberships__user=user) | Q(contest_id__in=organizer_contests)).distinct()
    return qs.select_related("contest", "captain", "lead_unit").prefetch_related("co_units").order_by("id")


def team_get_for_user(user, pk) -> Team:
    return get_object_or_404(team_list_for_user(user), pk=pk)


def member_list_for_team(team: Team) -> QuerySet:
    return TeamMembership.objects.filter(team=team).select_related("user", "organization").order_by("id")


def invitation_list_for_team(team: Team) -> QuerySet:
    return Invitation.objects.filter(team=team).select_related("invited_by").order_by("id")


def invitation_list_for_invitee(user) -> QuerySet:
    """Pending, unexpired invitations to the user's proven address (none before it is proven)."""
    if not user.is_authenticated or not user.has_verified_email:
        return Invitation.objects.none()
    return (
        Invitation.objects.filter(
            clock.deadline_open_q("expires_at", clock.now()),
            email__iexact=user.verified_email,
            status=InvitationStatus.PENDING,
        )
        .select_related("team", "team__contest", "team__lead_unit")
        .order_by("id")
    )


def user_team_in_contest(user, contest: Contest) -> Team | None:
    membership = TeamMembership.objects.filter(user=user, contest=contest).select_related("team").first()
    return membership.team if membership else None


def solution_access_map(user, solutions) -> dict[int, dict]:
    """Per solution: `full` (team member or organizer: every version, receipts, decisions,
    reasons) and `blind` (seen only as a judge in a blind round: nothing names the team).

    A constant number of queries whatever the number of solutions.
    """
    solutions = list(solutions)
    result = {s.pk: {"full": False, "blind": False} for s in solutions}
    if not solutions or user is None or not user.is_authenticated:
        return result
    if user.is_superuser:
        return {pk: {"full": True, "blind": False} for pk in result}
    if len(solutions) == 1 and solutions[0].__dict__.get("_full_history_for", {}).get(user.pk):
        # Already known to be its team's or an organizer's (the version list asked): no more queries.
        return {solutions[0].pk: {"full": True, "blind": False}}
    ids = list(result)
    member_team_ids = set(TeamMembership.objects.filter(user=user).values_list("team_id", flat=True))
    organizer_contest_ids = set(
        ContestRole.objects.filter(user=user, role=Role.ORGANIZER).values_list("contest_id", flat=True)
    )
    # Conflicts need no second look here: a conflicted judge does not see the solution as a
    # judge, so it is in the caller's list only through its team, an organizer or a publisher,
    # and each of those decides `blind` below before the assignment does.
    blind_candidates = _judging.blind_ids(judge=user, solution_ids=ids)
    publisher_ids = set()
    if blind_candidates:
        publisher_ids = set(
            Solution.objects.filter(pk__in=blind_candidates)
            .filter(_publisher_q(user, clock.now()))
            .values_list("pk", flat=True)
        )
    for s in solutions:
        full = s.team_id in member_team_ids or s.contest_id in organizer_contest_ids
        result[s.pk] = {"full": full, "blind": not full and s.pk in blind_candidates and s.pk not in publisher_ids}
    return result


def upload_limit_for(solution_id, *, at: dt.datetime | None = None, default: int) -> int:
    """The byte limit of the round a solution currently submits to (for the early size check)."""
    # The first round's limit comes with the row: one statement for the usual case.
    row = hot_reads.status_and_first_limit(solution_id) if isinstance(solution_id, int) else None
    if row is None:
        return default
    status, contest_id, limit = row
    if status not in FIRST_ROUND_STATUSES:  # the first round's is known already
        round_ = submission_round_for(Solution(pk=solution_id, status=status, contest_id=contest_id))
        limit = round_.max_upload_bytes if round_ is not None else limit
    return limit if limit is not None else default


def fact_change_get_for_user(user, pk) -> TeamFactChange | None:
    """A requested change of a team's units, when its team is visible to the user."""
    change = TeamFactChange.objects.select_related("team__contest").filter(pk=pk).first()
    if change is None or not team_list_for_user(user).filter(pk=change.team_id).exists():
        return None
    return change


def invitation_get(*, team: Team, invitation_id: int) -> Invitation | None:
    return Invitation.objects.filter(pk=invitation_id, team=team).first()


# --- the organizer back office (submissions.staff) -----------------------------------------------

QUALIFICATION_QUEUE_STATUSES = (SolutionStatus.SUBMITTED, SolutionStatus.SUPPLEMENT_REQUESTED)


def qualification_queue(*, contest: Contest) -> list[Solution]:
    """The solutions of `contest` waiting for a qualification decision (or a supplement), in the
    order they were submitted, with their final version's files."""
    return list(
        Solution.objects.filter(contest=contest, status__in=QUALIFICATION_QUEUE_STATUSES)
        .select_related("team", "team__lead_unit", "scenario", "scenario__track", "final_version")
        .prefetch_related("final_version__files")
        .order_by("submitted_at", "id")
    )


def qualification_queue_count(*, contest: Contest) -> int:
    return Solution.objects.filter(contest=contest, status__in=QUALIFICATION_QUEUE_STATUSES).count()


def qualification_decided(*, contest: Contest, limit: int = 50) -> QuerySet[Solution]:
    """The latest solutions of `contest` out of the queue that have a decision, newest first."""
    return (
        Solution.objects.filter(contest=contest, eligibility_decisions__isnull=False)
        .exclude(status__in=QUALIFICATION_QUEUE_STATUSES)
        .annotate(decisions=Count("eligibility_decisions"))
        .select_related("team", "scenario")
        .order_by("-updated_at")[:limit]
    )


def contest_solution_get(*, contest: Contest, pk: int) -> QuerySet[Solution]:
    """The solution `pk` of `contest` (any status: the service says why a decision is refused)."""
    return Solution.objects.filter(contest=contest, pk=pk)


def solution_titles(solution_ids) -> dict[int, str]:
    return dict(Solution.objects.filter(pk__in=list(solution_ids)).values_list("id", "title"))
