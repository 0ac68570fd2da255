"""Each event's notice, produced by the service that owns the event: recipient, language,
content and de-duplication. (Results, objections and awards: see test_templates.py until the
results services exist.)"""

import datetime as dt

import pytest
from django.core import mail

from contest import services as contest_services
from contest.enums import ScenarioStatus
from judging.enums import ReviewStatus
from judging.services.assignment import assignment_create
from judging.services.scoring import review_return
from notifications.models import Channel, Notification
from notifications.services import notify
from submissions import services as submission_services
from submissions.enums import EligibilityOutcome
from tests.factories.contest import UserFactory
from tests.factories.judging import JudgePoolMemberFactory, ReviewFactory
from tests.factories.submissions import RoundEntryFactory
from tests.submissions.conftest import AFTER

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


def _in_app(kind: str) -> dict:
    """{recipient: notice} of the in-app notices of `kind`."""
    return {n.recipient: n for n in Notification.objects.filter(kind=kind, channel=Channel.IN_APP)}


def _assert_not_repeated(notice: Notification) -> None:
    """Both channels exist once; the same event key again creates nothing."""
    base = notice.dedup_key.rsplit(":", 1)[0]
    assert Notification.objects.filter(dedup_key__startswith=base + ":").count() == (2 if notice.email else 1)
    again = notify(kind=notice.kind, recipient=notice.recipient, context={}, dedup_key=base)
    assert again == []


def test_scenario_approved_notifies_the_publisher(scenario, publisher, organizer):
    publisher.preferred_language = "en"
    publisher.save()
    scenario.status = ScenarioStatus.PENDING_REVIEW
    scenario.save()

    contest_services.scenario_approve(actor=organizer, scenario=scenario)

    notices = _in_app("scenario_approved")
    assert list(notices) == [publisher]
    assert notices[publisher].language == "en"
    assert notices[publisher].subject == f"Scenario published: {scenario.title}"
    _assert_not_repeated(notices[publisher])


def test_scenario_rejected_notifies_the_publisher_with_the_reason(scenario, publisher, organizer):
    scenario.status = ScenarioStatus.PENDING_REVIEW
    scenario.save()

    contest_services.scenario_reject(actor=organizer, scenario=scenario, reason="预期目标不够具体")

    notice = _in_app("scenario_rejected")[publisher]
    assert notice.language == "zh-hans"
    assert notice.subject == f"榜单被退回修改：{scenario.title}"
    assert "退回原因：预期目标不够具体" in notice.body
    _assert_not_repeated(notice)


def test_scenario_withdrawn_notifies_every_member_of_teams_that_took_it_up(
    submitted, scenario, publisher, organizer, captain, member
):
    contest_services.scenario_withdrawal_request(actor=publisher, scenario=scenario, reason="业务调整")
    contest_services.scenario_withdrawal_approve(actor=organizer, scenario=scenario)

    notices = _in_app("scenario_withdrawn")
    assert set(notices) == {captain, member}
    assert notices[member].subject == f"榜单已撤回：{scenario.title}"
    assert "撤回原因：业务调整" in notices[member].body
    assert submitted.title in notices[member].body
    _assert_not_repeated(notices[member])


