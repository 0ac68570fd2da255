"""Submission reminders: every member of a team with an unsubmitted solution, 24 hours and 1 hour
before a round's submission deadline. Unsubmitted means: in the round that takes first submissions
(the lowest sequence), a draft or withdrawn solution (a withdrawn one may be submitted again
before the deadline); in a later round, a solution with an active entry in the round and no
receipt for it yet. Run by `notifications.send_reminders` (registered in `SubmissionsConfig.ready`).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Min, Q

from contest import clock
from contest.enums import RoundStatus
from contest.models import Round
from notifications.reminders import reminder_window
from notifications.services import NoticeSpec, local_time, notify_many

from .enums import EntryStatus, SolutionStatus
from .models import Solution, SubmissionReceipt, TeamMembership

SUBMISSION_WINDOWS = (("1h", timedelta(hours=1)), ("24h", timedelta(hours=24)))
_CLOSED_FOR_SUBMISSIONS = (RoundStatus.JUDGING, RoundStatus.AGGREGATED, RoundStatus.PUBLISHED, RoundStatus.CLOSED)


def _unsubmitted_by_user(round_: Round, first_sequence: int) -> dict:
    if round_.sequence == first_sequence:
        solutions = Solution.objects.filter(
            contest_id=round_.contest_id, status__in=[SolutionStatus.DRAFT, SolutionStatus.WITHDRAWN]
        )
    else:
        solutions = Solution.objects.filter(
            round_entries__round=round_, round_entries__status=EntryStatus.ACTIVE
        ).exclude(pk__in=SubmissionReceipt.objects.filter(round=round_).values("solution_id"))
    titles_by_team = defaultdict(list)
    for team_id, title in solutions.order_by("id").values_list("team_id", "title"):
        titles_by_team[team_id].append(title)
    by_user = {}
    memberships = TeamMembership.objects.filter(team_id__in=titles_by_team).select_related("user")
    for membership in memberships.order_by("id"):
        by_user[membership.user] = titles_by_team[membership.team_id]
    return by_user


def submission_reminders(now: datetime) -> int:
    """Reminders to the members of teams with an unsubmitted solution (registered in SubmissionsConfig)."""
    rounds = (
        Round.objects.filter(
            clock.deadline_open_q("submission_deadline", now),
            submission_deadline__lte=now + SUBMISSION_WINDOWS[-1][1],
        )
        .filter(Q(submission_opens_at__isnull=True) | Q(submission_opens_at__lte=now))
        .exclude(status__in=_CLOSED_FOR_SUBMISSIONS)
        .select_related("contest")
    )
    created = 0
    for round_ in rounds:
        # Still open for its whole last second (the one deadline rule, contest.clock).
        open_now = not clock.deadline_passed(round_.submission_deadline, now)
        window = reminder_window(round_.submission_deadline, now, SUBMISSION_WINDOWS, open_now=open_now)
        if window is None:
            continue
        name, hours = window
        first_sequence = Round.objects.filter(contest_id=round_.contest_id).aggregate(m=Min("sequence"))["m"]
        stamp = int(round_.submission_deadline.timestamp())
        deadline = local_time(round_.submission_deadline, round_.contest.time_zone)
        specs = [
            NoticeSpec(
                recipient=user,
                dedup_key=f"reminder_submission:{round_.pk}:{stamp}:{name}:{user.pk}",
                context={
                    "contest_name": round_.contest.name,
                    "round_name": round_.name,
                    "deadline": deadline,
                    "hours_left": hours,
                    "solution_titles": "、".join(titles),
                    "solution_count": len(titles),
                },
            )
            for user, titles in _unsubmitted_by_user(round_, first_sequence).items()
        ]
        with transaction.atomic():
            created += notify_many(kind="reminder_submission", notices=specs)
    return created
