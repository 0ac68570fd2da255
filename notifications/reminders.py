"""Deadline reminders, run by Celery beat (`notifications.send_reminders`, every 5 minutes).

* Submission: every member of a team with an unsubmitted solution, 24 hours and 1 hour before
  a round's submission deadline. Unsubmitted means: in the round that takes first submissions
  (the lowest sequence), a draft or withdrawn solution (a withdrawn one may be submitted again
  before the deadline); in a later round, a solution with an active entry in the round and no
  receipt for it yet.
* Review: every judge with an active assignment whose review is not submitted, 24 hours before
  the judging window closes.

A reminder's de-duplication key is `<kind>:<round id>:<deadline as Unix time>:<window>:<user id>`,
so however often the beat runs each person gets each reminder once per deadline (a moved
deadline is a new deadline). The window is the narrowest one the deadline falls into: when the
beat first sees a deadline 30 minutes ahead only the 1-hour reminder goes out.
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone

from contest import clock
from contest.enums import RoundStatus
from contest.models import Round

from .services import NoticeSpec, notify_many

SUBMISSION_WINDOWS = (("1h", timedelta(hours=1)), ("24h", timedelta(hours=24)))
REVIEW_WINDOWS = (("24h", timedelta(hours=24)),)
_CLOSED_FOR_SUBMISSIONS = (RoundStatus.JUDGING, RoundStatus.AGGREGATED, RoundStatus.PUBLISHED, RoundStatus.CLOSED)


def _window(deadline: datetime, now: datetime, windows, *, open_now: bool) -> tuple[str, int] | None:
    for name, span in windows:  # narrowest first
        if open_now and deadline <= now + span:
            return name, int(span.total_seconds() // 3600)
    return None


def _local(moment: datetime, tz_name: str) -> str:
    try:
        tz = zoneinfo.ZoneInfo(tz_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = timezone.get_default_timezone()
    return timezone.localtime(moment, tz).strftime("%Y-%m-%d %H:%M")


def _unsubmitted_by_user(round_: Round, first_sequence: int) -> dict:
    from submissions.enums import EntryStatus, SolutionStatus
    from submissions.models import Solution, SubmissionReceipt, TeamMembership

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


def _submission_reminders(now: datetime) -> int:
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
        window = _window(round_.submission_deadline, now, SUBMISSION_WINDOWS, open_now=open_now)
        if window is None:
            continue
        name, hours = window
        first_sequence = Round.objects.filter(contest_id=round_.contest_id).aggregate(m=Min("sequence"))["m"]
        stamp = int(round_.submission_deadline.timestamp())
        deadline = _local(round_.submission_deadline, round_.contest.time_zone)
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


def _review_reminders(now: datetime) -> int:
    from judging.enums import ReviewStatus
    from judging.models import JudgeAssignment

    rounds = Round.objects.filter(
        status=RoundStatus.JUDGING,
        judging_closes_at__gt=now,
        judging_closes_at__lte=now + REVIEW_WINDOWS[-1][1],
    ).select_related("contest")
    created = 0
    for round_ in rounds:
        # The judging window closes at its instant (an organizer closes it "now").
        window = _window(round_.judging_closes_at, now, REVIEW_WINDOWS, open_now=now < round_.judging_closes_at)
        if window is None:
            continue
        name, hours = window
        pending = defaultdict(int)
        assignments = (
            JudgeAssignment.objects.filter(round=round_, active=True)
            .exclude(review__status__in=[ReviewStatus.SUBMITTED, ReviewStatus.VOIDED])
            .select_related("judge")
        )
        judges = {}
        for assignment in assignments.order_by("id"):
            pending[assignment.judge_id] += 1
            judges[assignment.judge_id] = assignment.judge
        stamp = int(round_.judging_closes_at.timestamp())
        closes = _local(round_.judging_closes_at, round_.contest.time_zone)
        specs = [
            NoticeSpec(
                recipient=judge,
                dedup_key=f"reminder_review:{round_.pk}:{stamp}:{name}:{judge.pk}",
                context={
                    "contest_name": round_.contest.name,
                    "round_name": round_.name,
                    "closes_at": closes,
                    "hours_left": hours,
                    "pending_count": pending[judge_id],
                },
            )
            for judge_id, judge in judges.items()
        ]
        with transaction.atomic():
            created += notify_many(kind="reminder_review", notices=specs)
    return created


def reminders_send(*, now: datetime | None = None) -> int:
    """Create the due submission and review reminders. Returns the number of notice rows created.

    Side effects: Notification rows (in-app + e-mail) and send tasks on commit. Idempotent per
    (round, deadline, window, person) through the de-duplication key.
    """
    now = now or timezone.now()
    return _submission_reminders(now) + _review_reminders(now)
