"""Sending e-mail notices from the outbox, and the sweep that re-enqueues stragglers.

Delivery guarantee
------------------
A notice is *delivered* when the e-mail backend has accepted it (the file written, the SMTP
server's final 250). Each notice is sent in its own short transaction:

    BEGIN; UPDATE sent_at, attempts WHERE id = (SELECT … unsent … FOR UPDATE SKIP LOCKED);
    hand the message to the backend; COMMIT

* Two workers, or a task delivered twice: the second one skips the row (locked → skipped, or
  already marked sent → filtered out), so a notice is never sent twice in the normal course.
* A crash (SIGKILL, time limit, lost database connection) before the backend accepted the
  message rolls the transaction back: the row is unsent again and the sweep re-enqueues it.
* The one in-doubt window is between the backend's acceptance and the COMMIT reaching the
  database (a few dozen microseconds of Python plus one round trip). A crash exactly there
  sends the notice a second time. We chose this *at-least-once* side deliberately: a lost
  notice (at-most-once, marking sent before sending and committing first) is worse for a
  contest than a rare duplicate, and the duplicate carries the same deterministic
  `Message-ID` (`<notice-<id>.<hash>@<domain>>`) and `X-Jiebang-Notice` header, so mail
  clients and the receiving side can recognise it. No design can close that window without a
  receiver that takes an idempotency key; the file backend used by the integration tests
  shows every other path is exactly once.

Transient errors (SMTP, socket/OS errors) are recorded on the row (`attempts`, `last_error`)
and retried by the task with exponential backoff; after `NOTIFICATIONS_MAX_ATTEMPTS` the sweep
stops picking the row up (it stays in the outbox with its last error for an operator).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import smtplib
from dataclasses import dataclass, field
from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import Channel, Notification

logger = logging.getLogger(__name__)

# Errors worth another try later. OperationalError covers a database that went away.
TRANSIENT_ERRORS = (smtplib.SMTPException, OSError, OperationalError)


@dataclass
class DeliveryReport:
    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)


def _message_domain() -> str:
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or "jiebang.invalid"


def message_id_for(notice: Notification) -> str:
    """Deterministic Message-ID: a re-sent notice carries the same id as the first copy."""
    digest = hashlib.sha256(notice.dedup_key.encode()).hexdigest()[:12]
    return f"<notice-{notice.pk}.{digest}@{_message_domain()}>"


def build_message(notice: Notification, connection=None) -> EmailMessage:
    body = notice.body
    if notice.link and notice.link not in body:
        link = notice.link if "://" in notice.link else settings.SITE_URL.rstrip("/") + "/" + notice.link.lstrip("/")
        body = f"{body.rstrip()}\n\n{link}\n"
    return EmailMessage(
        subject=notice.subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notice.email],
        connection=connection,
        headers={"Message-ID": message_id_for(notice), "X-Jiebang-Notice": str(notice.pk)},
    )


def _claim(notice_id: int) -> bool:
    """Lock the row if it is unsent and no other worker holds it, and mark it sent: one statement.

    Call inside the transaction that also sends; the row lock is held until it commits.
    """
    # SKIP LOCKED: a row another worker holds is being sent by it right now.
    free = (
        Notification.objects.select_for_update(skip_locked=True)
        .filter(pk=notice_id, channel=Channel.EMAIL, sent_at__isnull=True)
        .order_by()
        .values("pk")
    )
    marked = Notification.objects.filter(pk__in=free).update(
        sent_at=timezone.now(), attempts=F("attempts") + 1, last_error=""
    )
    return marked == 1


def _deliver_one(notice: Notification, mail) -> str:
    if not notice.email:
        # Nothing to retry: given up at once, kept with the reason for an operator.
        Notification.objects.filter(pk=notice.pk).update(
            attempts=settings.NOTIFICATIONS_MAX_ATTEMPTS, last_error="no e-mail address"
        )
        return "skipped"
    message = build_message(notice, connection=mail)
    with transaction.atomic():
        # Mark first and send last, so that after the backend accepted the message only the
        # COMMIT remains (the in-doubt window described in the module docstring).
        if not _claim(notice.pk):
            return "skipped"
        try:
            mail.send_messages([message])
        except (smtplib.SMTPException, OSError) as exc:
            # Same transaction, still valid: the error was not the database's.
            Notification.objects.filter(pk=notice.pk).update(sent_at=None, last_error=f"{type(exc).__name__}: {exc}")
            logger.warning("Notice %s not sent: %s", notice.pk, exc)
            return "failed"
    return "sent"


def notifications_deliver(*, notification_ids: list[int], connection=None) -> DeliveryReport:
    """Send the given e-mail notices that are still unsent, each in its own transaction.

    Side effects: e-mail through the configured backend; `sent_at`, `attempts`, `last_error`
    updated. Idempotent: sent rows and rows another worker holds are skipped. A database
    error propagates (the task retries the whole batch; finished rows are skipped then).
    """
    report = DeliveryReport()
    # Subject, body and address never change after creation: read them for the whole batch at
    # once, without locks; each row is then claimed (and re-checked) in its own transaction.
    notices = Notification.objects.filter(pk__in=notification_ids, channel=Channel.EMAIL, sent_at__isnull=True)
    by_id = {notice.pk: notice for notice in notices.order_by()}
    mail = connection or get_connection(fail_silently=False)
    try:
        mail.open()
    except (smtplib.SMTPException, OSError) as exc:
        # Each send below opens its own connection and records its own failure.
        logger.warning("E-mail connection failed, trying per message: %s", exc)
    try:
        for notice_id in notification_ids:
            notice = by_id.get(notice_id)
            outcome = "skipped" if notice is None else _deliver_one(notice, mail)
            getattr(report, outcome).append(notice_id)
    finally:
        with contextlib.suppress(smtplib.SMTPException, OSError):  # closing a dead connection
            mail.close()
    return report


def outbox_sweep(*, older_than: timedelta | None = None, limit: int | None = None) -> list[int]:
    """Re-enqueue e-mail notices still unsent `older_than` after creation (or after the last sweep).

    Side effects: `last_enqueued_at` set on the picked rows; send tasks enqueued on commit (in
    batches). Rows other workers are sending (locked) are skipped; rows that failed
    `NOTIFICATIONS_MAX_ATTEMPTS` times are left alone. Safe to run concurrently and repeatedly:
    sending is idempotent, and a row picked up is not picked again within `older_than`.
    """
    from .services import enqueue_send  # services → tasks → delivery: a top-level import closes the cycle

    if older_than is None:
        older_than = timedelta(minutes=settings.NOTIFICATIONS_RESEND_AFTER_MINUTES)
    limit = limit or settings.NOTIFICATIONS_SWEEP_LIMIT
    now = timezone.now()
    cutoff = now - older_than
    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(
                channel=Channel.EMAIL,
                sent_at__isnull=True,
                attempts__lt=settings.NOTIFICATIONS_MAX_ATTEMPTS,
                created_at__lte=cutoff,
            )
            .filter(Q(last_enqueued_at__isnull=True) | Q(last_enqueued_at__lte=cutoff))
            .order_by("id")
            .values_list("id", flat=True)[:limit]
        )
        if ids:
            Notification.objects.filter(id__in=ids).update(last_enqueued_at=now)
            transaction.on_commit(lambda: enqueue_send(ids))
    if ids:
        logger.info("Outbox sweep re-enqueued %d notices", len(ids))
    return ids


def notifications_retry(*, notification_ids: list[int]) -> list[int]:
    """An operator sends given-up e-mail notices again: attempts reset, enqueued on commit.

    Only unsent e-mail rows are touched; sent ones stay sent (no way to send a notice twice).
    Returns the ids enqueued.
    """
    from .services import enqueue_send  # services → tasks → delivery: a top-level import closes the cycle

    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk__in=notification_ids, channel=Channel.EMAIL, sent_at__isnull=True)
            .order_by("id")
            .values_list("id", flat=True)
        )
        Notification.objects.filter(pk__in=ids).update(attempts=0, last_enqueued_at=timezone.now())
        if ids:
            transaction.on_commit(lambda: enqueue_send(ids))
    return ids
