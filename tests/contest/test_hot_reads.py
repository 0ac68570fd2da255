"""Each explicit-SQL read of contest/hot_reads.py equals the ORM query its docstring names, on
the same data (SQLite; PostgreSQL when run with DATABASE_URL)."""

import datetime as dt

import pytest
from django.db.models import F
from django.utils import timezone
from rest_framework.authtoken.models import Token

from contest.hot_reads import user_by_token
from contest.models import User
from tests.factories.contest import OrganizationFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

FIELDS = [f.attname for f in User._meta.get_fields() if f.concrete and not f.many_to_many]


def _orm(key):
    return User.objects.filter(auth_token__key=key).annotate(token_created=F("auth_token__created")).first()


def test_user_by_token_equals_its_orm_query():
    plain = UserFactory(is_active=False, last_login=None)
    full = UserFactory(
        is_staff=True,
        is_superuser=True,
        last_login=timezone.now() - dt.timedelta(days=2, microseconds=7),
        organization=OrganizationFactory(),
        full_name="张三",
        verified_email="zhang@example.com",
        preferred_language="en",
    )
    UserFactory()  # a user without a token
    tokens = [Token.objects.create(user=user) for user in (plain, full)]
    Token.objects.filter(pk=tokens[1].pk).update(created=timezone.now() - dt.timedelta(hours=5, microseconds=3))

    for key in [t.key for t in tokens] + ["0" * 40]:
        hot, orm = user_by_token(key), _orm(key)
        if orm is None:
            assert hot is None
            continue
        assert {f: getattr(hot, f) for f in FIELDS} == {f: getattr(orm, f) for f in FIELDS}
        assert [type(getattr(hot, f)) for f in FIELDS] == [type(getattr(orm, f)) for f in FIELDS]
        assert hot.token_created == orm.token_created and hot.token_created.utcoffset() == dt.timedelta(0)
        assert (hot._state.adding, hot._state.db) == (orm._state.adding, orm._state.db)
        assert hot.get_deferred_fields() == orm.get_deferred_fields() == set()
