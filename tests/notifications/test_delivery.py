from datetime import timedelta

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.utils import timezone

from notifications.delivery import message_id_for, notifications_deliver, outbox_sweep
from notifications.models import Channel, Notification
from notifications.services import notify
from notifications.tasks import send_notifications_task, sweep_unsent_task

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


@pytest.fixture
def email_notice(zh_user):
    rows = notify(kind="member_joined", recipient=zh_user, context={"team_name": "甲"}, dedup_key="d:1")
    return next(n for n in rows if n.channel == Channel.EMAIL)


def test_deliver_sends_once_with_identifying_headers(email_notice):
    first = notifications_deliver(notification_ids=[email_notice.pk])
    second = notifications_deliver(notification_ids=[email_notice.pk])

    assert (first.sent, second.sent, second.skipped) == ([email_notice.pk], [], [email_notice.pk])
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.extra_headers["X-Jiebang-Notice"] == str(email_notice.pk)
    assert message.extra_headers["Message-ID"] == message_id_for(email_notice)
    email_notice.refresh_from_db()
    assert email_notice.sent_at is not None
    assert email_notice.attempts == 1


def test_message_id_is_deterministic(email_notice):
    assert message_id_for(email_notice) == message_id_for(Notification.objects.get(pk=email_notice.pk))
    assert message_id_for(email_notice).startswith(f"<notice-{email_notice.pk}.")


def test_deliver_ignores_missing_and_in_app_ids(zh_user, email_notice):
    in_app = Notification.objects.get(dedup_key="d:1:in_app")
    report = notifications_deliver(notification_ids=[999_999, in_app.pk])
    assert report.skipped == [999_999, in_app.pk]
    assert mail.outbox == []


def test_transient_error_is_recorded_and_the_row_stays_unsent(settings, email_notice):
    settings.EMAIL_BACKEND = "tests.notifications.backends.FailingBackend"

    report = notifications_deliver(notification_ids=[email_notice.pk])

    email_notice.refresh_from_db()
    assert report.failed == [email_notice.pk]
    assert email_notice.sent_at is None
    assert email_notice.attempts == 1
    assert email_notice.last_error.startswith("SMTPServerDisconnected")


def test_send_task_retries_failed_ids_with_backoff(settings, email_notice):
    settings.EMAIL_BACKEND = "tests.notifications.backends.FailingBackend"
    send_notifications_task.push_request(retries=0, is_eager=False)
    try:
        with pytest.raises(Retry) as retry:
            send_notifications_task.run(notification_ids=[email_notice.pk])
    finally:
        send_notifications_task.pop_request()

    assert isinstance(retry.value, Retry)
    email_notice.refresh_from_db()
    assert (email_notice.sent_at, email_notice.attempts) == (None, 1)
    assert email_notice.last_error


def test_send_task_stops_retrying_at_its_maximum(settings, email_notice):
    settings.EMAIL_BACKEND = "tests.notifications.backends.FailingBackend"
    send_notifications_task.push_request(retries=send_notifications_task.max_retries, is_eager=False)
    try:
        assert send_notifications_task.run(notification_ids=[email_notice.pk]) == 0
    finally:
        send_notifications_task.pop_request()

    email_notice.refresh_from_db()
    assert (email_notice.sent_at, email_notice.attempts) == (None, 1)


def test_send_task_in_eager_mode_leaves_failures_to_the_sweep(settings, email_notice):
    settings.EMAIL_BACKEND = "tests.notifications.backends.FailingBackend"
    assert send_notifications_task.apply(kwargs={"notification_ids": [email_notice.pk]}).get() == 0
    email_notice.refresh_from_db()
    assert (email_notice.sent_at, email_notice.attempts) == (None, 1)


def test_send_task_is_idempotent(email_notice):
    assert send_notifications_task.apply(kwargs={"notification_ids": [email_notice.pk]}).get() == 1
    assert send_notifications_task.apply(kwargs={"notification_ids": [email_notice.pk]}).get() == 0
    assert len(mail.outbox) == 1


def test_send_task_with_missing_id_does_nothing():
    assert send_notifications_task.apply(kwargs={"notification_ids": [123456]}).get() == 0


def test_sweep_resends_only_old_unsent_rows(settings, zh_user, django_capture_on_commit_callbacks):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    old, recent, sent, exhausted = (
        next(
            n
            for n in notify(kind="member_joined", recipient=zh_user, context={}, dedup_key=f"d:{i}")
            if n.channel == "email"
        )
        for i in ("old", "recent", "sent", "exhausted")
    )
    long_ago = timezone.now() - timedelta(hours=1)
    Notification.objects.filter(pk__in=[old.pk, sent.pk, exhausted.pk]).update(created_at=long_ago)
    Notification.objects.filter(pk=sent.pk).update(sent_at=long_ago)
    Notification.objects.filter(pk=exhausted.pk).update(attempts=3)

    with django_capture_on_commit_callbacks(execute=True):
        picked = outbox_sweep(older_than=timedelta(minutes=10))

    assert picked == [old.pk]
    assert [m.extra_headers["X-Jiebang-Notice"] for m in mail.outbox] == [str(old.pk)]


def test_sweep_does_not_pick_a_row_it_just_enqueued(zh_user, django_capture_on_commit_callbacks):
    rows = notify(kind="member_joined", recipient=zh_user, context={}, dedup_key="d:again")
    email_row = next(n for n in rows if n.channel == "email")
    Notification.objects.filter(pk=email_row.pk).update(created_at=timezone.now() - timedelta(hours=1))

    with django_capture_on_commit_callbacks(execute=False):
        first = outbox_sweep(older_than=timedelta(minutes=10))
        second = outbox_sweep(older_than=timedelta(minutes=10))

    assert (first, second) == ([email_row.pk], [])


def test_sweep_task_delivers_with_zero_threshold(email_notice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_unsent_task.apply(kwargs={"older_than_seconds": 0}).get() == 1
    assert len(mail.outbox) == 1


def test_a_row_without_address_is_given_up_at_once(settings, email_notice):
    Notification.objects.filter(pk=email_notice.pk).update(email="")

    report = notifications_deliver(notification_ids=[email_notice.pk])

    email_notice.refresh_from_db()
    assert report.skipped == [email_notice.pk]
    assert email_notice.attempts == settings.NOTIFICATIONS_MAX_ATTEMPTS
    assert email_notice.last_error == "no e-mail address"
    assert mail.outbox == []
