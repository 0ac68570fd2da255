"""Who sees what: every role against every solution endpoint, downloads included.

Invisible objects are 404 (never 403), so nothing reveals that a solution exists.
"""

import pytest
from django.urls import reverse

from contest.enums import Role
from judging.enums import ConflictSource
from judging.models import ConflictOfInterest
from submissions import services
from tests.factories.contest import ContestRoleFactory, UserFactory
from tests.factories.judging import JudgeAssignmentFactory

from .conftest import AFTER, BEFORE, full_files, release

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

ROLES = [
    "captain_a",
    "member_a",
    "captain_b",
    "organizer",
    "publisher_before",
    "publisher_after",
    "other_publisher",
    "judge_assigned",
    "judge_unassigned",
    "judge_conflicted",
    "anonymous",
]
SEES_SOLUTION = {"captain_a", "member_a", "organizer", "publisher_after", "judge_assigned"}
SEES_HISTORY = {"captain_a", "member_a", "organizer"}


@pytest.fixture
def world(clock, round1, scenario, submitted, team_b, organizer, publisher, other_publisher, member):
    """Team A's submitted solution; team B has its own; judges assigned in round 1."""
    b_solution = services.solution_create(actor=team_b.captain, team=team_b, scenario=scenario, title="B方案")
    judge_assigned = ContestRoleFactory(contest=submitted.contest, role=Role.JUDGE).user
    judge_conflicted = ContestRoleFactory(contest=submitted.contest, role=Role.JUDGE).user
    JudgeAssignmentFactory(round=round1, solution=submitted, judge=judge_assigned)
    JudgeAssignmentFactory(round=round1, solution=submitted, judge=judge_conflicted)
    ConflictOfInterest.objects.create(
        contest=submitted.contest, judge=judge_conflicted, team=submitted.team, source=ConflictSource.DECLARED
    )
    users = {
        "captain_a": submitted.team.captain,
        "member_a": member,
        "captain_b": team_b.captain,
        "organizer": organizer,
        "publisher_before": publisher,
        "publisher_after": publisher,
        "other_publisher": other_publisher,
        "judge_assigned": judge_assigned,
        "judge_unassigned": ContestRoleFactory(contest=submitted.contest, role=Role.JUDGE).user,
        "judge_conflicted": judge_conflicted,
        "anonymous": None,
    }
    return {"solution": submitted, "b_solution": b_solution, "users": users}


def _client_for(api_client, clock, world, role):
    clock(BEFORE if role == "publisher_before" else AFTER)
    user = world["users"][role]
    if user is not None:
        api_client.force_authenticate(user)
    return api_client


READ_ENDPOINTS = ["detail", "versions", "receipts", "eligibility", "download"]


def _read_url(endpoint, solution):
    if endpoint == "download":
        return reverse("submissions-api:file-download", kwargs={"pk": solution.final_version.files.first().pk})
    name = {"detail": "solution-detail", "versions": "solution-versions"}.get(endpoint, f"solution-{endpoint}")
    return reverse(f"submissions-api:{name}", kwargs={"pk": solution.pk})


@pytest.mark.parametrize("endpoint", READ_ENDPOINTS)
@pytest.mark.parametrize("role", ROLES)
def test_read_matrix(api_client, clock, world, role, endpoint):
    client = _client_for(api_client, clock, world, role)
    response = client.get(_read_url(endpoint, world["solution"]))
    release(response)
    allowed = SEES_HISTORY if endpoint in ("receipts", "eligibility") else SEES_SOLUTION
    assert response.status_code == (200 if role in allowed else 404)


@pytest.mark.parametrize("role", ROLES)
def test_list_matrix(api_client, clock, world, role):
    client = _client_for(api_client, clock, world, role)
    ids = {s["id"] for s in client.get(reverse("submissions-api:solution-list")).json()["results"]}
    assert (world["solution"].pk in ids) == (role in SEES_SOLUTION)
    if role == "captain_b":
        assert ids == {world["b_solution"].pk}
    if role == "publisher_after":
        # Team B's draft on the same scenario was never handed in: the publisher does not see it.
        assert ids == {world["solution"].pk}


