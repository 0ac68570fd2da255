"""Celery tasks of the contest app: thin, idempotent, delegating to the audit module."""

from celery import shared_task
from django.db import OperationalError

from . import audit


@shared_task(
    name="contest.chain_audit", acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5
)
def chain_audit_task() -> int:
    """Chain every committed, unchained audit event. Idempotent: a second run chains nothing."""
    return audit.audit_chain_pending()
