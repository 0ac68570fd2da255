"""Reads that every API request of the deadline rush runs, as explicit SQL.

Building and compiling a queryset costs about 0.8–1.0 ms of CPU per statement on a two-core
server; sending a statement and building its row costs about a tenth of that
(bench/bench_deadline_rush.py, bench/RESULTS.md). Each function here runs one fixed statement
through `connection.cursor()` and builds the model instance with `Model.from_db`, each value
through its field's `to_python` (datetimes read as UTC, as Django's backends read them). Each
must equal the ORM query named in its docstring; tests/contest/test_hot_reads.py compares both
on the same data (SQLite, and PostgreSQL with DATABASE_URL).

The columns are the models' own (`_meta`), so a migration that adds a column adds it here.
"""

import datetime as dt

from django.db import connections, models, router
from django.utils import timezone
from rest_framework.authtoken.models import Token

from .models import User


def _concrete(model) -> list:
    return [f for f in model._meta.get_fields() if f.concrete and not f.many_to_many]


def _python(field, value):
    """A column's value as the ORM hands it over."""
    if value is None:
        return None
    value = field.to_python(value)
    if isinstance(field, models.DateTimeField) and timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)  # SQLite's text form, stored in UTC
    return value


_USER_FIELDS = _concrete(User)
_TOKEN_CREATED = Token._meta.get_field("created")
_USER_TABLE, _TOKEN_TABLE = User._meta.db_table, Token._meta.db_table
_USER_COLUMNS = ", ".join(f'"{_USER_TABLE}"."{f.column}"' for f in _USER_FIELDS)
_USER_BY_TOKEN_SQL = (
    f'SELECT {_USER_COLUMNS}, "{_TOKEN_TABLE}"."created" FROM "{_USER_TABLE}" '  # noqa: S608  # nosec B608
    f'INNER JOIN "{_TOKEN_TABLE}" ON "{_TOKEN_TABLE}"."user_id" = "{_USER_TABLE}"."id" '
    f'WHERE "{_TOKEN_TABLE}"."key" = %s LIMIT 1'
)


def user_by_token(key: str) -> User | None:
    """The token's user with the token's creation time as `token_created`, or None. Equals
    `User.objects.filter(auth_token__key=key).annotate(token_created=F("auth_token__created")).first()`.
    """
    using = router.db_for_read(User)
    with connections[using].cursor() as cursor:
        cursor.execute(_USER_BY_TOKEN_SQL, [key])
        row = cursor.fetchone()
    if row is None:
        return None
    *values, created = row
    user = User.from_db(
        using,
        [f.attname for f in _USER_FIELDS],
        [_python(f, v) for f, v in zip(_USER_FIELDS, values, strict=True)],
    )
    user.token_created = _python(_TOKEN_CREATED, created)
    return user
