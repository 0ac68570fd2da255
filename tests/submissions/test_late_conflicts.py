"""Conflicts that arise after a judge was assigned: a member from the judge's organization group
joins the team, or a unit of that group becomes a co-unit or the lead unit.

Before the first round's deadline the team changes these itself; the judge loses sight of the
solution at once (detail, versions, file downloads, list) and the assignment ends with its draft
review voided. After the deadline the facts are frozen: the team's own change is refused with
`team_facts_frozen` and changes nothing; only an organizer-approved change request applies."""

import pytest
from django.urls import reverse

from contest.enums import Role
from judging.enums import ReviewStatus
from judging.models import JudgeAssignment, Review
from submissions import services
from tests.factories.contest import ContestRoleFactory, OrganizationFactory, UserFactory
from tests.factories.judging import JudgeAssignmentFactory, JudgePoolMemberFactory, ReviewFactory

from .conftest import AFTER, release

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


@pytest.fixture
def group():
    """Two sibling organizations under one parent: one organization group."""
    parent = OrganizationFactory(name="某控股集团有限公司")
    return {
        "parent": parent,
        "judge_org": OrganizationFactory(name="某集团甲子公司", parent=parent),
        "sibling": OrganizationFactory(name="某集团乙子公司", parent=parent),
    }


@pytest.fixture
def assigned(clock, round1, submitted, group):
    """A judge from the group's first subsidiary (recorded on the pool entry), assigned to team
    A's submitted solution, with a draft review."""
    judge = UserFactory(organization=group["judge_org"])
    ContestRoleFactory(contest=submitted.contest, role=Role.JUDGE, user=judge)
    JudgePoolMemberFactory(round=round1, judge=judge)
    assignment = JudgeAssignmentFactory(round=round1, solution=submitted, judge=judge)
    review = ReviewFactory(assignment=assignment)
    return {"judge": judge, "assignment": assignment, "review": review, "solution": submitted}


def _judge_views(api_client, judge, solution) -> dict:
    api_client.force_authenticate(judge)
    file = solution.final_version.files.order_by("id").first()
    detail = api_client.get(reverse("submissions-api:solution-detail", kwargs={"pk": solution.pk}))
    versions = api_client.get(reverse("submissions-api:solution-versions", kwargs={"pk": solution.pk}))
    download = api_client.get(reverse("submissions-api:file-download", kwargs={"pk": file.pk}))
    release(download)
    listed = api_client.get(reverse("submissions-api:solution-list")).json()
    return {
        "detail": detail.status_code,
        "versions": versions.status_code,
        "download": download.status_code,
        "listed": [s["id"] for s in listed["results"]],
    }


def _assert_sees(api_client, judge, solution):
    assert _judge_views(api_client, judge, solution) == {
        "detail": 200,
        "versions": 200,
        "download": 200,
        "listed": [solution.pk],
    }


def _assert_lost(api_client, judge, solution, assignment, review):
    assert _judge_views(api_client, judge, solution) == {"detail": 404, "versions": 404, "download": 404, "listed": []}
    assignment.refresh_from_db()
    assert assignment.active is False
    review.refresh_from_db()
    assert review.status == ReviewStatus.VOIDED


def _assert_stands(api_client, judge, solution, assignment, review):
    _assert_sees(api_client, judge, solution)
    assert JudgeAssignment.objects.get(pk=assignment.pk).active is True
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.DRAFT


def _units(team) -> tuple:
    team.refresh_from_db()
    return team.lead_unit_id, sorted(team.co_units.values_list("pk", flat=True))


def _join(team, user):
    invitation = services.invitation_create(actor=team.captain, team=team, email=user.email)
    return services.invitation_accept(actor=user, token=invitation.token)


def test_member_from_the_judges_group_joins_before_the_deadline(api_client, clock, assigned, group):
    solution, judge = assigned["solution"], assigned["judge"]
    _assert_sees(api_client, judge, solution)
    newcomer = UserFactory(organization=group["sibling"])
    _join(solution.team, newcomer)
    _assert_lost(api_client, judge, solution, assigned["assignment"], assigned["review"])


def test_member_from_an_unrelated_organization_changes_nothing(api_client, clock, assigned):
    solution, judge = assigned["solution"], assigned["judge"]
    _join(solution.team, UserFactory(organization=OrganizationFactory()))
    _assert_stands(api_client, judge, solution, assigned["assignment"], assigned["review"])


