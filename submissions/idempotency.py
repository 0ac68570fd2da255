"""Idempotency-Key support for the upload and submit endpoints.

The first successful response to a (user, key) pair is stored and replayed on retries; the
retry creates nothing. The record is inserted (and committed) *before* the work runs, so a
concurrent retry with the same key hits the unique constraint and gets
`idempotency_in_progress` instead of doing the work twice. The answer is stored in the
transaction of the work, so both commit or neither does. A failed request deletes its record,
so the client may retry it with the same key after fixing the problem. The key is bound to the
request: the same key with a different body (another version number, other files) is refused
with `idempotency_key_reused` instead of replaying an unrelated result.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Callable

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from rest_framework.response import Response

from contest import clock

from .errors import IdempotencyInProgressError, IdempotencyKeyInvalidError, IdempotencyKeyReusedError
from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"
IN_PROGRESS = 0
# A record stuck "in progress" this long (a crashed worker) no longer blocks the key.
STALE_AFTER = dt.timedelta(minutes=15)


def request_fingerprint(request) -> str:
    """A short digest of the request body: fields, and each file's name and size."""
    data = request.data
    items = []
    for name in sorted(data.keys()):
        values = data.getlist(name) if hasattr(data, "getlist") else [data[name]]
        for value in values:
            if hasattr(value, "size") and hasattr(value, "name"):
                items.append([name, "file", value.name, value.size])
            else:
                items.append([name, json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True)])
    return hashlib.sha256(json.dumps(items, ensure_ascii=False).encode()).hexdigest()[:32]


def _claim(*, user, key: str, scope: str) -> IdempotencyRecord:
    """Insert the in-progress record, committed at once. Outside a transaction (a request) the
    INSERT commits by itself; inside one (tests, or a caller's atomic block) a savepoint keeps
    that transaction usable when the key is taken."""
    fields = {"user": user, "key": key, "scope": scope, "status_code": IN_PROGRESS, "body": {}}
    if not transaction.get_connection().in_atomic_block:
        return IdempotencyRecord.objects.create(**fields)
    with transaction.atomic():
        return IdempotencyRecord.objects.create(**fields)


def run_idempotent(request, *, scope: str, handler: Callable[[], Response]) -> Response:
    """Run `handler` once per (user, Idempotency-Key); `scope` names the endpoint.

    Must be called after the body was parsed and size-checked (it reads `request.data`).
    """
    key = (request.headers.get(HEADER) or "").strip()
    if not key:
        return handler()
    scope = f"{scope} #{request_fingerprint(request)}"
    if len(key) > 100 or not key.isprintable():
        raise IdempotencyKeyInvalidError()
    user = request.user
    try:
        record = _claim(user=user, key=key, scope=scope)
    except IntegrityError:
        record = IdempotencyRecord.objects.get(user=user, key=key)
        if record.scope != scope:
            raise IdempotencyKeyReusedError(extra={"scope": record.scope}) from None
        if record.status_code == IN_PROGRESS:
            if record.created_at > clock.now() - STALE_AFTER:
                raise IdempotencyInProgressError() from None
            IdempotencyRecord.objects.filter(pk=record.pk, status_code=IN_PROGRESS).update(created_at=clock.now())
        else:
            response = Response(record.body, status=record.status_code)
            response[REPLAY_HEADER] = "true"
            return response
    try:
        # The answer is stored in the transaction of the work: no crash between the two can
        # leave work done under a key still "in progress" (a retry would do it again once stale).
        with transaction.atomic():
            response = handler()
            if 200 <= response.status_code < 300:
                body = json.loads(json.dumps(response.data, cls=DjangoJSONEncoder))
                record.status_code, record.body = response.status_code, body
                record.save(update_fields=["status_code", "body"])
    except BaseException:
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
        raise
    if not 200 <= response.status_code < 300:
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
    return response
