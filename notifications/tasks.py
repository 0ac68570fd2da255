from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .models import Notification


@shared_task(name="notifications.send_notifications", acks_late=True)
def send_notifications_task(*, notification_ids: list[int]) -> int:
    """Send the given e-mail notices that are still unsent. Idempotent: sent rows are skipped."""
    sent = 0
    for notice_id in notification_ids:
        with transaction.atomic():
            notice = (
                Notification.objects.select_for_update(skip_locked=True)
                .filter(pk=notice_id, sent_at__isnull=True)
                .first()
            )
            if notice is None:
                continue
            send_mail(notice.subject, notice.body, settings.DEFAULT_FROM_EMAIL, [notice.email])
            notice.sent_at = timezone.now()
            notice.attempts += 1
            notice.save(update_fields=["sent_at", "attempts"])
            sent += 1
    return sent
