import datetime as dt

import pytest
from django.utils import timezone

from contest.enums import RoundStatus
from judging.enums import ReviewStatus
from notifications.models import Notification
from notifications.reminders import reminders_send
from notifications.tasks import send_reminders_task
from submissions.enums import SolutionStatus
from tests.factories.contest import ContestFactory, RoundFactory, UserFactory
from tests.factories.judging import JudgeAssignmentFactory, ReviewFactory
from tests.factories.submissions import RoundEntryFactory, SolutionFactory, TeamFactory, TeamMembershipFactory

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

NOW = timezone.now().replace(microsecond=0)


def _recipients(kind):
    return sorted(
        Notification.objects.filter(kind=kind, channel="in_app").values_list("recipient__username", flat=True)
    )


@pytest.fixture
def contest():
    return ContestFactory()


@pytest.fixture
def first_round(contest):
    return RoundFactory(
        contest=contest,
        sequence=1,
        status=RoundStatus.OPEN,
        submission_opens_at=NOW - dt.timedelta(days=10),
        submission_deadline=NOW + dt.timedelta(hours=20),
    )


@pytest.fixture
def draft_team(contest):
    team = TeamFactory(contest=contest, captain=UserFactory(username="captain", preferred_language="en"))
    TeamMembershipFactory(team=team, user=UserFactory(username="member"))
    SolutionFactory(team=team, contest=contest, status=SolutionStatus.DRAFT, title="草稿方案", submitted_at=None)
    return team


def test_submission_reminder_goes_to_every_member_of_a_team_with_a_draft(first_round, draft_team, contest):
    submitted_team = TeamFactory(contest=contest, captain=UserFactory(username="done"))
    SolutionFactory(team=submitted_team, contest=contest, status=SolutionStatus.SUBMITTED)

    reminders_send(now=NOW)

    assert _recipients("reminder_submission") == ["captain", "member"]
    en = Notification.objects.get(kind="reminder_submission", channel="in_app", recipient__username="captain")
    zh = Notification.objects.get(kind="reminder_submission", channel="in_app", recipient__username="member")
    assert en.subject == f"Reminder: {first_round.name} submissions close in 24 hours"
    assert "草稿方案" in en.body
    assert zh.subject == f"提醒：{first_round.name}将于 24 小时后截止提交"


def test_reminder_beat_run_three_times_sends_each_reminder_once(first_round, draft_team):
    for _ in range(3):
        send_reminders_task.apply()

    assert Notification.objects.filter(kind="reminder_submission").count() == 4  # 2 people x (in-app + e-mail)


def test_one_hour_reminder_is_a_second_reminder_and_only_once(first_round, draft_team):
    reminders_send(now=NOW)
    later = first_round.submission_deadline - dt.timedelta(minutes=50)
    reminders_send(now=later)
    reminders_send(now=later + dt.timedelta(minutes=5))

    keys = sorted(
        Notification.objects.filter(kind="reminder_submission", channel="in_app").values_list("dedup_key", flat=True)
    )
    assert [k.split(":")[3] for k in keys] == ["1h", "1h", "24h", "24h"]


def test_a_moved_deadline_is_reminded_again(first_round, draft_team):
    reminders_send(now=NOW)
    first_round.submission_deadline += dt.timedelta(hours=2)
    first_round.save()
    reminders_send(now=NOW + dt.timedelta(hours=1))

    assert Notification.objects.filter(kind="reminder_submission", channel="in_app").count() == 4


def test_no_reminder_outside_the_window_or_after_the_deadline(first_round, draft_team):
    reminders_send(now=first_round.submission_deadline - dt.timedelta(hours=30))
    reminders_send(now=first_round.submission_deadline + dt.timedelta(seconds=1))
    assert _recipients("reminder_submission") == []


def test_later_round_reminds_entries_without_a_receipt(contest, first_round):
    second = RoundFactory(
        contest=contest,
        sequence=2,
        status=RoundStatus.OPEN,
        submission_opens_at=NOW - dt.timedelta(days=1),
        submission_deadline=NOW + dt.timedelta(minutes=30),
    )
    first_round.submission_deadline = NOW - dt.timedelta(days=2)
    first_round.save()
    team = TeamFactory(contest=contest, captain=UserFactory(username="finalist"))
    RoundEntryFactory(round=second, solution=SolutionFactory(team=team, contest=contest, status="qualified"))

    reminders_send(now=NOW)

    assert _recipients("reminder_submission") == ["finalist"]
    assert Notification.objects.get(kind="reminder_submission", channel="in_app").dedup_key.split(":")[3] == "1h"


def test_review_reminder_for_judges_with_unsubmitted_reviews(contest):
    round_ = RoundFactory(contest=contest, status=RoundStatus.JUDGING, judging_closes_at=NOW + dt.timedelta(hours=10))
    lazy = UserFactory(username="lazy", preferred_language="en")
    JudgeAssignmentFactory(round=round_, judge=lazy)
    ReviewFactory(assignment=JudgeAssignmentFactory(round=round_, judge=lazy), status=ReviewStatus.DRAFT)
    done = UserFactory(username="done")
    ReviewFactory(assignment=JudgeAssignmentFactory(round=round_, judge=done), status=ReviewStatus.SUBMITTED)
    JudgeAssignmentFactory(round=round_, judge=UserFactory(username="inactive"), active=False)

    for _ in range(3):
        reminders_send(now=NOW)

    assert _recipients("reminder_review") == ["lazy"]
    notice = Notification.objects.get(kind="reminder_review", channel="in_app")
    assert "You still have 2 reviews to submit." in notice.body
    assert Notification.objects.filter(kind="reminder_review").count() == 2
