"""Helpers every service module shares: the row locks, the team's members and notices, the
first round's window, and the refusals teams and invitations both apply. Private to the package."""

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.utils import timezone

from contest import clock
from contest.enums import Role
from contest.models import Contest, ContestRole, Round, User
from contest.roles import is_judge, is_organizer, is_track_host
from notifications.services import NoticeSpec, notify_many

from .. import hot_reads
from ..enums import (
    UNCOUNTED_STATUSES,
    SolutionStatus,
)
from ..errors import (
    DeadlinePassedError,
    PublisherStaffCannotCompeteError,
    StaffCannotCompeteError,
    SubmissionClosedError,
    TeamFactsFrozenError,
)
from ..models import (
    Solution,
    Team,
)
from ..selectors import (
    submission_round_for,
    team_facts_frozen,
)
from ..signals import team_facts_changed

INVITATION_TTL = dt.timedelta(days=7)
SUPPLEMENT_TTL = dt.timedelta(hours=48)

# Statuses that retire (退赛) after the deadline and go pending transfer when the scenario is withdrawn.
IN_CONTEST_STATUSES = (
    SolutionStatus.SUBMITTED,
    SolutionStatus.SUPPLEMENT_REQUESTED,
    SolutionStatus.QUALIFIED,
    SolutionStatus.ADVANCED,
)


# `of=("self",)`: lock only the row itself. A plain FOR UPDATE over the joins would also lock the
# contest, team and scenario rows, so every upload and submission of a contest would queue behind
# one another at the deadline (bench/bench_deadline_rush.py).
def _lock_team(team_id: int) -> Team:
    return Team.objects.select_for_update(of=("self",)).select_related("contest").get(pk=team_id)


# The deadline requests' row locks and member list: explicit SQL (submissions/hot_reads.py).
def _lock_team_row(team_id: int) -> None:
    """`_lock_team` for a caller that needs only the lock, not the row."""
    if not hot_reads.lock_team_row(team_id):
        raise Team.DoesNotExist


def _lock_solution(solution_id: int, *, related: bool = True) -> Solution:
    """The solution row, locked; `related`: with its contest, team and scenario (not locked)."""
    solution = (hot_reads.lock_solution if related else hot_reads.lock_solution_row)(solution_id)
    if solution is None:
        raise Solution.DoesNotExist
    return solution


def _counted_entries(team: Team, *, exclude_id: int | None = None) -> int:
    qs = Solution.objects.filter(team=team).exclude(status__in=UNCOUNTED_STATUSES)
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    return qs.count()


def _solution_state(solution: Solution) -> dict:
    return {
        "status": solution.status,
        "scenario": solution.scenario_id,
        "final_version": solution.final_version_id,
        "submitted_at": solution.submitted_at,
    }


def _member_users(team: Team) -> list[User]:
    """The team's members, in the order they joined."""
    return hot_reads.member_users(team.pk)


def _notify_team(*, team: Team, kind: str, key: str, context: dict, users: Iterable[User] | None = None) -> None:
    """One notice per member, written together (two statements, not four per member and channel)."""
    notify_many(
        kind=kind,
        notices=[
            NoticeSpec(recipient=user, context=context, dedup_key=f"{kind}:{key}:{user.pk}")
            for user in (users if users is not None else _member_users(team))
        ],
    )


def _solution_context(solution: Solution) -> dict:
    return {
        "contest_name": solution.contest.name,
        "team_name": solution.team.name,
        "solution_title": solution.title,
        "solution_id": solution.pk,
        "scenario_title": solution.scenario.title,
    }


def _fmt(at: dt.datetime | None) -> str:
    return at.isoformat() if at else ""


def _local(at: dt.datetime | None, contest: Contest) -> str:
    """A time as users read it: in the contest's time zone, to the second."""
    if at is None:
        return ""
    return timezone.localtime(at, ZoneInfo(contest.time_zone or "Asia/Shanghai")).strftime("%Y-%m-%d %H:%M:%S")


def _require_first_round_open(contest: Contest, at: dt.datetime) -> Round:
    round_ = submission_round_for(contest)
    _require_accepting(round_, at)
    return round_


def _require_accepting(round_: Round | None, at: dt.datetime) -> None:
    if round_ is None:
        raise SubmissionClosedError()
    if clock.round_accepts_submissions(round_, at):
        return
    if clock.deadline_passed(round_.submission_deadline, at):
        raise DeadlinePassedError(extra={"round": round_.pk, "deadline": _fmt(round_.submission_deadline)})
    raise SubmissionClosedError(extra={"round": round_.pk, "opens_at": _fmt(round_.submission_opens_at)})


def _refuse_frozen_facts(contest: Contest | int, at: dt.datetime) -> None:
    """After the first round's deadline the units and members are what judging rests on: only an
    organizer changes them (`fact_changes.fact_change_decide`)."""
    if team_facts_frozen(contest, at):
        raise TeamFactsFrozenError()


def _refuse_publisher_staff(*, contest_id: int, user_ids: Iterable[int], publisher_ids: Iterable[int]) -> None:
    """A publisher's staff (its publisher role in the contest) never competes on its scenarios."""
    publisher_ids = set(publisher_ids)
    if (
        publisher_ids
        and ContestRole.objects.filter(
            contest_id=contest_id, role=Role.PUBLISHER, user_id__in=list(user_ids), organization_id__in=publisher_ids
        ).exists()
    ):
        raise PublisherStaffCannotCompeteError()


def _refuse_contest_staff(actor: User, contest: Contest) -> None:
    """Organizers, track hosts and judges of a contest may not compete in it (they would judge
    or assign their own solution)."""
    if is_organizer(actor, contest) or is_judge(actor, contest) or is_track_host(actor, contest):
        raise StaffCannotCompeteError()


def _end_conflicted_assignments(*, actor: User, team: Team) -> None:
    """A team's members or units changed: judges now in conflict with its solutions lose their
    assignments (reviews voided) in the caller's transaction. Judging receives the signal
    (`submissions.signals`): submissions never imports judging."""
    team_facts_changed.send(sender=Team, actor=actor, contest_id=team.contest_id, team_ids=[team.pk])
