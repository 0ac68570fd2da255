"""Chaining after commit: the on-commit task, its de-duplication, a lost task and concurrent writers."""

import threading
import time
import uuid

import pytest
from django.conf import settings
from django.db import connection, connections, transaction

from contest import audit
from contest.audit import audit_chain_pending, audit_record, audit_verify
from contest.models import AuditEvent
from contest.tasks import chain_audit_task

pytestmark = [pytest.mark.django_db(transaction=True)]


def _record(n):
    audit_record(actor=None, action="system.check", object_type="test", object_id=str(n))


def test_an_event_is_chained_once_its_transaction_commits():
    with transaction.atomic():
        _record(1)
        assert AuditEvent.objects.get().seq is None  # nothing chained before the commit

    event = AuditEvent.objects.get()
    assert (event.seq, len(event.hash)) == (1, 64)
    assert audit_verify().ok


@pytest.fixture
def with_broker(settings, monkeypatch):
    """The production path: chaining goes through a queued task (tests run tasks eagerly).
    Starts with no task queued, under a key of this test's own in the shared Redis."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(audit, "_chain_covered_until", 0.0)
    monkeypatch.setattr(audit, "CHAIN_SCHEDULED_KEY", f"test:audit-chain:{uuid.uuid4().hex}")


def test_without_a_broker_the_commit_chains_in_process_without_celery(monkeypatch):
    monkeypatch.setattr(
        chain_audit_task, "apply_async", lambda **kw: pytest.fail("no eager task: it would flip Celery's flag")
    )
    with transaction.atomic():
        _record(1)
    assert AuditEvent.objects.get().seq == 1


def test_a_rolled_back_event_leaves_nothing_and_queues_nothing(monkeypatch, with_broker):
    queued = []
    monkeypatch.setattr(chain_audit_task, "apply_async", lambda **kw: queued.append(kw["countdown"]))
    with pytest.raises(RuntimeError), transaction.atomic():
        _record(1)
        raise RuntimeError

    assert (AuditEvent.objects.count(), queued) == (0, [])


def test_commits_while_a_task_is_queued_do_not_queue_another(monkeypatch, with_broker, settings):
    """One task, started AUDIT_CHAIN_DELAY_SECONDS after the first commit, chains every commit
    made before it starts; a commit after that queues the next."""
    settings.AUDIT_CHAIN_DELAY_SECONDS = 0.5
    queued = []
    monkeypatch.setattr(chain_audit_task, "apply_async", lambda **kw: queued.append(kw["countdown"]))

    for n in range(3):
        with transaction.atomic():
            _record(n)

    assert queued == [0.5]
    time.sleep(0.45)  # past the window (0.4 s): the queued task may be starting
    with transaction.atomic():
        _record(3)
    assert queued == [0.5, 0.5]
    assert chain_audit_task.apply().get() == 4  # what the queued tasks do when they start


@pytest.mark.skipif(not settings.REDIS_URL, reason="the window is shared through Redis")
def test_another_process_in_the_same_window_queues_nothing(monkeypatch, with_broker):
    queued = []
    monkeypatch.setattr(chain_audit_task, "apply_async", lambda **kw: queued.append(1))
    with transaction.atomic():
        _record(1)
    monkeypatch.setattr(audit, "_chain_covered_until", 0.0)  # what another process knows
    monkeypatch.setattr(audit, "_redis_client", None)
    with transaction.atomic():
        _record(2)
    assert queued == [1]


@pytest.mark.skipif(not settings.REDIS_URL, reason="the window is shared through Redis")
def test_the_window_key_lives_on_the_brokers_redis_not_on_redis_url(settings, monkeypatch, with_broker):
    """The key says "a task is queued on this broker": it follows CELERY_BROKER_URL even when
    REDIS_URL (here a closed port) and the cache point elsewhere."""
    import redis

    settings.CELERY_BROKER_URL = settings.REDIS_URL
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    monkeypatch.setattr(audit, "_redis_client", None)
    queued = []
    monkeypatch.setattr(chain_audit_task, "apply_async", lambda **kw: queued.append(1))
    with transaction.atomic():
        _record(1)
    assert redis.Redis.from_url(settings.CELERY_BROKER_URL).pttl(audit.CHAIN_SCHEDULED_KEY) > 0
    monkeypatch.setattr(audit, "_chain_covered_until", 0.0)  # another process
    monkeypatch.setattr(audit, "_redis_client", None)
    with transaction.atomic():
        _record(2)
    assert queued == [1]


def test_a_broker_failure_keeps_the_write_and_the_sweep_chains_it_later(monkeypatch, with_broker):
    attempts = []

    def broker_down(**kw):
        attempts.append(1)
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(chain_audit_task, "apply_async", broker_down)
    with transaction.atomic():
        _record(1)

    assert AuditEvent.objects.get().seq is None
    with transaction.atomic():
        _record(2)
    assert attempts == [1, 1]  # a failed attempt does not stop the next commit from trying
    assert chain_audit_task.apply().get() == 2  # what the beat sweep runs every minute
    assert (audit_verify().checked, audit_verify().pending) == (2, 0)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_concurrent_writers_and_chainers_give_one_gap_free_chain(monkeypatch, with_broker):
    monkeypatch.setattr(chain_audit_task, "apply_async", lambda **kw: None)  # chain only from the threads below
    writers, per_writer = 4, 25
    barrier = threading.Barrier(writers + 2)
    errors = []

    def write(w):
        try:
            barrier.wait()
            for n in range(per_writer):
                with transaction.atomic():
                    _record(f"{w}-{n}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    def chain():
        try:
            barrier.wait()
            for _ in range(20):
                audit_chain_pending()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    threads += [threading.Thread(target=chain) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    audit_chain_pending()

    assert errors == []
    report = audit_verify()
    assert (report.ok, report.checked, report.pending) == (True, writers * per_writer, 0)
    assert sorted(AuditEvent.objects.values_list("seq", flat=True)) == list(range(1, writers * per_writer + 1))
