"""Two concurrent submits of one review: one wins, the other is refused, no duplicate rows.

Needs real row locks: PostgreSQL only (select_for_update is a no-op on SQLite).
"""

import threading
import time

import pytest
from django.db import connection, connections

from judging.errors import ReviewLockedError
from judging.models import Review, ReviewRevision, Score
from judging.services import scoring
from tests.judging.helpers import full_scores

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.integration,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def test_concurrent_double_submit_one_wins(world, monkeypatch):
    original = scoring._apply

    def slow_apply(**kwargs):
        # Widen the window between taking the lock and committing, so the two calls overlap.
        time.sleep(0.3)
        return original(**kwargs)

    monkeypatch.setattr(scoring, "_apply", slow_apply)
    barrier = threading.Barrier(2)
    outcomes = []
    scores = full_scores(world)

    def submit(values):
        try:
            barrier.wait()
            scoring.review_submit(judge=world.judge, assignment_id=world.assignment.pk, scores=values)
            outcomes.append("ok")
        except ReviewLockedError:
            outcomes.append("review_locked")
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcomes.append(repr(exc))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=submit, args=(scores,)),
        threading.Thread(target=submit, args=(full_scores(world, ("9", "9", "19")),)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["ok", "review_locked"]
    assert Review.objects.count() == 1
    review = Review.objects.get()
    assert review.status == "submitted"
    assert Score.objects.filter(review=review).count() == 3
    assert ReviewRevision.objects.filter(review=review).count() == 1


def test_rubric_edit_racing_the_first_score_finds_it_frozen(world, monkeypatch):
    from decimal import Decimal

    from judging.errors import RubricFrozenError
    from judging.services.rubrics import criterion_update

    original = scoring._apply
    started = threading.Event()

    def slow_apply(**kwargs):
        started.set()
        time.sleep(0.5)
        return original(**kwargs)

    monkeypatch.setattr(scoring, "_apply", slow_apply)
    outcomes = {}

    def score():
        try:
            scoring.review_save_draft(judge=world.judge, assignment_id=world.assignment.pk, scores=full_scores(world))
            outcomes["score"] = "ok"
        finally:
            connections.close_all()

    def edit():
        try:
            started.wait(10)
            criterion_update(actor=world.organizer, criterion=world.criteria[0], max_score=Decimal("5"))
            outcomes["edit"] = "ok"
        except RubricFrozenError:
            outcomes["edit"] = "rubric_frozen"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=score), threading.Thread(target=edit)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert outcomes == {"score": "ok", "edit": "rubric_frozen"}
    world.criteria[0].refresh_from_db()
    assert world.criteria[0].max_score == Decimal("10")
