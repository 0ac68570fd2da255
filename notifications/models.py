from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    IN_APP = "in_app", _("In-app")


class Notification(models.Model):
    """Outbox row: created in the transaction of the event, sent by Celery after commit.

    In-app rows are delivered by being written (`sent_at` is set on creation); e-mail rows are
    sent by `notifications.tasks.send_notifications_task` and, if that never happens, picked
    up again by the sweep (`notifications.tasks.sweep_unsent_task`).
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    # For invitees without an account yet.
    email = models.EmailField(blank=True)
    kind = models.CharField(max_length=60)
    language = models.CharField(max_length=10, default="zh-hans")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    link = models.CharField(max_length=300, blank=True)
    dedup_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # When the sweep last re-enqueued this row; keeps a stopped worker from piling up tasks.
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["recipient", "channel", "read_at"]),
            models.Index(fields=["sent_at", "created_at"]),
            models.Index(
                fields=["created_at"], condition=Q(sent_at__isnull=True, channel="email"), name="notice_unsent_email"
            ),
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient_id or self.email} ({self.channel})"