def test_team_invitation_reaches_an_address_without_an_account(team, captain, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = submission_services.invitation_create(actor=captain, team=team, email="newcomer@example.com")

    [notice] = Notification.objects.filter(kind="team_invitation")
    assert (notice.channel, notice.recipient, notice.email) == (Channel.EMAIL, None, "newcomer@example.com")
    assert notice.subject == f"邀请您加入团队 {team.name}"
    assert f"/invitations/{invitation.token}/" in notice.body  # the accept link
    assert [m.to for m in mail.outbox] == [["newcomer@example.com"]]


def test_team_invitation_to_a_registered_user_is_also_in_app(team, captain):
    invitee = UserFactory(email="known@example.com", preferred_language="en")
    submission_services.invitation_create(actor=captain, team=team, email="known@example.com")

    notice = _in_app("team_invitation")[invitee]
    assert notice.subject == f"Invitation to join team {team.name}"
    _assert_not_repeated(notice)


def test_member_joined_notifies_the_other_members(clock, team, captain, member):
    newcomer = UserFactory(email="joiner@example.com")
    invitation = submission_services.invitation_create(actor=captain, team=team, email="joiner@example.com")

    submission_services.invitation_accept(actor=newcomer, token=invitation.token)

    notices = _in_app("member_joined")
    assert set(notices) == {captain, member}
    assert notices[captain].subject == f"{newcomer} 已加入团队 {team.name}"
    _assert_not_repeated(notices[captain])


def test_member_removed_notifies_the_removed_member(team, captain, member):
    member.preferred_language = "en"
    member.save()

    submission_services.member_remove(actor=captain, team=team, user=member)

    notice = _in_app("member_removed")[member]
    assert notice.subject == f"Team {team.name}: member removed"
    assert f'You have been removed from the team "{team.name}"' in notice.body
    _assert_not_repeated(notice)


def test_submission_receipt_names_the_versions_sha256(member, captain, submitted):
    receipt = submitted.receipts.get()

    notices = _in_app("submission_receipt")

    assert set(notices) == {captain, member}
    assert f"SHA-256：{receipt.sha256}" in notices[member].body
    assert notices[member].subject == f"提交回执 {receipt.code}：{submitted.title}"
    _assert_not_repeated(notices[member])


def test_qualification_decision_tells_the_team_it_passed(clock, submitted, organizer, captain, member, round2):
    clock(AFTER)
    captain.preferred_language = "en"
    captain.save()

    submission_services.eligibility_decide(actor=organizer, solution=submitted, outcome=EligibilityOutcome.QUALIFIED)

    notices = _in_app("qualification_decision")
    assert set(notices) == {captain, member}
    assert notices[captain].subject == f"Qualification review of {submitted.title}: passed"
    assert f"({round2.name})" in notices[captain].body
    assert notices[member].subject == f"{submitted.title} 形式审查结果：通过"
    _assert_not_repeated(notices[member])


def test_qualification_decision_disqualified_gives_the_reason(clock, submitted, organizer, member):
    clock(AFTER)

    submission_services.eligibility_decide(
        actor=organizer, solution=submitted, outcome=EligibilityOutcome.DISQUALIFIED, reason="缺少营业执照"
    )

    notice = _in_app("qualification_decision")[member]
    assert notice.subject.endswith("未通过")
    assert "原因：缺少营业执照" in notice.body


def test_supplement_request_names_what_is_missing(clock, submitted, organizer, member):
    clock(AFTER)

    submission_services.eligibility_decide(
        actor=organizer,
        solution=submitted,
        outcome=EligibilityOutcome.SUPPLEMENT_REQUESTED,
        reason="承诺书未盖章",
        supplement_deadline=AFTER + dt.timedelta(hours=48),
    )

    notice = _in_app("supplement_requested")[member]
    assert notice.subject == f"方案需补正材料：{submitted.title}"
    assert "需补正内容：承诺书未盖章" in notice.body
    assert "请于 " in notice.body
    _assert_not_repeated(notice)


def test_judge_assigned_notifies_the_judge(round1, submitted, organizer, judge):
    judge.preferred_language = "en"
    judge.save()
    if not submitted.round_entries.filter(round=round1).exists():
        RoundEntryFactory(round=round1, solution=submitted)
    JudgePoolMemberFactory(round=round1, judge=judge)

    assignment_create(actor=organizer, round_=round1, solution_id=submitted.pk, judge=judge)

    notice = _in_app("judge_assigned")[judge]
    assert notice.subject == f"New review assignments: {round1.name}"
    assert "You have been assigned 1 solution(s)" in notice.body
    _assert_not_repeated(notice)


def test_review_reopened_notifies_the_judge_with_the_reason(round1, organizer, judge):
    round1.status = "judging"
    round1.save()
    review = ReviewFactory(assignment__round=round1, assignment__judge=judge, status=ReviewStatus.SUBMITTED)

    review_return(actor=organizer, review=review, reason="评分与评语不一致")

    notice = _in_app("review_reopened")[judge]
    assert notice.subject == f"评审意见被退回：{round1.name}"
    assert "退回原因：评分与评语不一致" in notice.body
    _assert_not_repeated(notice)
