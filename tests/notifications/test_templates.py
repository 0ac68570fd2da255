"""Every notification kind renders in both languages. The results kinds (round_results,
objection_filed, objection_decided, award_confirmed) are checked here through notify()
directly, with the context the results services are expected to pass."""

import pytest

from notifications.kinds import KINDS as ALL_KINDS
from notifications.models import Channel
from notifications.services import notify, render_notice
from tests.factories.contest import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

KINDS = list(ALL_KINDS)

CONTEXT = {
    "contest_name": "2021上海国资国企数字化转型创新大赛",
    "round_name": "初赛",
    "scenario_title": "智慧港口调度",
    "solution_title": "集装箱智能调度方案",
    "team_name": "揭榜A队",
    "member_name": "李四",
    "reason": "理由",
}


def test_the_kinds_are_those_of_the_contract():
    assert len(KINDS) == 17
    assert {"team_invitation", "submission_receipt", "round_results", "reminder_review"} <= set(KINDS)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_renders_in_both_languages(kind, language):
    subject, body = render_notice(kind=kind, language=language, context=CONTEXT)
    assert subject and "\n" not in subject
    assert body.strip()
    assert "{%" not in subject + body and "{{" not in subject + body
    has_chinese_prose = any("\u4e00" <= ch <= "\u9fff" for ch in subject + body.replace(CONTEXT["contest_name"], ""))
    if language == "en":
        assert any(word in subject for word in ("Scenario", "Invitation", "team", "Team", "Submission", "review",
                                                "Review", "Supplement", "Results", "Objection", "objection",
                                                "Award", "Reminder", "assignments", "Qualification"))  # fmt: skip
    else:
        assert has_chinese_prose


@pytest.mark.parametrize(
    ("advanced", "language", "subject", "line"),
    [
        (True, "zh-hans", "初赛结果已公布：晋级", "排名：第 3 名（共 40 个）"),
        (False, "zh-hans", "初赛结果已公布：未晋级", "很遗憾，贵团队方案未能晋级下一轮。"),
        (True, "en", "Results of 初赛 published: advanced", "Rank: 3 of 40"),
        (False, "en", "Results of 初赛 published: not advanced", "Your solution does not advance to the next round."),
    ],
)
def test_round_results_notice_says_advanced_or_not_with_the_rank(advanced, language, subject, line):
    user = UserFactory(preferred_language=language)
    rows = notify(
        kind="round_results",
        recipient=user,
        dedup_key=f"round_results:1:{user.pk}",
        context=CONTEXT | {"rank": 3, "group_size": 40, "advanced": advanced, "publicity_ends_at": "2021-09-10 18:00"},
    )
    notice = next(n for n in rows if n.channel == Channel.IN_APP)
    assert notice.subject == subject
    assert line in notice.body
    assert notify(kind="round_results", recipient=user, dedup_key=f"round_results:1:{user.pk}", context={}) == []


def test_objection_filed_notice_to_an_organizer():
    organizer = UserFactory()
    rows = notify(
        kind="objection_filed",
        recipient=organizer,
        dedup_key=f"objection_filed:7:{organizer.pk}",
        context=CONTEXT | {"objector_name": "王五", "organization_name": "某科技有限公司"},
    )
    assert rows[0].subject == "收到异议：集装箱智能调度方案"
    assert "异议人：王五（某科技有限公司）" in rows[0].body


@pytest.mark.parametrize(("status", "word"), [("upheld", "异议成立"), ("dismissed", "异议不成立")])
def test_objection_decided_notice_to_the_objector(status, word):
    objector = UserFactory()
    rows = notify(
        kind="objection_decided",
        recipient=objector,
        dedup_key=f"objection_decided:7:{objector.pk}",
        context=CONTEXT | {"status": status, "response": "经复核……"},
    )
    assert rows[0].subject == f"您的异议已处理：{word}"
    assert f"处理结果：{word}" in rows[0].body


def test_award_confirmed_notice():
    user = UserFactory(preferred_language="en")
    rows = notify(
        kind="award_confirmed",
        recipient=user,
        dedup_key=f"award_confirmed:3:{user.pk}",
        context=CONTEXT | {"level_display": "First prize (一等奖)", "matched": True, "verification_code": "AB12CD"},
    )
    assert rows[0].subject == "Award confirmed: First prize (一等奖)"
    assert "taken up the scenario successfully" in rows[0].body
    assert "Verification code: AB12CD" in rows[0].body


def test_unknown_language_falls_back_to_the_default():
    subject, _body = render_notice(kind="member_joined", language="fr", context=CONTEXT)
    assert subject == "李四 已加入团队 揭榜A队"
