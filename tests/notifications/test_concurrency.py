"""Two workers sending the same batch at once (PostgreSQL: SELECT … FOR UPDATE SKIP LOCKED)."""

import threading

import pytest
from django.core import mail
from django.db import connection, connections

from notifications.delivery import notifications_deliver
from notifications.models import Channel, Notification
from tests.factories.contest import UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.unit]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_workers_on_the_same_batch_send_each_notice_once():
    users = UserFactory.create_batch(40)
    Notification.objects.bulk_create(
        Notification(
            recipient=u, email=u.email, kind="member_joined", channel=Channel.EMAIL, subject="s", body="b",
            dedup_key=f"race:{u.pk}:email",
        )
        for u in users
    )  # fmt: skip
    ids = list(Notification.objects.values_list("id", flat=True))
    reports = []
    start = threading.Barrier(2)

    def worker(order):
        try:
            start.wait()
            reports.append(notifications_deliver(notification_ids=order))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(o,)) for o in (ids, list(reversed(ids)))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    sent = [nid for report in reports for nid in report.sent]
    assert sorted(sent) == sorted(ids)
    assert sorted(int(m.extra_headers["X-Jiebang-Notice"]) for m in mail.outbox) == sorted(ids)
    assert not Notification.objects.filter(sent_at__isnull=True).exists()
