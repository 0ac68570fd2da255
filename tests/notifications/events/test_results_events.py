"""Notices of the results services: round results (advanced or not, rank), objections filed
and decided. (award_confirmed: see test_templates.py.)"""

import zoneinfo

import pytest

from contest.enums import Role
from judging.results.services.aggregation import results_aggregate
from judging.results.services.objections import objection_create, objection_decide
from judging.results.services.publication import publication_publish
from notifications.models import Channel, Notification
from tests.factories.contest import ContestRoleFactory, UserFactory
from tests.results.conftest import Builder

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


@pytest.fixture
def scored():
    b = Builder(aggregation_method="mean", advancement_kind="top_n", advancement_value=1)
    b.org_user = UserFactory(preferred_language="en")
    ContestRoleFactory(user=b.org_user, contest=b.contest, role=Role.ORGANIZER)
    b.winner = b.scored([90, 90, 90])
    b.loser = b.scored([70, 70, 70])
    b.winner.team.captain.preferred_language = "en"
    b.winner.team.captain.save()
    results_aggregate(round_=b.round)
    return b


def _in_app(kind, user):
    return Notification.objects.get(kind=kind, channel=Channel.IN_APP, recipient=user)


def test_round_results_tell_each_team_whether_it_advanced_and_its_rank(scored, django_capture_on_commit_callbacks):
    assert not Notification.objects.filter(kind="round_results").exists()  # nothing before publication

    with django_capture_on_commit_callbacks(execute=True):
        publication = publication_publish(round_=scored.round, actor=scored.org_user)

    winner = _in_app("round_results", scored.winner.team.captain)
    loser = _in_app("round_results", scored.loser.team.captain)
    assert winner.subject == f"Results of {scored.round.name} published: advanced"
    assert "Rank: 1 of 2" in winner.body and "Score: 90.00" in winner.body
    assert loser.language == "zh-hans"
    assert loser.subject == f"{scored.round.name}结果已公布：未晋级"
    assert "排名：第 2 名（共 2 个）" in loser.body
    assert Notification.objects.filter(dedup_key__startswith=f"round_results:{publication.pk}:").count() == 4


@pytest.fixture
def objection(scored, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        publication = publication_publish(round_=scored.round, actor=scored.org_user)
    scored.objector = UserFactory(full_name="李四")
    return objection_create(
        user=scored.objector,
        publication=publication,
        solution_id=scored.winner.pk,
        objector_kind="individual",
        reason="核心技术与已公开专利雷同",
        real_name="李四",
        organization_name="示例科技有限公司",
        phone="021-0000-0001",
    )


def test_objection_filed_notifies_the_organizers(scored, objection):
    notice = _in_app("objection_filed", scored.org_user)
    assert notice.subject == f"Objection filed: {scored.winner.title}"
    assert "Filed by: 李四 (示例科技有限公司)" in notice.body
    assert Notification.objects.filter(kind="objection_filed").count() == 2  # in-app + e-mail


def test_objection_decided_notifies_the_objector(scored, objection):
    objection_decide(objection=objection, actor=scored.org_user, uphold=False, response="经核查，异议不成立")

    notice = _in_app("objection_decided", scored.objector)
    assert notice.subject == "您的异议已处理：异议不成立"
    assert "经核查，异议不成立" in notice.body


def test_round_results_show_the_publicity_end_in_the_contests_time_zone(scored, django_capture_on_commit_callbacks):
    scored.contest.time_zone = "Europe/Berlin"
    scored.contest.save(update_fields=["time_zone"])
    with django_capture_on_commit_callbacks(execute=True):
        publication = publication_publish(round_=scored.round, actor=scored.org_user)

    berlin = publication.publicity_ends_at.astimezone(zoneinfo.ZoneInfo("Europe/Berlin"))
    shanghai = publication.publicity_ends_at.astimezone(zoneinfo.ZoneInfo("Asia/Shanghai"))
    body = _in_app("round_results", scored.winner.team.captain).body
    assert f"ends at {berlin:%Y-%m-%d %H:%M}" in body
    assert f"{shanghai:%Y-%m-%d %H:%M}" not in body  # the server's zone, seven hours apart
