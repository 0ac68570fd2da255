"""Staff and participants stay apart: a scenario publisher's staff never competes on their own
organization's scenarios, and a member of a competing team never joins a judge pool of that
contest."""

import pytest
from django.test import Client
from django.urls import reverse

from contest.enums import Role
from judging.models import JudgePoolMember
from submissions import services
from submissions.errors import PublisherStaffCannotCompeteError
from submissions.models import Solution, TeamMembership
from tests.factories.contest import ContestRoleFactory, RoundFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_publisher_staff_cannot_take_up_their_own_organizations_scenario(clock, round1, scenario, other_scenario):
    staff = UserFactory()
    ContestRoleFactory(contest=scenario.contest, role=Role.PUBLISHER, organization=scenario.publisher, user=staff)
    team = services.team_create(
        actor=staff, contest=scenario.contest, name="发榜方员工队", lead_unit=scenario.publisher
    )
    client = _client(staff)
    response = client.post(
        reverse("submissions-api:solution-list"),
        {"scenario": scenario.pk, "title": "自家榜单"},
        content_type="application/json",
    )
    assert (response.status_code, response.json()["code"]) == (403, "publisher_staff_cannot_compete")
    assert not Solution.objects.filter(team=team).exists()
    # Another organization's scenario is fine.
    response = client.post(
        reverse("submissions-api:solution-list"),
        {"scenario": other_scenario.pk, "title": "别家榜单"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content


def test_a_team_with_publisher_staff_as_member_cannot_take_up_that_scenario(clock, round1, scenario, team, captain):
    staff = _staff_member(team, scenario)
    with pytest.raises(PublisherStaffCannotCompeteError):
        services.solution_create(actor=captain, team=team, scenario=scenario, title="方案")
    assert staff.pk in TeamMembership.objects.filter(team=team).values_list("user_id", flat=True)
    assert not Solution.objects.filter(team=team).exists()


def _staff_member(team, scenario):  # noqa: N802 - reads as the factory it wraps
    from tests.factories.submissions import TeamMembershipFactory

    staff = UserFactory()
    ContestRoleFactory(contest=team.contest, role=Role.PUBLISHER, organization=scenario.publisher, user=staff)
    TeamMembershipFactory(team=team, user=staff)
    return staff


def test_publisher_staff_cannot_join_a_team_on_their_organizations_scenario(clock, solution, team, captain):
    staff = UserFactory()
    ContestRoleFactory(contest=team.contest, role=Role.PUBLISHER, organization=solution.scenario.publisher, user=staff)
    invitation = services.invitation_create(actor=captain, team=team, email=staff.email)
    response = _client(staff).post(
        reverse("submissions-api:invitation-accept"), {"token": invitation.token}, content_type="application/json"
    )
    assert (response.status_code, response.json()["code"]) == (403, "publisher_staff_cannot_compete")
    assert not TeamMembership.objects.filter(user=staff).exists()


def test_a_competing_team_member_cannot_join_a_judge_pool(clock, round1, team, member, organizer):
    round2 = RoundFactory(contest=team.contest, sequence=2)
    response = _client(organizer).post(
        f"/api/v1/judging/rounds/{round2.pk}/pool/", {"judge": member.pk}, content_type="application/json"
    )
    assert (response.status_code, response.json()["code"]) == (409, "judge_is_competing")
    assert not JudgePoolMember.objects.filter(judge=member).exists()
    assert not member.contest_roles.filter(role=Role.JUDGE).exists()


def test_the_dashboard_page_refuses_a_competing_judge_too(clock, round1, team, member, organizer):
    from django.utils.translation import gettext, override

    from judging.errors import JudgeIsCompetingError

    response = _client(organizer).post(
        reverse("dashboard_pool_add", kwargs={"pk": round1.pk}),
        {"pool_add-account": member.username, "pool_add-group": "", "pool_add-load_cap": ""},
    )
    assert response.status_code == 200
    page = response.content.decode()
    with override("zh-hans"):
        shown = {str(JudgeIsCompetingError.default_detail), gettext(str(JudgeIsCompetingError.default_detail))}
    assert any(text in page for text in shown)
    assert not JudgePoolMember.objects.filter(judge=member).exists()
