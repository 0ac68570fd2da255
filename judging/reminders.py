"""Review reminders: every judge with an active assignment whose review is not submitted, 24 hours
before the judging window closes. Run by `notifications.send_reminders` (registered in
`JudgingConfig.ready`).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.db import transaction

from contest.enums import RoundStatus
from contest.models import Round
from notifications.reminders import reminder_window
from notifications.services import NoticeSpec, local_time, notify_many

from .enums import ReviewStatus
from .models import JudgeAssignment

REVIEW_WINDOWS = (("24h", timedelta(hours=24)),)


def review_reminders(now: datetime) -> int:
    """Reminders to judges with unsubmitted reviews (registered in JudgingConfig)."""
    rounds = Round.objects.filter(
        status=RoundStatus.JUDGING,
        judging_closes_at__gt=now,
        judging_closes_at__lte=now + REVIEW_WINDOWS[-1][1],
    ).select_related("contest")
    created = 0
    for round_ in rounds:
        # The judging window closes at its instant (an organizer closes it "now").
        window = reminder_window(round_.judging_closes_at, now, REVIEW_WINDOWS, open_now=now < round_.judging_closes_at)
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
        closes = local_time(round_.judging_closes_at, round_.contest.time_zone)
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
