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