WRITE_ENDPOINTS = ["upload", "submit", "withdraw", "transfer", "supplement", "eligibility_post"]
# What a role that sees the solution gets (403 codes checked exactly); everyone else gets 404.
VISIBLE_WRITE = {
    "captain_a": {
        "upload": 409,
        "submit": 409,
        "withdraw": 400,
        "transfer": 409,
        "supplement": 409,
        "eligibility_post": "organizer_only",
    },
    "member_a": {
        "upload": 409,
        "submit": "captain_only",
        "withdraw": "captain_only",
        "transfer": "captain_only",
        "supplement": "captain_only",
        "eligibility_post": "organizer_only",
    },
    "organizer": {
        "upload": "not_team_member",
        "submit": "captain_only",
        "withdraw": "captain_only",
        "transfer": "captain_only",
        "supplement": "captain_only",
        "eligibility_post": 201,
    },
}
for _role in ("publisher_after", "judge_assigned"):
    VISIBLE_WRITE[_role] = VISIBLE_WRITE["member_a"] | {"upload": "not_team_member"}


def _write(client, endpoint, solution, other_scenario):
    name = {"upload": "solution-versions", "eligibility_post": "solution-eligibility"}.get(
        endpoint, f"solution-{endpoint}"
    )
    target = reverse(f"submissions-api:{name}", kwargs={"pk": solution.pk})
    if endpoint in ("upload", "supplement"):
        return client.post(target, dict(full_files()), format="multipart")
    data = {
        "submit": {"version": 1},
        "withdraw": {},
        "transfer": {"scenario": other_scenario.pk},
        "eligibility_post": {"outcome": "qualified"},
    }[endpoint]
    return client.post(target, data, format="json")


@pytest.mark.parametrize("endpoint", WRITE_ENDPOINTS)
@pytest.mark.parametrize("role", ROLES)
def test_write_matrix(api_client, clock, world, other_scenario, role, endpoint):
    """After the deadline (publisher_before: before it). Visible roles reach the rules; the
    captain meets the state rules (deadline passed, confirmation, not pending transfer)."""
    client = _client_for(api_client, clock, world, role)
    response = _write(client, endpoint, world["solution"], other_scenario)
    if role == "anonymous":
        assert (response.status_code, response.json()["code"]) == (403, "not_authenticated")
        return
    expected = VISIBLE_WRITE.get(role, {}).get(endpoint, 404)
    if isinstance(expected, str):
        assert (response.status_code, response.json()["code"]) == (403, expected)
    else:
        assert response.status_code == expected, response.json()


@pytest.mark.parametrize("role", ROLES)
def test_team_endpoints_visibility(api_client, clock, world, role):
    client = _client_for(api_client, clock, world, role)
    team = world["solution"].team
    visible = role in {"captain_a", "member_a", "organizer"}
    for name in ("team-detail", "team-members"):
        response = client.get(reverse(f"submissions-api:{name}", kwargs={"pk": team.pk}))
        assert response.status_code == (200 if visible else 404)
    response = client.get(reverse("submissions-api:team-invitations", kwargs={"pk": team.pk}))
    assert response.status_code == (200 if visible else 403 if role == "anonymous" else 404)


def test_blind_judge_sees_nothing_naming_the_team(api_client, clock, world, round1):
    round1.blind_review = True
    round1.save()
    clock(AFTER)
    solution = world["solution"]
    api_client.force_authenticate(world["users"]["judge_assigned"])
    detail = api_client.get(reverse("submissions-api:solution-detail", kwargs={"pk": solution.pk})).json()
    assert detail["team"] is None
    versions = api_client.get(reverse("submissions-api:solution-versions", kwargs={"pk": solution.pk})).json()
    version = versions["results"][0]
    assert version["created_by"] is None
    names = {f["original_name"] for f in version["files"]}
    assert names == {f"solution-{solution.pk}-v1-proposal.pdf", f"solution-{solution.pk}-v1-commitment.png"}
    file = solution.final_version.files.get(kind="proposal")
    response = api_client.get(reverse("submissions-api:file-download", kwargs={"pk": file.pk}))
    release(response)
    assert response["Content-Disposition"] == f'attachment; filename="solution-{solution.pk}-v1-proposal.pdf"'
    body = str(detail) + str(versions)
    for leak in (solution.team.name, solution.team.captain.full_name, solution.team.lead_unit.name):
        assert leak not in body
    # The organizer of the same round still sees everything.
    api_client.force_authenticate(world["users"]["organizer"])
    assert api_client.get(reverse("submissions-api:solution-detail", kwargs={"pk": solution.pk})).json()["team"]


