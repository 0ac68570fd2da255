"""Issue 16, item 9: while an objection against an entry is being handled (异议处理中), every
page and API answer that shows that entry's result or award says so."""

import pytest
import time_machine
from django.urls import reverse

from contest.enums import Role
from judging.results.enums import ObjectionStatus, ObjectorKind
from judging.results.models import Award, Objection
from judging.results.services.aggregation import results_aggregate
from judging.results.services.awards import awards_confirm
from judging.results.services.objections import objection_create, objection_decide
from judging.results.services.publication import publication_publish
from tests.factories.contest import ContestRoleFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

RANGES = [{"level": "first", "from": 1, "to": 1}, {"level": "second", "from": 2, "to": 5}]


@pytest.fixture
def objected(builder):
    """A published round with an open objection against its first entry."""
    b = builder(aggregation_method="mean")
    b.org_user = UserFactory()
    ContestRoleFactory(user=b.org_user, contest=b.contest, role=Role.ORGANIZER)
    b.first = b.scored([90, 90, 90])
    b.second = b.scored([80, 80, 80])
    results_aggregate(round_=b.round)
    b.pub = publication_publish(round_=b.round, actor=b.org_user)
    b.objection = objection_create(
        user=UserFactory(),
        publication=b.pub,
        solution_id=b.first.pk,
        objector_kind="individual",
        reason="方案与已公开项目雷同",
        real_name="张三",
        organization_name="某研究所",
        phone="13800000000",
    )
    return b


def _pending_by_solution(rows):
    return {r["solution_id"]: r["objection_pending"] for r in rows}


def test_leaderboard_marks_the_entry_until_the_objection_is_decided(objected, api_client):
    b = objected
    url = f"/api/v1/rounds/{b.round.pk}/leaderboard/"
    assert _pending_by_solution(api_client.get(url).json()["rows"]) == {b.first.pk: True, b.second.pk: False}

    objection_decide(objection=b.objection, actor=b.org_user, uphold=False, response="经复核，不成立")

    assert _pending_by_solution(api_client.get(url).json()["rows"]) == {b.first.pk: False, b.second.pk: False}


def test_team_feedback_and_solution_page_mark_the_entry(objected, api_client, client):
    b = objected
    api_client.force_authenticate(b.first.team.captain)
    [mine] = api_client.get(f"/api/v1/rounds/{b.round.pk}/my-feedback/").json()
    assert mine["objection_pending"] is True
    api_client.force_authenticate(b.second.team.captain)
    [theirs] = api_client.get(f"/api/v1/rounds/{b.round.pk}/my-feedback/").json()
    assert theirs["objection_pending"] is False

    client.force_login(b.first.team.captain)
    assert "data-objection-pending" in client.get(reverse("solution_detail", args=[b.first.pk])).content.decode()
    client.force_login(b.second.team.captain)
    assert "data-objection-pending" not in client.get(reverse("solution_detail", args=[b.second.pk])).content.decode()


def test_public_results_page_marks_the_entry_in_chinese(objected, client):
    b = objected
    body = client.get(reverse("results", args=[b.contest.slug]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    row = body.split(f'data-solution="{b.first.pk}"')[1].split("</tr>")[0]
    other = body.split(f'data-solution="{b.second.pk}"')[1].split("</tr>")[0]
    assert "data-objection-pending" in row and "异议处理中" in row
    assert "data-objection-pending" not in other


@pytest.fixture
def awarded_with_objection(final):
    """Confirmed awards; then an objection against the first prize is being handled (e.g.
    lodged in a supplementary publicity period)."""
    with time_machine.travel(final.after):
        awards_confirm(contest=final.contest, actor=final.org_user, ranges=RANGES)
    Objection.objects.create(
        publication=final.pub,
        solution=final.semi[0],
        raised_by=UserFactory(),
        objector_kind=ObjectorKind.INDIVIDUAL,
        real_name="李四",
        organization_name="某单位",
        phone="13900000000",
        reason="获奖方案存在抄袭",
        status=ObjectionStatus.OPEN,
    )
    final.award = Award.objects.get(contest=final.contest, solution=final.semi[0])
    return final


def test_awards_list_and_certificate_verification_mark_the_award(awarded_with_objection, api_client, client):
    f = awarded_with_objection
    listing = api_client.get(f"/api/v1/contests/{f.contest.pk}/awards/").json()
    assert _pending_by_solution(listing) == {s.pk: s == f.semi[0] for s in f.semi[:5]}
    assert api_client.get(f"/api/v1/certificates/{f.award.verification_code}/").json()["objection_pending"] is True
    other = Award.objects.get(contest=f.contest, solution=f.semi[1])
    assert api_client.get(f"/api/v1/certificates/{other.verification_code}/").json()["objection_pending"] is False

    page = client.get(reverse("award_list", args=[f.contest.slug])).content.decode()
    assert page.count("data-objection-pending") == 1
    verify = client.get(reverse("certificate_verify"), {"code": f.award.verification_code}).content.decode()
    assert "data-objection-pending" in verify
    client.force_login(f.org_user)
    dashboard = client.get(reverse("dashboard_awards", args=[f.contest.slug])).content.decode()
    assert dashboard.count("data-objection-pending") == 1


def test_organizers_results_api_and_dashboard_mark_the_entry(objected, api_client, client):
    b = objected
    api_client.force_authenticate(b.org_user)
    rows = api_client.get(f"/api/v1/rounds/{b.round.pk}/results/").json()
    assert _pending_by_solution(rows) == {b.first.pk: True, b.second.pk: False}

    client.force_login(b.org_user)
    body = client.get(reverse("dashboard_results", args=[b.round.pk])).content.decode()
    row = body.split(f'data-result="{b.first.pk}"')[1].split("</tr>")[0]
    assert "data-objection-pending" in row and body.count("data-objection-pending") == 1