def test_no_member_joins_after_the_deadline(api_client, clock, assigned, group):
    """An invitation sent before the deadline cannot be accepted after it, and none is sent."""
    solution, judge = assigned["solution"], assigned["judge"]
    team = solution.team
    newcomer = UserFactory(organization=group["sibling"])
    invitation = services.invitation_create(actor=team.captain, team=team, email=newcomer.email)
    clock(AFTER)
    members = set(team.memberships.values_list("user_id", "organization_id"))
    api_client.force_authenticate(newcomer)
    response = api_client.post(reverse("submissions-api:invitation-accept"), {"token": invitation.token})
    assert (response.status_code, response.json()["code"]) == (409, "team_facts_frozen")
    api_client.force_authenticate(team.captain)
    response = api_client.post(
        reverse("submissions-api:team-invitations", kwargs={"pk": team.pk}), {"email": "late@example.com"}
    )
    assert (response.status_code, response.json()["code"]) == (409, "team_facts_frozen")
    assert set(team.memberships.values_list("user_id", "organization_id")) == members
    _assert_stands(api_client, judge, solution, assigned["assignment"], assigned["review"])


@pytest.mark.parametrize("unit", ["sibling", "parent"])
def test_co_unit_from_the_judges_group_before_the_deadline(api_client, clock, assigned, group, unit):
    solution, judge = assigned["solution"], assigned["judge"]
    team = solution.team
    services.team_update(actor=team.captain, team=team, co_units=[group[unit]])
    _assert_lost(api_client, judge, solution, assigned["assignment"], assigned["review"])


@pytest.mark.parametrize("field", ["co_units", "lead_unit"])
def test_units_are_frozen_after_the_deadline(api_client, clock, assigned, group, field):
    solution, judge = assigned["solution"], assigned["judge"]
    team = solution.team
    clock(AFTER)
    before = _units(team)
    api_client.force_authenticate(team.captain)
    value = [group["sibling"].pk] if field == "co_units" else group["sibling"].pk
    response = api_client.patch(
        reverse("submissions-api:team-detail", kwargs={"pk": team.pk}), {field: value}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (409, "team_facts_frozen")
    assert _units(team) == before
    _assert_stands(api_client, judge, solution, assigned["assignment"], assigned["review"])


def test_an_approved_change_after_the_deadline_applies(api_client, clock, assigned, group, organizer):
    """The captain asks, nothing changes; the organizer approves with a reason, the co-unit is
    added and the judge it brings into conflict loses the (draft-only) assignment."""
    solution, judge = assigned["solution"], assigned["judge"]
    team = solution.team
    clock(AFTER)
    before = _units(team)
    api_client.force_authenticate(team.captain)
    response = api_client.post(
        reverse("submissions-api:team-fact-changes", kwargs={"pk": team.pk}),
        {"co_units": [group["sibling"].pk], "reason": "新增联合单位，附合作协议"},
        format="json",
    )
    assert response.status_code == 201, response.content
    change_id = response.json()["id"]
    assert response.json()["status"] == "pending"
    assert _units(team) == before
    url = reverse("submissions-api:team-fact-change-decide", kwargs={"pk": change_id})
    denied = api_client.post(url, {"approve": True, "reason": "自己批准"}, format="json")
    assert (denied.status_code, denied.json()["code"]) == (403, "organizer_only")
    assert _units(team) == before
    _assert_stands(api_client, judge, solution, assigned["assignment"], assigned["review"])

    api_client.force_authenticate(organizer)
    response = api_client.post(url, {"approve": True, "reason": "材料齐全，同意"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "approved"
    assert _units(team) == (before[0], [group["sibling"].pk])
    again = api_client.post(url, {"approve": False, "reason": "再次"}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "fact_change_decided")
    _assert_lost(api_client, judge, solution, assigned["assignment"], assigned["review"])


def test_a_rejected_change_changes_nothing(api_client, clock, assigned, group, organizer):
    from submissions.fact_changes import fact_change_decide, fact_change_request

    team = assigned["solution"].team
    clock(AFTER)
    before = _units(team)
    change = fact_change_request(actor=team.captain, team=team, lead_unit=group["sibling"], reason="更换牵头单位")
    change = fact_change_decide(actor=organizer, change=change, approve=False, reason="截止后不得更换牵头单位")
    assert (change.status, change.decision_reason) == ("rejected", "截止后不得更换牵头单位")
    assert _units(team) == before
    _assert_stands(api_client, assigned["judge"], assigned["solution"], assigned["assignment"], assigned["review"])


def test_group_conflict_hides_the_solution_even_before_a_sweep(api_client, clock, assigned, group):
    """Visibility does not depend on the sweep: a membership written straight to the table (an
    admin edit, a data fix) hides the solution although the assignment is still active."""
    from tests.factories.submissions import TeamMembershipFactory

    solution, judge = assigned["solution"], assigned["judge"]
    clock(AFTER)
    TeamMembershipFactory(team=solution.team, organization=group["sibling"])
    assert _judge_views(api_client, judge, solution) == {
        "detail": 404,
        "versions": 404,
        "download": 404,
        "listed": [],
    }