def test_publisher_and_judge_see_only_final_version(api_client, clock, world, captain):
    solution = world["solution"]
    services.solution_version_create(actor=captain, solution=solution, title="草稿2", uploads=full_files())
    clock(AFTER)
    api_client.force_authenticate(world["users"]["publisher_after"])
    versions = api_client.get(reverse("submissions-api:solution-versions", kwargs={"pk": solution.pk})).json()
    assert [v["number"] for v in versions["results"]] == [1]
    draft_file = solution.versions.get(number=2).files.first()
    response = api_client.get(reverse("submissions-api:file-download", kwargs={"pk": draft_file.pk}))
    assert response.status_code == 404
    api_client.force_authenticate(captain)
    versions = api_client.get(reverse("submissions-api:solution-versions", kwargs={"pk": solution.pk})).json()
    assert [v["number"] for v in versions["results"]] == [1, 2]


def test_inactive_assignment_hides_solution(api_client, clock, world):
    from judging.models import JudgeAssignment

    JudgeAssignment.objects.filter(judge=world["users"]["judge_assigned"]).update(active=False)
    clock(AFTER)
    api_client.force_authenticate(world["users"]["judge_assigned"])
    response = api_client.get(reverse("submissions-api:solution-detail", kwargs={"pk": world["solution"].pk}))
    assert response.status_code == 404


def test_organization_conflict_hides_solution(api_client, clock, world):
    judge = UserFactory()
    solution = world["solution"]
    JudgeAssignmentFactory(round=solution.receipts.first().round, solution=solution, judge=judge)
    ConflictOfInterest.objects.create(
        contest=solution.contest, judge=judge, organization=solution.team.lead_unit, source=ConflictSource.AUTOMATIC
    )
    clock(AFTER)
    api_client.force_authenticate(judge)
    response = api_client.get(reverse("submissions-api:solution-detail", kwargs={"pk": solution.pk}))
    assert response.status_code == 404


@pytest.mark.parametrize("role", [*ROLES, "superuser"])
def test_single_solution_rule_agrees_with_the_list_rule(clock, world, role):
    """`solution_get_for_user` checks one row in Python; it must say what the list query says."""
    from django.contrib.auth.models import AnonymousUser

    from submissions.models import Solution
    from submissions.selectors import solution_list_for_user, solution_visible_to

    clock(BEFORE if role == "publisher_before" else AFTER)
    user = UserFactory(is_superuser=True) if role == "superuser" else world["users"][role]
    user = user or AnonymousUser()
    listed = set(solution_list_for_user(user).values_list("pk", flat=True))
    for solution in Solution.objects.all():
        assert solution_visible_to(user, solution) == (solution.pk in listed), (role, solution.title)
    assert listed or role not in SEES_SOLUTION  # the comparison is not vacuous for those who see


@pytest.mark.parametrize("role", [*ROLES, "superuser"])
def test_selector_read_agrees_with_the_list_rule(clock, world, role):
    """`solution_get_for_user` reads the viewer's team role with the row; visibility through it
    must still say what the list query says, for every role."""
    from django.contrib.auth.models import AnonymousUser
    from django.http import Http404

    from submissions.models import Solution
    from submissions.selectors import solution_get_for_user, solution_list_for_user

    clock(BEFORE if role == "publisher_before" else AFTER)
    user = UserFactory(is_superuser=True) if role == "superuser" else world["users"][role]
    user = user or AnonymousUser()
    listed = set(solution_list_for_user(user).values_list("pk", flat=True))
    for pk in Solution.objects.values_list("pk", flat=True):
        try:
            solution_get_for_user(user, pk)
            seen = True
        except Http404:
            seen = False
        assert seen == (pk in listed), (role, pk)


def test_team_role_read_with_the_row_answers_only_for_its_reader(clock, world, captain):
    """The role remembered on the instance is the reader's: another user asking about the same
    instance gets their own answer from the database."""
    from submissions import permissions
    from submissions.selectors import solution_get_for_user

    clock(AFTER)
    solution = world["solution"]
    read = solution_get_for_user(captain, solution.pk)
    assert permissions.can_submit_solution(captain, read)
    stranger = UserFactory()
    assert not permissions.can_upload_version(stranger, read)
    assert not permissions.can_submit_solution(stranger, read)
