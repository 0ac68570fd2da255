"""List endpoints keep a constant number of queries: 1 row and 3 rows cost the same."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from submissions import services
from tests.factories.contest import ScenarioFactory, UserFactory
from tests.factories.submissions import TeamFactory, TeamMembershipFactory

from .conftest import AFTER, PNG, full_files, pdf, upload

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


def _count(client, url):
    client.get(url)  # warm the per-user role cache, as any earlier request in a session would
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.json()


def _submitted_solution(contest, track):
    team = TeamFactory(contest=contest)
    solution = services.solution_create(
        actor=team.captain, team=team, scenario=ScenarioFactory(track=track), title="方案"
    )
    services.solution_version_create(actor=team.captain, solution=solution, title="T", uploads=full_files())
    services.solution_submit(actor=team.captain, solution=solution, version_number=1)
    return solution


@pytest.mark.parametrize("viewer", ["organizer", "publisher"])
def test_solution_list_constant(api_client, clock, round1, contest, track, organizer, publisher, publisher_org, viewer):
    user = organizer if viewer == "organizer" else publisher

    def add():
        solution = _submitted_solution(contest, track)
        solution.scenario.publisher = publisher_org
        solution.scenario.save()

    add()
    clock(AFTER)
    api_client.force_authenticate(user)
    url = reverse("submissions-api:solution-list")
    one, body = _count(api_client, url)
    assert body["count"] == 1
    clock(round1.submission_opens_at)
    add()
    add()
    clock(AFTER)
    three, body = _count(api_client, url)
    assert body["count"] == 3
    assert one == three


def test_version_and_receipt_lists_constant(api_client, clock, solution, captain):
    api_client.force_authenticate(captain)
    services.solution_version_create(actor=captain, solution=solution, title="T", uploads=full_files())
    services.solution_submit(actor=captain, solution=solution, version_number=1)
    versions_url = reverse("submissions-api:solution-versions", kwargs={"pk": solution.pk})
    receipts_url = reverse("submissions-api:solution-receipts", kwargs={"pk": solution.pk})
    one_v, _ = _count(api_client, versions_url)
    one_r, _ = _count(api_client, receipts_url)
    for number in (2, 3):
        services.solution_version_create(actor=captain, solution=solution, title="T", uploads=full_files())
        services.solution_submit(actor=captain, solution=solution, version_number=number)
    three_v, body = _count(api_client, versions_url)
    assert len(body["results"]) == 3
    three_r, body = _count(api_client, receipts_url)
    assert len(body["results"]) == 3
    assert (one_v, one_r) == (three_v, three_r)


def test_team_member_and_invitation_lists_constant(api_client, contest, organizer):
    team = TeamFactory(contest=contest)
    api_client.force_authenticate(organizer)
    teams_url = reverse("submissions-api:team-list")
    members_url = reverse("submissions-api:team-members", kwargs={"pk": team.pk})
    invitations_url = reverse("submissions-api:team-invitations", kwargs={"pk": team.pk})
    services.invitation_create(actor=team.captain, team=team, email="a@example.com")
    counts_one = [_count(api_client, u)[0] for u in (teams_url, members_url, invitations_url)]
    TeamFactory(contest=contest)
    TeamFactory(contest=contest)
    services.invitation_create(actor=team.captain, team=team, email="b@example.com")
    services.invitation_create(actor=team.captain, team=team, email="c@example.com")
    TeamMembershipFactory(team=team)
    TeamMembershipFactory(team=team, user=UserFactory())
    counts_three = [_count(api_client, u)[0] for u in (teams_url, members_url, invitations_url)]
    assert counts_one == counts_three


def _statements(ctx):
    return [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]


def test_deadline_upload_and_submit_run_a_pinned_number_of_statements(api_client, clock, solution, captain):
    """The two requests every team sends at the deadline (bench/bench_deadline_rush.py), as a
    client sends them: token, Idempotency-Key. Pinned so a new query on this path is a choice.

    Upload (11, BEGIN and COMMIT not counted): limit with the first round's row, token, the
    solution with the viewer's team role (visibility and permission need nothing more),
    idempotency claim, the round; under the lock: solution (the round read before is kept while
    the solution stays in the first round), counter, version, files, audit; the stored answer.
    The response lists the files just written without reading them back.
    Submit (14): token, solution with role, claim; under the locks: team, solution, round,
    the version with its kinds, solution, round entry, receipt, audit, members, the notices
    (new keys only, their ids returned by the same statement); the stored answer.
    """
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=captain)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    body = {"proposal": upload("方案书.pdf", pdf()), "commitment": upload("承诺书.png", PNG, "image/png")}
    versions_url = reverse("submissions-api:solution-versions", kwargs={"pk": solution.pk})
    with CaptureQueriesContext(connection) as uploaded:
        response = api_client.post(versions_url, body, format="multipart", HTTP_IDEMPOTENCY_KEY="u-1")
    assert response.status_code == 201, response.content
    assert sorted(f["kind"] for f in response.json()["files"]) == ["commitment", "proposal"]
    submit_url = reverse("submissions-api:solution-submit", kwargs={"pk": solution.pk})
    with CaptureQueriesContext(connection) as submitted:
        response = api_client.post(submit_url, {"version": 1}, format="json", HTTP_IDEMPOTENCY_KEY="s-1")
    assert response.status_code == 201, response.content
    assert (len(_statements(uploaded)), len(_statements(submitted))) == (11, 14), "\n".join(
        _statements(uploaded) + ["--"] + _statements(submitted)
    )
