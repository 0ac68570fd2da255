"""Hash-chained audit trail.

Every service that changes state calls `audit_record` inside its transaction; the event is
written unchained. After commit, `audit_chain_pending` (a Celery task queued on commit, and a
beat sweep every minute) gives each committed event its position and a hash covering its
content and the previous event's hash, so editing or deleting any chained row breaks the
chain, which `audit_verify` (and `manage.py verify_audit`) reports. An event is unprotected
only between its commit and its chaining, normally about a second
(`AUDIT_CHAIN_DELAY_SECONDS`).
"""

import contextlib
import datetime as dt
import hashlib
import json
import logging
import threading
from dataclasses import dataclass
from time import monotonic

import redis
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from .models import AuditEvent, AuditHead

logger = logging.getLogger(__name__)

GENESIS = "0" * 64


def _normalise(data) -> dict:
    return json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder, sort_keys=True))


def _event_hash(*, prev_hash, created_at, actor_id, action, object_type, object_id, before, after) -> str:
    payload = json.dumps(
        [prev_hash, created_at.isoformat(), actor_id, action, object_type, str(object_id), before, after],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def audit_record(*, actor, action: str, obj=None, object_type: str = "", object_id="", before=None, after=None):
    """Append one event, unchained, inside the caller's transaction.

    The event is linked into the hash chain after commit by `audit_chain_pending` (scheduled
    on commit, and swept every minute). Chaining in the request would lock the chain's head
    row from the first audited write until commit, which queued every writer of the whole
    system behind each other (the deadline rush benchmark measured it). The chain's order is
    the order in which events were chained, that is commit order.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    event = AuditEvent.objects.create(
        created_at=timezone.now(),
        actor_id=actor_id,
        actor_label=str(actor) if actor_id else "system",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=_normalise(before),
        after=_normalise(after),
    )
    transaction.on_commit(schedule_chaining, robust=True)
    return event


CHAIN_BATCH = 1000

# When this process's last queued chaining task starts, less a margin (time.monotonic): a
# commit before then is chained by that task, so it need not ask anyone.
_chain_covered_until = 0.0
_chain_lock = threading.Lock()
# Across processes, the first commit of a window sets this key (expiring before the task it
# queued starts); later commits of the window see it and queue nothing. It lives on the
# broker's Redis: it says "a task is queued on this broker", so it shares the queue's fate
# (a flushed or restarted broker loses both); on an evicting cache it could outlive the task.
CHAIN_SCHEDULED_KEY = "audit:chain-scheduled"
_redis_client = None
_redis_client_url = None


def _first_in_window(ttl_seconds: float) -> bool:
    """True unless another process already queued the task for this window. One Redis round
    trip on a client kept for the process: Django's Redis cache builds a client per call, which
    cost more CPU than the chaining at the deadline (bench/bench_deadline_rush.py)."""
    global _redis_client, _redis_client_url
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return True  # another broker: each process queues at most one task per window
    try:
        if _redis_client is None or _redis_client_url != url:
            _redis_client, _redis_client_url = redis.Redis.from_url(url, socket_timeout=1), url
        return bool(_redis_client.set(CHAIN_SCHEDULED_KEY, 1, nx=True, px=max(int(ttl_seconds * 1000), 1)))
    except redis.RedisError:  # Redis down: queue anyway, an extra task finds little to do
        return True


def schedule_chaining() -> None:
    """Queue a chaining task unless one already queued will start after this commit; never
    fails the request."""
    from .tasks import chain_audit_task  # tasks import audit (they chain its events): a cycle

    global _chain_covered_until
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # No broker (the embedded default, tests): chain right here. Not through an eager
        # `delay()`: Celery guards eager calls with a process-wide flag that threads committing
        # at once can leave set, after which every `result.get()` in the process fails.
        try:
            audit_chain_pending()
        except Exception:  # the write is committed; never fail it now (its files would be removed)
            logger.exception("audit: chaining after commit failed; the minute sweep will chain")
        return
    delay = settings.AUDIT_CHAIN_DELAY_SECONDS
    # A fifth of the delay as margin: the task starts on the worker's clock.
    window = delay * 0.8
    with _chain_lock:
        now = monotonic()
        if now < _chain_covered_until:
            return
        if not _first_in_window(window):
            return
        _chain_covered_until = now + window
    try:
        # Started a moment later, one task chains what every commit of that moment wrote,
        # instead of one task per commit at the deadline.
        chain_audit_task.apply_async(countdown=delay)
    except Exception:  # broker down: the beat sweep chains the events later
        logger.exception("audit: could not queue the chaining task; the minute sweep will chain")
        with _chain_lock:
            _chain_covered_until = 0.0  # the next commit tries again
        if _redis_client is not None:
            with contextlib.suppress(redis.RedisError):
                _redis_client.delete(CHAIN_SCHEDULED_KEY)


def audit_chain_pending() -> int:
    """Link every committed, unchained event into the chain, oldest first; return how many.

    Serialised by the lock on the head row (only this function takes it); each batch is its
    own short transaction.
    """
    chained = 0
    while True:
        with transaction.atomic():
            head = AuditHead.objects.select_for_update().filter(pk=1).first()
            if head is None:
                AuditHead.objects.get_or_create(pk=1, defaults={"last_hash": GENESIS})
                head = AuditHead.objects.select_for_update().get(pk=1)
            batch = list(AuditEvent.objects.filter(seq__isnull=True).order_by("id")[:CHAIN_BATCH])
            if not batch:
                return chained
            prev, position = head.last_hash, head.count
            for event in batch:
                position += 1
                event.seq = position
                event.prev_hash = prev
                event.hash = prev = _hash_of(event, prev_hash=prev)
            AuditEvent.objects.bulk_update(batch, ["seq", "prev_hash", "hash"])
            AuditHead.objects.filter(pk=1).update(last_hash=prev, count=position)
            chained += len(batch)


def _hash_of(event, *, prev_hash: str) -> str:
    return _event_hash(
        prev_hash=prev_hash,
        created_at=event.created_at,
        actor_id=event.actor_id,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        before=event.before,
        after=event.after,
    )


@dataclass
class AuditReport:
    checked: int
    problems: list[str]
    pending: int = 0  # committed, not yet chained (normally seconds old)
    oldest_pending: dt.datetime | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def audit_verify() -> AuditReport:
    """Recompute the chain in its order; report edited, inserted or deleted events.

    Pure check: it does not chain pending events (`manage.py verify_audit` does that first).
    """
    problems = []
    prev = GENESIS
    checked = 0
    for event in AuditEvent.objects.filter(seq__isnull=False).order_by("seq").iterator(chunk_size=2000):
        checked += 1
        if event.seq != checked:
            problems.append(f"event {event.id}: position {event.seq}, expected {checked} (an event was deleted)")
        if event.prev_hash != prev:
            problems.append(f"event {event.id}: previous hash does not match (a row before it was changed or deleted)")
        if _hash_of(event, prev_hash=event.prev_hash) != event.hash:
            problems.append(f"event {event.id}: content does not match its hash (the row was edited)")
        prev = event.hash
    head = AuditHead.objects.filter(pk=1).first()
    head_state = (head.last_hash, head.count) if head is not None else (GENESIS, 0)
    if head_state != (prev, checked):
        problems.append("the chain's head does not match its last event (events were deleted or added)")
    pending = AuditEvent.objects.filter(seq__isnull=True)
    oldest = pending.order_by("created_at").values_list("created_at", flat=True).first()
    return AuditReport(checked=checked, problems=problems, pending=pending.count(), oldest_pending=oldest)
