"""`insert_new_notices` writes the rows whose de-duplication key is new in one statement and
returns exactly those, saved, as `Notification.objects.create` would have stored them (SQLite
and PostgreSQL: run with DATABASE_URL for the latter)."""

import pytest
from django.utils import timezone

from notifications.models import Channel, Notification
from notifications.services import _NOTICE_COLUMNS, insert_new_notices

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

STORED = [f.attname for f in Notification._meta.concrete_fields if not f.primary_key]


def _row(key, recipient=None, **extra):
    fields = {
        "recipient": recipient,
        "email": "a@example.com",
        "kind": "member_joined",
        "channel": Channel.EMAIL,
        "subject": "主题",
        "body": "正文",
        "dedup_key": key,
    }
    return Notification(**{**fields, **extra})


def test_the_insert_names_every_stored_column_once():
    assert sorted(_NOTICE_COLUMNS) == sorted(STORED)


def test_new_keys_are_inserted_and_returned_saved_known_and_repeated_keys_skipped(zh_user, django_assert_num_queries):
    Notification.objects.create(**{f: getattr(_row("known"), f) for f in ("email", "kind", "channel", "dedup_key")})
    now = timezone.now()
    first, repeated = _row("new:1", zh_user, sent_at=now, attempts=2), _row("new:1")
    rows = [_row("known"), first, repeated, _row("new:2", language="en", link="/x/", last_error="e")]

    with django_assert_num_queries(1):
        inserted = insert_new_notices(rows)

    assert [n.dedup_key for n in inserted] == ["new:1", "new:2"]
    assert inserted[0] is first and repeated.pk is None and rows[0].pk is None
    assert all(n.pk and not n._state.adding for n in inserted)
    assert Notification.objects.filter(dedup_key__startswith="new:").count() == 2
    for row in inserted:
        stored = Notification.objects.get(pk=row.pk)
        assert {f: getattr(stored, f) for f in STORED} == {f: getattr(row, f) for f in STORED}
    assert Notification.objects.get(pk=first.pk).created_at is not None
    assert insert_new_notices([]) == []
