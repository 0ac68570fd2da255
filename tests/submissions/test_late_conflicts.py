"""Conflicts that arise after a judge was assigned: a member from the judge's organization group
joins the team, or a unit of that group becomes a co-unit or the lead unit. The automatic rule is
computed from the current data, so the judge loses sight of the solution at once (detail,
versions, file downloads, list) and the assignment ends with its review voided."""

import pytest
from django.urls import reverse

from contest.enums import Role
from judging.enums import ReviewStatus
from judging.models import JudgeAssignment, Review
from submissions import services
from tests.factories.contest import ContestRoleFactory, OrganizationFactory, UserFactory
from tests.factories.judging import JudgeAssignmentFactory, ReviewFactory

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
    """A judge from the group's first subsidiary, assigned to team A's submitted solution, with
    a draft review."""
    judge = UserFactory(organization=group["judge_org"])
    ContestRoleFactory(contest=submitted.contest, role=Role.JUDGE, user=judge)
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


def _join(team, user):
    invitation = services.invitation_create(actor=team.captain, team=team, email=user.email)
    return services.invitation_accept(actor=user, token=invitation.token)


def test_member_from_the_judges_group_joins(api_client, clock, assigned, group):
    solution, judge = assigned["solution"], assigned["judge"]
    clock(AFTER)
    _assert_sees(api_client, judge, solution)
    newcomer = UserFactory(organization=group["sibling"])
    _join(solution.team, newcomer)
    _assert_lost(api_client, judge, solution, assigned["assignment"], assigned["review"])


def test_member_from_an_unrelated_organization_changes_nothing(api_client, clock, assigned):
    solution, judge = assigned["solution"], assigned["judge"]
    clock(AFTER)
    _join(solution.team, UserFactory(organization=OrganizationFactory()))
    _assert_sees(api_client, judge, solution)
    assert JudgeAssignment.objects.get(pk=assigned["assignment"].pk).active is True
    assert Review.objects.get(pk=assigned["review"].pk).status == ReviewStatus.DRAFT


@pytest.mark.parametrize("unit", ["sibling", "parent"])
def test_co_unit_from_the_judges_group_added(api_client, clock, assigned, group, unit):
    solution, judge = assigned["solution"], assigned["judge"]
    clock(AFTER)
    _assert_sees(api_client, judge, solution)
    team = solution.team
    services.team_update(actor=team.captain, team=team, co_units=[group[unit]])
    _assert_lost(api_client, judge, solution, assigned["assignment"], assigned["review"])


def test_lead_unit_moved_into_the_judges_group(api_client, clock, assigned, group):
    solution, judge = assigned["solution"], assigned["judge"]
    clock(AFTER)
    team = solution.team
    services.team_update(actor=team.captain, team=team, lead_unit=group["sibling"])
    _assert_lost(api_client, judge, solution, assigned["assignment"], assigned["review"])


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
