"""Read queries for teams and solutions. Visibility lives here: views start from these
querysets, so an object the user may not see is a 404, never a 403.

Who sees a solution:
- members of its team;
- organizers of its contest (and superusers);
- the scenario's publisher (a publisher role for the scenario's organization) once the
  qualification round's submission deadline has passed, and only solutions that were handed in
  (a final version, not a draft, not withdrawn before the deadline, not void);
- judges holding an ACTIVE assignment for it, unless they conflict with it: a conflict of
  interest row naming them and the solution, its team or an organization group, or the
  automatic rule computed from the current data (the judge is a member, or the judge's
  organization group is the group of the team's lead unit, a co-unit or a member's
  organization; see `judging.selectors.solution_ids_visible_to_judge`), so a conflict arising
  after the assignment hides the solution at once. When the viewer sees it *only* as a judge
  and that assignment's round is blind, nothing names the team or its people.
"""

import datetime as dt

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404

from contest import clock
from contest.enums import Role, RoundStatus
from contest.models import Contest, ContestRole, Round, Scenario
from contest.roles import is_organizer, roles_of_user
from judging.models import ConflictOfInterest, JudgeAssignment
from judging.selectors import solution_ids_visible_to_judge

from . import hot_reads, permissions
from .enums import InvitationStatus, SolutionStatus
from .models import (
    EligibilityDecision,
    Invitation,
    RoundEntry,
    Solution,
    SolutionFile,
    SolutionVersion,
    SubmissionReceipt,
    Team,
    TeamMembership,
)

# A publisher never sees these, even for its own scenario after the deadline.
PUBLISHER_HIDDEN_STATUSES = (SolutionStatus.DRAFT, SolutionStatus.WITHDRAWN, SolutionStatus.VOID)


def round_deadline_passed(round_: Round, at: dt.datetime) -> bool:
    """True once the round's submission deadline has passed (`contest.clock.deadline_passed`)."""
    return clock.deadline_passed(round_.submission_deadline, at)


# Read by every upload and submission: explicit SQL (submissions/hot_reads.py).
def qualification_round(contest: Contest | int) -> Round | None:
    """The round that takes the first submissions (揭榜): the lowest sequence (contest or its id)."""
    return hot_reads.first_round(contest.pk if isinstance(contest, Contest) else contest)


# A first round in one of these statuses has stopped taking entries, whatever its dates say.
_ENTRIES_CLOSED = (RoundStatus.JUDGING, RoundStatus.AGGREGATED, RoundStatus.PUBLISHED, RoundStatus.CLOSED)


def team_facts_frozen(contest: Contest | int, at: dt.datetime) -> bool:
    """A team's units and members are facts judging rests on: they freeze at the first round's
    submission deadline (every entry starts in that round; later rounds' deadlines come after),
    or once that round is judged, even without a deadline set."""
    first = qualification_round(contest)
    return first is not None and (round_deadline_passed(first, at) or first.status in _ENTRIES_CLOSED)


def next_round(round_: Round) -> Round | None:
    return Round.objects.filter(contest_id=round_.contest_id, sequence__gt=round_.sequence).order_by("sequence").first()


def _member_q(user) -> Q:
    return Q(Exists(TeamMembership.objects.filter(team=OuterRef("team"), user=user)))


def _conflict_exists():
    return Exists(
        ConflictOfInterest.objects.filter(judge=OuterRef("judge"), contest=OuterRef("solution__contest")).filter(
            Q(solution=OuterRef("solution"))
            | Q(team=OuterRef("solution__team"))
            | Q(organization=OuterRef("solution__team__lead_unit"))
            | Q(organization__co_unit_teams=OuterRef("solution__team"))
            | Q(organization__teammembership__team=OuterRef("solution__team"))
        )
    )


def judge_assignments_visible(user) -> QuerySet:
    """The user's active assignments not blocked by a conflict of interest row (one subquery).

    Only for telling which already-visible solutions are seen through a blind round; whether a
    judge sees a solution at all is `_judge_q`, which also applies the automatic rule.
    """
    return JudgeAssignment.objects.filter(judge=user, active=True).filter(~_conflict_exists())


def _judge_q(user, contest: Contest | None = None) -> Q:
    """Solutions seen as a judge: an active assignment and no conflict, declared or automatic.

    A fixed number of queries whatever the number of solutions (the judging selector reads the
    assignments, then per contest the conflict rows and one organization-group query).
    """
    ids = solution_ids_visible_to_judge(judge=user, contest_id=contest.pk if contest is not None else None)
    return Q(pk__in=sorted(ids)) if ids else Q(pk__in=[])


def _publisher_q(user, at: dt.datetime) -> Q:
    """Publishers see their organization's scenarios' solutions after the first round's deadline."""
    roles = [(r.contest_id, r.organization_id) for r in roles_of_user(user) if r.role == Role.PUBLISHER]
    q = Q(pk__in=[])
    if not roles:
        return q
    first_rounds: dict[int, Round] = {}
    for round_ in Round.objects.filter(contest_id__in={c for c, _ in roles}).order_by("contest_id", "sequence"):
        first_rounds.setdefault(round_.contest_id, round_)
    for contest_id, organization_id in roles:
        round_ = first_rounds.get(contest_id)
        if round_ is not None and round_deadline_passed(round_, at):
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


def solution_get_for_user(user, pk, *, related: bool = True) -> Solution:
    """One solution the user sees, or 404. `related=False` skips the joined team, scenario and
    final version (the upload and submit views re-read the row under a lock anyway).

    Reads the row by primary key, then applies the same rules as `solution_list_for_user` to
    that one row, cheapest first: the OR of every rule in one statement cost a dozen
    milliseconds of planning and ORM work per request at the deadline (bench_deadline_rush).
    """
    signed_in = user is not None and user.is_authenticated
    if signed_in and isinstance(pk, int):
        # The viewer's team role comes with the row: visibility and the permission checks of
        # this request then need no query of their own.
        if related:
            qs = Solution.objects.annotate(viewer_member_role=_viewer_role(user.pk)).filter(pk=pk)
            solution = solution_list_with_related(qs).first()
        else:
            solution = hot_reads.solution_with_role(user.pk, pk)
    else:  # anonymous, or a key that is not an int: through the ORM
        qs = Solution.objects.filter(pk=pk)
        if signed_in:
            qs = qs.annotate(viewer_member_role=_viewer_role(user.pk))
        solution = (solution_list_with_related(qs) if related else qs).first()
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
        first_round = Round.objects.filter(contest_id=solution.contest_id).order_by("sequence").first()
        if first_round is not None and round_deadline_passed(first_round, at or clock.now()):
            return True
    return solution.pk in solution_ids_visible_to_judge(judge=user, contest_id=solution.contest_id)


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
    from django.http import Http404

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
    blind_candidates = set(
        judge_assignments_visible(user)
        .filter(solution_id__in=ids, round__blind_review=True)
        .values_list("solution_id", flat=True)
    )
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
    status, limit = row
    if status in (SolutionStatus.QUALIFIED, SolutionStatus.ADVANCED):
        entry = (
            RoundEntry.objects.filter(solution_id=solution_id, status="active")
            .select_related("round")
            .order_by("-round__sequence")
            .first()
        )
        limit = entry.round.max_upload_bytes if entry is not None else limit
    return limit if limit is not None else default
