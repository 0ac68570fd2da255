"""Issue 16, item 5: a review has a comment for the team and a confidential comment for the
organizers (as in HotCRP); the team is shown only the first."""

import csv
import io

import pytest

from judging.models import Review
from judging.results.models import Publication
from judging.results.services.aggregation import results_aggregate

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

BASE = "/api/v1/judging"
FOR_TEAM = "建议补充试点阶段的验收指标"
CONFIDENTIAL = "该团队与发榜单位往来密切，请主办方留意"


def _submit_both_comments(api_client, world):
    api_client.force_authenticate(world.judge)
    body = {
        "scores": [{"criterion": c.pk, "value": v} for c, v in zip(world.criteria, ("8", "7.5", "15"), strict=True)],
        "team_comment": FOR_TEAM,
        "comment": CONFIDENTIAL,
    }
    response = api_client.post(f"{BASE}/my/assignments/{world.assignment.pk}/review/submit/", body, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def test_the_team_reads_the_comment_for_the_team_never_the_confidential_one(api_client, world):
    review = _submit_both_comments(api_client, world)
    results_aggregate(round_=world.round, actor=world.organizer)
    api_client.force_authenticate(world.organizer)
    assert api_client.post(f"/api/v1/rounds/{world.round.pk}/publish/", {}, format="json").status_code == 201

    api_client.force_authenticate(world.captain)
    response = api_client.get(f"/api/v1/rounds/{world.round.pk}/my-feedback/")

    assert response.status_code == 200
    assert CONFIDENTIAL not in response.content.decode()
    [mine] = response.json()
    assert mine["comments"] == [{"judge": "评委 1", "comment": FOR_TEAM}]
    # The judge's own review shows both, labelled.
    assert (review["team_comment"], review["comment"]) == (FOR_TEAM, CONFIDENTIAL)


def test_organizers_export_both_comments(api_client, world):
    _submit_both_comments(api_client, world)
    api_client.force_authenticate(world.organizer)

    response = api_client.get(f"/api/v1/rounds/{world.round.pk}/exports/reviews.csv")

    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [(r["team_comment"], r["confidential_comment"]) for r in rows] == [(FOR_TEAM, CONFIDENTIAL)]


def test_revisions_keep_both_comments(api_client, world):
    _submit_both_comments(api_client, world)
    revision = Review.objects.get(assignment=world.assignment).revisions.get()
    assert (revision.team_comment, revision.comment) == (FOR_TEAM, CONFIDENTIAL)


def test_migration_backfill_matches_what_publishing_stores(api_client, world):
    """Publications made before the feedback was stored get it from the stored results, the
    same as publishing now would (old reviews have no comment for the team)."""
    import importlib

    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    from judging.results.services.publication import build_feedback

    name = "0002_awards_revocable_review_team_comment_publication_feedback"
    migration = importlib.import_module(f"judging.migrations.{name}")
    # The models as that migration sees them (Award & co. were judging's then; they are results' now).
    apps = MigrationLoader(connection).project_state(("judging", name)).apps
    api_client.force_authenticate(world.judge)
    body = {"scores": [{"criterion": c.pk, "value": "5"} for c in world.criteria], "comment": CONFIDENTIAL}
    api_client.post(f"{BASE}/my/assignments/{world.assignment.pk}/review/submit/", body, format="json")
    results_aggregate(round_=world.round, actor=world.organizer)
    api_client.force_authenticate(world.organizer)
    api_client.post(f"/api/v1/rounds/{world.round.pk}/publish/", {}, format="json")
    publication = Publication.objects.get(round=world.round)
    expected = build_feedback(world.round)
    Publication.objects.filter(pk=publication.pk).update(feedback={})

    migration.backfill(apps, None)

    publication.refresh_from_db()
    assert publication.feedback == expected and CONFIDENTIAL not in str(publication.feedback)
