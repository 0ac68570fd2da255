"""Celery tasks of judging results. Each takes ids, looks the rows up again and is idempotent."""

import logging

from celery import shared_task
from django.db import OperationalError

from contest.models import Round
from judging.results.models import Publication
from judging.results.services.aggregation import aggregation_status_set, results_aggregate
from judging.results.services.publication import publish_due_rounds, round_results_notify

logger = logging.getLogger(__name__)


@shared_task(
    name="judging.aggregate_round",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
    soft_time_limit=600,
    time_limit=660,
)
def aggregate_round_task(self, *, round_id: int) -> str | None:
    """Recompute the round's results from the raw scores (safe to run twice: it upserts)."""

    round_ = Round.objects.filter(pk=round_id).first()
    if round_ is None:
        logger.warning("aggregate_round_task: round %s does not exist", round_id)
        return None
    task_id = getattr(self.request, "id", None)
    aggregation_status_set(round_id=round_id, state="running", task_id=task_id)
    try:
        summary = results_aggregate(round_=round_)
    except Exception as exc:
        aggregation_status_set(round_id=round_id, state="failed", task_id=task_id, error=str(exc)[:500])
        raise
    computation_id = summary.computation_id
    aggregation_status_set(round_id=round_id, state="done", task_id=task_id, computation_id=computation_id, error="")
    return computation_id


@shared_task(
    name="judging.publish_due_rounds",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def publish_due_rounds_task() -> list[int]:
    """Beat: publish aggregated rounds whose Round.publish_at has come."""

    return publish_due_rounds()


@shared_task(
    name="judging.notify_round_results",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def notify_round_results_task(*, publication_id: int, solution_ids: list[int]) -> int:
    """Re-create the round_results notices of some teams (idempotent on dedup keys).

    Publication itself writes the notices in its own transaction; this task is only a repair
    tool (e.g. after members were added) and creates nothing for notices that already exist.
    """

    publication = Publication.objects.filter(pk=publication_id).select_related("round__contest").first()
    if publication is None:
        logger.warning("notify_round_results_task: publication %s does not exist", publication_id)
        return 0
    return round_results_notify(publication=publication, solution_ids=solution_ids)
