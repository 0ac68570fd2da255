"""Celery tasks of the contest app: thin, idempotent, delegating to the audit module."""

import contextlib

from celery import shared_task
from django.core.cache import cache
from django.db import OperationalError

from . import audit


@shared_task(
    name="contest.chain_audit", acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5
)
def chain_audit_task() -> int:
    """Chain every committed, unchained audit event. Idempotent: a second run chains nothing."""
    # Cleared before reading, so an event committed from now on queues its own task.
    with contextlib.suppress(Exception):
        cache.delete(audit.CHAIN_SCHEDULED_KEY)
    return audit.audit_chain_pending()
