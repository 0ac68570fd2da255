"""The outbox. Other apps call `notify` inside the transaction of the event that causes it.

The rows are written in the caller's transaction (a rollback leaves none); sending is
enqueued on commit. `dedup_key` must be unique per (event, recipient): the same key never
produces a second notice.
"""

from collections.abc import Iterable

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from .models import Channel, Notification


def _render(kind: str, language: str, context: dict) -> tuple[str, str]:
    with translation.override(language):
        subject = render_to_string(f"notifications/{kind}/subject.txt", context).strip()
        body = render_to_string(f"notifications/{kind}/body.txt", context).strip()
    return subject, body


def notify(
    *,
    kind: str,
    dedup_key: str,
    context: dict,
    recipient=None,
    email: str = "",
    language: str | None = None,
    link: str = "",
    channels: Iterable[str] = (Channel.IN_APP, Channel.EMAIL),
) -> list[Notification]:
    """Create one notice per channel for one recipient (a user, or a bare e-mail address).

    Side effects: Notification rows in the current transaction; a send task per e-mail row
    enqueued on commit. Idempotent on `dedup_key`.
    """
    language = language or (recipient.preferred_language if recipient is not None else "zh-hans")
    subject, body = _render(kind, language, context)
    created = []
    for channel in channels:
        if channel == Channel.IN_APP and recipient is None:
            continue
        key = f"{dedup_key}:{channel}"
        notice, was_created = Notification.objects.get_or_create(
            dedup_key=key,
            defaults={
                "recipient": recipient,
                "email": email or (recipient.email if recipient is not None else ""),
                "kind": kind,
                "language": language,
                "channel": channel,
                "subject": subject[:300],
                "body": body,
                "link": link,
            },
        )
        if was_created:
            created.append(notice)
    email_ids = [n.id for n in created if n.channel == Channel.EMAIL]
    if email_ids:
        from .tasks import send_notifications_task

        transaction.on_commit(lambda: send_notifications_task.delay(notification_ids=email_ids))
    return created
