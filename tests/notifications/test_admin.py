from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from notifications.delivery import notifications_retry
from notifications.models import Notification
from notifications.services import notify
from tests.factories.contest import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


def test_retry_resets_given_up_notices_and_sends_them(settings, zh_user, django_capture_on_commit_callbacks):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    rows = notify(kind="member_joined", recipient=zh_user, context={}, dedup_key="retry:1")
    email_row = next(n for n in rows if n.channel == "email")
    in_app = next(n for n in rows if n.channel == "in_app")
    Notification.objects.filter(pk=email_row.pk).update(attempts=3, last_error="SMTPServerDisconnected")

    with django_capture_on_commit_callbacks(execute=True):
        assert notifications_retry(notification_ids=[email_row.pk, in_app.pk]) == [email_row.pk]

    email_row.refresh_from_db()
    assert email_row.sent_at is not None and email_row.attempts == 1
    assert len(mail.outbox) == 1


def test_retry_never_resends_a_sent_notice(zh_user, django_capture_on_commit_callbacks):
    rows = notify(kind="member_joined", recipient=zh_user, context={}, dedup_key="retry:2")
    email_row = next(n for n in rows if n.channel == "email")
    Notification.objects.filter(pk=email_row.pk).update(sent_at=timezone.now() - timedelta(hours=1))

    with django_capture_on_commit_callbacks(execute=True):
        assert notifications_retry(notification_ids=[email_row.pk]) == []
    assert mail.outbox == []


def test_admin_lists_and_retries(client, zh_user, django_capture_on_commit_callbacks):
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    rows = notify(kind="member_joined", recipient=zh_user, context={}, dedup_key="retry:3")
    email_row = next(n for n in rows if n.channel == "email")

    assert client.get("/admin/notifications/notification/").status_code == 200
    assert client.get(f"/admin/notifications/notification/{email_row.pk}/change/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/notifications/notification/",
            {"action": "retry_sending", "_selected_action": [email_row.pk]},
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
