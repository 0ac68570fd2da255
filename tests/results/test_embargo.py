"""Issue 16, item 6: after publication, teams and the public see only what was published.

A re-aggregation that is not yet published again changes nothing a team or the public reads
(feedback API, solution page, leaderboard, public verification); organizers are told that the
current results differ from the publication."""

import pytest
from django.urls import reverse

from contest.enums import Role
from judging.models import Review
from judging.results.services.aggregation import results_aggregate
from judging.results.services.publication import publication_publish
from judging.services.scoring import review_void
from tests.factories.contest import ContestRoleFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


@pytest.fixture
def republishable(builder):
    """A published round whose first entry then loses its best review and is re-aggregated."""
    b = builder(aggregation_method="mean")
    b.org_user = UserFactory()
    ContestRoleFactory(user=b.org_user, contest=b.contest, role=Role.ORGANIZER)
    b.first = b.scored([90, 86, 82, 78])
    b.second = b.scored([80, 80, 80, 80])
    results_aggregate(round_=b.round)
    b.pub = publication_publish(round_=b.round, actor=b.org_user)
    best = Review.objects.get(round=b.round, solution=b.first, judge=b.judges["j0"])
    review_void(actor=b.org_user, review=best, reason="发现利益冲突")
    results_aggregate(round_=b.round, actor=b.org_user)  # now 82.00, not yet published
    return b


def test_team_feedback_api_shows_the_published_result(republishable, api_client):
    b = republishable
    api_client.force_authenticate(b.first.team.captain)

    [mine] = api_client.get(f"/api/v1/rounds/{b.round.pk}/my-feedback/").json()

    assert mine["score"] == "84.00" and mine["rank"] == 1
    assert mine["criterion_means"] == [{"criterion": "总分", "max_score": "100.00", "mean": "84.00"}]


def test_solution_page_shows_the_published_result(republishable, client):
    b = republishable
    client.force_login(b.first.team.captain)

    body = client.get(reverse("solution_detail", args=[b.first.pk])).content.decode()

    assert "84.00" in body and "82.00" not in body


def test_public_sees_neither_the_new_figures_nor_that_they_changed(republishable, api_client):
    b = republishable
    board = api_client.get(f"/api/v1/rounds/{b.round.pk}/leaderboard/").json()
    assert [r["score"] for r in board["rows"]] == ["84.00", "80.00"]

    public = api_client.get(f"/api/v1/publications/{b.pub.pk}/verify/").json()
    assert public == {"digest": b.pub.digest, "stored_table_ok": True}
    api_client.force_authenticate(b.first.team.captain)
    assert "current_results_ok" not in api_client.get(f"/api/v1/publications/{b.pub.pk}/verify/").json()


def test_organizers_are_told_the_current_results_differ(republishable, api_client, client):
    b = republishable
    api_client.force_authenticate(b.org_user)
    assert api_client.get(f"/api/v1/publications/{b.pub.pk}/verify/").json()["current_results_ok"] is False

    client.force_login(b.org_user)
    body = client.get(reverse("dashboard_results", args=[b.round.pk])).content.decode()
    assert "data-results-differ" in body


def test_no_marker_while_the_results_match_the_publication(builder, client):
    b = builder(aggregation_method="mean")
    organizer = UserFactory()
    ContestRoleFactory(user=organizer, contest=b.contest, role=Role.ORGANIZER)
    b.scored([90, 86, 82])
    results_aggregate(round_=b.round)
    publication_publish(round_=b.round, actor=organizer)
    client.force_login(organizer)

    body = client.get(reverse("dashboard_results", args=[b.round.pk])).content.decode()

    assert "data-results-differ" not in body


def test_publishing_again_shows_the_new_result(republishable, api_client):
    b = republishable
    publication_publish(round_=b.round, actor=b.org_user, supplementary=True)
    api_client.force_authenticate(b.first.team.captain)

    [mine] = api_client.get(f"/api/v1/rounds/{b.round.pk}/my-feedback/").json()

    assert mine["score"] == "82.00"


def test_repairing_the_notices_later_tells_the_published_result(republishable):
    from judging.results.tasks import notify_round_results_task
    from notifications.models import Notification

    b = republishable
    captain = b.first.team.captain
    Notification.objects.filter(kind="round_results", recipient=captain).delete()

    notify_round_results_task.run(publication_id=b.pub.pk, solution_ids=[b.first.pk])

    notices = Notification.objects.filter(kind="round_results", recipient=captain)
    bodies = " ".join(notices.values_list("body", flat=True))
    assert "84.00" in bodies and "82.00" not in bodies


def test_the_public_verification_rebuilds_nothing(republishable, api_client):
    """The public answer reads the stored table only: its cost does not grow with the round's
    results (only an organizer's answer compares them with the database)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    b = republishable
    api_client.force_authenticate(None)
    with CaptureQueriesContext(connection) as ctx:
        public = api_client.get(f"/api/v1/publications/{b.pub.pk}/verify/")
    assert public.status_code == 200 and public.json()["stored_table_ok"] is True
    assert not [q["sql"] for q in ctx.captured_queries if "judging_roundresult" in q["sql"]]
