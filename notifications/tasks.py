"""Celery tasks of the outbox. Thin: they take ids and delegate to `delivery` / `reminders`.

All three are idempotent (sent rows are skipped; the sweep and reminders de-duplicate on
keys), so `acks_late` with reject-on-worker-lost is safe: a task whose worker died is run
again and does only what is still missing.
"""

import logging
from datetime import timedelta

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.db import OperationalError

from .delivery import notifications_deliver, outbox_sweep

logger = logging.getLogger(__name__)

_COMMON = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "ignore_result": True,
    # A lost database connection fails the whole batch; a later run skips the rows already sent.
    "autoretry_for": (OperationalError,),
    "retry_backoff": 5,
    "retry_backoff_max": 600,
    "retry_jitter": True,
}


def _backoff(retries: int) -> int:
    return min(600, 15 * 2**retries)


@shared_task(
    bind=True, name="notifications.send_notifications", max_retries=6, soft_time_limit=120, time_limit=150, **_COMMON
)
def send_notifications_task(self, *, notification_ids: list[int]) -> int:
    """Send the given e-mail notices that are still unsent; retry the ones that failed transiently.

    Idempotent: rows already sent, or being sent by another worker, are skipped.
    """
    report = notifications_deliver(notification_ids=notification_ids)
    # Eager mode (the embedded default, no broker) has no countdown to wait on: leave the
    # failed rows to the sweep rather than retrying in a loop inside the request.
    if report.failed and not self.request.is_eager and self.request.retries < self.max_retries:
        # Only the failed ids go round again; the countdown stays below the broker's visibility timeout.
        raise self.retry(kwargs={"notification_ids": report.failed}, countdown=_backoff(self.request.retries))
    if report.failed:
        logger.error("Giving up on notices %s for now; the sweep will try again", report.failed)
    return len(report.sent)


@shared_task(bind=True, name="notifications.sweep_unsent", max_retries=3, soft_time_limit=50, time_limit=60, **_COMMON)
def sweep_unsent_task(self, *, older_than_seconds: float | None = None) -> int:
    """Beat (every minute): re-enqueue e-mail notices unsent after NOTIFICATIONS_RESEND_AFTER_MINUTES."""
    if older_than_seconds is None:
        older_than_seconds = settings.NOTIFICATIONS_RESEND_AFTER_MINUTES * 60
    return len(outbox_sweep(older_than=timedelta(seconds=older_than_seconds)))


@shared_task(
    bind=True, name="notifications.send_reminders", max_retries=3, soft_time_limit=240, time_limit=300, **_COMMON
)
def send_reminders_task(self) -> int:
    """Beat (every 5 minutes): deadline reminders; each is created once per person and deadline."""
    from .reminders import reminders_send  # the apps register reminders after the task module loads

    return reminders_send()


def broker_eviction_problem(client) -> str | None:
    """Why the broker Redis may lose tasks (an evicting memory policy), or None if it is safe."""
    policy = client.config_get("maxmemory-policy").get("maxmemory-policy", "")
    if policy and policy != "noeviction":
        return f"broker Redis has maxmemory-policy={policy}; set noeviction or queued tasks may be evicted"
    return None


@worker_ready.connect
def _check_broker_eviction_policy(sender=None, **_kwargs) -> None:
    """Say loudly at worker start when the broker Redis may evict queued tasks (see README)."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return
    try:
        import redis  # only with a Redis broker; the embedded set-up has none

        problem = broker_eviction_problem(redis.Redis.from_url(url, socket_connect_timeout=2))
    except Exception as exc:  # CONFIG may be disabled on managed Redis: nothing to check then
        logger.info("Could not read the broker's maxmemory-policy: %s", exc)
        return
    if problem:
        logger.error(problem)
