"""Faults: a round closed while judges are scoring, and every Celery task run twice.

(The PostgreSQL crash during uploads lives in test_fault_postgres_crash.py.)
"""

import datetime as dt
import threading
import time

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from config.celery import app as celery_app
from contest.enums import Role
from contest.models import AuditEvent, Round
from judging.models import JudgeAssignment, JudgePoolMember
from notifications.models import Notification
from tests.factories.contest import ContestRoleFactory

from .world import build_world, db_snapshot, snapshot_diff

OUR_APPS = ("contest", "submissions", "judging", "notifications")


# --- (b) a round closed while judges are submitting ----------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_no_score_is_accepted_after_the_round_closes():
    from rest_framework.authtoken.models import Token

    world = build_world()
    round_ = world.round2
    judges = []
    for i in range(8):
        judge = ContestRoleFactory(contest=world.contest, role=Role.JUDGE, user__username=f"race-judge-{i}").user
        JudgePoolMember.objects.create(round=round_, judge=judge)
        assignment = JudgeAssignment.objects.create(
            round=round_, solution=world.sol_a if i % 2 else world.sol_b, judge=judge
        )
        judges.append((Token.objects.create(user=judge).key, assignment.pk))
    organizer_token = Token.objects.create(user=world.users["organizer"]).key
    criteria = list(world.rubric.criteria.values_list("pk", flat=True))
    stop = threading.Event()
    accepted_after_close = []
    closed_at = {}
    errors = []

    def score(token, assignment_id, n):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        url = f"/api/v1/judging/my/assignments/{assignment_id}/review/"
        try:
            i = 0
            while not stop.is_set() and i < 2000:
                i += 1
                started = time.monotonic()
                body = {"scores": [{"criterion": c, "value": str(10 + (i % 30))} for c in criteria]}
                response = client.put(url, body, format="json")
                if response.status_code >= 500:
                    errors.append(response.status_code)
                if response.status_code == 200 and "done" in closed_at and started > closed_at["done"]:
                    accepted_after_close.append((assignment_id, i))
        except Exception as exc:  # reported by the assertion below
            errors.append(repr(exc))
        finally:
            connection.close()

    def close():
        try:
            time.sleep(0.5)
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Token {organizer_token}")
            response = client.post(f"/api/v1/judging/rounds/{round_.pk}/close-judging/")
            closed_at["done"] = time.monotonic()
            closed_at["status"] = response.status_code
            closed_at["body"] = response.content[:500]
            time.sleep(0.7)
        except Exception as exc:  # reported by the assertion below
            closed_at["error"] = repr(exc)
        finally:
            stop.set()
            connection.close()

    threads = [threading.Thread(target=score, args=(t, a, n)) for n, (t, a) in enumerate(judges)]
    threads.append(threading.Thread(target=close))
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)

    assert closed_at.get("status") == 200, closed_at
    assert not errors, errors
    assert accepted_after_close == []
    # The audit chain is appended under a lock, so its order is the commit order: no score
    # event may follow the close.
    close_event = AuditEvent.objects.get(action="judging.round_judging_closed", object_id=str(round_.pk))
    late = AuditEvent.objects.filter(pk__gt=close_event.pk, action__startswith="judging.review_")
    assert list(late.values_list("action", "object_id")) == []
    assert AuditEvent.objects.filter(pk__lt=close_event.pk, action="judging.review_draft_saved").exists()
    round_.refresh_from_db()
    assert round_.judging_closes_at <= close_event.created_at


# --- (c) every Celery task of our apps, run twice, leaves the same database ----------------


def _task_kwargs(world):
    now = timezone.now()
    Round.objects.filter(pk=world.round2.pk).update(publish_at=now - dt.timedelta(minutes=5))
    email_ids = list(Notification.objects.filter(channel="email").values_list("pk", flat=True))
    return {
        "contest.chain_audit": {},
        "judging.aggregate_round": {"round_id": world.round2.pk},
        "judging.notify_round_results": {
            "publication_id": world.publication.pk,
            "solution_ids": [world.sol_a.pk, world.sol_b.pk],
        },
        "judging.publish_due_rounds": {},
        "notifications.send_notifications": {"notification_ids": email_ids},
        "notifications.send_reminders": {},
        "notifications.sweep_unsent": {"older_than_seconds": 0},
        "submissions.end_untransferred": {},
        "submissions.expire_supplements": {},
        "submissions.sweep_orphan_files": {},
    }


def _our_tasks():
    celery_app.loader.import_default_modules()
    return sorted(name for name in celery_app.tasks if name.split(".")[0] in OUR_APPS)


@pytest.mark.django_db
def test_every_task_of_our_apps_has_idempotency_coverage(world):
    """A new task fails here until it gets valid arguments in _task_kwargs (and so a twice-run test)."""
    assert sorted(_task_kwargs(world)) == _our_tasks()


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("name", _our_tasks())
def test_task_run_twice_leaves_the_same_database(world, django_capture_on_commit_callbacks, name, mailoutbox):
    kwargs = _task_kwargs(world)[name]
    task = celery_app.tasks[name]
    with django_capture_on_commit_callbacks(execute=True):
        task.apply(kwargs=kwargs).get()
    after_first = db_snapshot()
    mails = len(mailoutbox)
    with django_capture_on_commit_callbacks(execute=True):
        task.apply(kwargs=kwargs).get()
    assert snapshot_diff(after_first, db_snapshot()) == []
    assert len(mailoutbox) == mails


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["judging.aggregate_round", "judging.notify_round_results"])
def test_task_with_a_missing_id_does_nothing(world, name):
    kwargs = {"round_id": 10**9} if name == "judging.aggregate_round" else {"publication_id": 10**9, "solution_ids": []}
    before = db_snapshot()
    celery_app.tasks[name].apply(kwargs=kwargs).get()
    assert snapshot_diff(before, db_snapshot()) == []
