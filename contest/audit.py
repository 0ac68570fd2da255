"""Hash-chained audit trail.

Every service that changes state calls `audit_record` inside its transaction. Each event's
hash covers its content and the previous event's hash, so editing or deleting any row breaks
the chain, which `audit_verify` (and `manage.py verify_audit`) reports.
"""

import hashlib
import json
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from .models import AuditEvent, AuditHead

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
    """Append one event to the chain.

    Must run inside the caller's transaction; locks the single AuditHead row until commit
    (last lock taken by any service, so the chain stays linear without long waits).
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    before, after = _normalise(before), _normalise(after)
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    with transaction.atomic():
        head = AuditHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            head, _ = AuditHead.objects.get_or_create(pk=1, defaults={"last_hash": GENESIS})
            head = AuditHead.objects.select_for_update().get(pk=1)
        created_at = timezone.now()
        digest = _event_hash(
            prev_hash=head.last_hash,
            created_at=created_at,
            actor_id=actor_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            before=before,
            after=after,
        )
        event = AuditEvent.objects.create(
            created_at=created_at,
            actor_id=actor_id,
            actor_label=str(actor) if actor_id else "system",
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            before=before,
            after=after,
            prev_hash=head.last_hash,
            hash=digest,
        )
        AuditHead.objects.filter(pk=1).update(last_hash=digest, count=head.count + 1)
    return event


@dataclass
class AuditReport:
    checked: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def audit_verify() -> AuditReport:
    """Recompute the chain; report edited, inserted or deleted events."""
    problems = []
    prev = GENESIS
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        checked += 1
        if event.prev_hash != prev:
            problems.append(f"event {event.id}: previous hash does not match (a row before it was changed or deleted)")
        expected = _event_hash(
            prev_hash=event.prev_hash,
            created_at=event.created_at,
            actor_id=event.actor_id,
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            before=event.before,
            after=event.after,
        )
        if expected != event.hash:
            problems.append(f"event {event.id}: content does not match its hash (the row was edited)")
        prev = event.hash
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.last_hash != prev or head.count != checked):
        problems.append("the chain's head does not match its last event (events were deleted or added)")
    return AuditReport(checked=checked, problems=problems)
