"""Celery tasks of the submissions app: thin, idempotent, delegating to services."""

import logging

from celery import shared_task
from django.db import OperationalError

from contest.models import Contest

from . import services

logger = logging.getLogger(__name__)


@shared_task(
    name="submissions.end_untransferred",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def end_untransferred_task(*, contest_id: int | None = None) -> int:
    """End pending-transfer solutions whose first round's deadline has passed.

    Idempotent: a second run finds nothing pending and changes nothing.
    """
    if contest_id is not None and not Contest.objects.filter(pk=contest_id).exists():
        logger.info("end_untransferred: contest %s no longer exists", contest_id)
        return 0
    return services.solutions_end_untransferred(contest_id=contest_id)


@shared_task(
    name="submissions.expire_supplements",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def expire_supplements_task() -> int:
    """Disqualify solutions whose supplement (补正) deadline passed without a supplement. Idempotent."""
    return services.supplements_expire()


@shared_task(name="submissions.sweep_orphan_files", acks_late=True)
def sweep_orphan_files_task() -> int:
    """Remove stored files no version refers to (older than an hour). Idempotent."""
    return services.orphan_files_sweep()
