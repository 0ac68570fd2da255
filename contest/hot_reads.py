"""Reads that every API request of the deadline rush runs, as explicit SQL.

Building and compiling a queryset costs about 0.8–1.0 ms of CPU per statement on a two-core
server; sending a statement and building its row costs about a tenth of that
(bench/bench_deadline_rush.py, bench/RESULTS.md). Each function here runs one fixed statement
through `connection.cursor()` and builds the model instance with `Model.from_db`, each value
through its field (`python_value`). Each must equal the ORM query named in its docstring;
tests/contest/test_hot_reads.py compares both on the same data (SQLite, and PostgreSQL with
DATABASE_URL). The submissions app's reads are in submissions/hot_reads.py (contest must not
import submissions), built with the helpers here.

The columns are the models' own (`_meta`), so a migration that adds a column adds it here.
"""

import datetime as dt
from decimal import Decimal

from django.db import connections, models, router
from django.utils import timezone
from rest_framework.authtoken.models import Token

from .models import Round, User


def columns(model) -> list:
    """The model's fields that have a column, in the model's order."""
    return [f for f in model._meta.get_fields() if f.concrete and not f.many_to_many]


def column_list(model, fields: list) -> str:
    table = model._meta.db_table
    return ", ".join(f'"{table}"."{f.column}"' for f in fields)


def python_value(field, value, connection):
    """A column's value as the ORM hands it over: the field's `from_db_value` (JSON) or
    `to_python`; datetimes read as UTC and decimals at the column's scale, as Django's backends
    read them (SQLite returns both as text or floats)."""
    if value is None:
        return None
    if hasattr(field, "from_db_value"):  # JSON: text from both backends
        return value if not isinstance(value, str | bytes) else field.from_db_value(value, None, connection)
    value = field.to_python(value)
    if isinstance(field, models.DateTimeField) and timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    elif isinstance(field, models.DecimalField):
        value = value.quantize(Decimal(1).scaleb(-field.decimal_places))
    return value


def instance(model, using: str, fields: list, values) -> models.Model:
    """A stored row as the ORM builds it (`Model.from_db`)."""
    connection = connections[using]
    return model.from_db(
        using,
        [f.attname for f in fields],
        [python_value(f, v, connection) for f, v in zip(fields, values, strict=True)],
    )


_USER_FIELDS = columns(User)
_TOKEN_CREATED = Token._meta.get_field("created")
_USER_TABLE, _TOKEN_TABLE = User._meta.db_table, Token._meta.db_table
_USER_COLUMNS = column_list(User, _USER_FIELDS)
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
    user = instance(User, using, _USER_FIELDS, values)
    user.token_created = python_value(_TOKEN_CREATED, created, connections[using])
    return user


_ROUND_FIELDS = columns(Round)
_ROUND = Round._meta.db_table
_FIRST_ROUND_SQL = (
    f'SELECT {column_list(Round, _ROUND_FIELDS)} FROM "{_ROUND}" '  # noqa: S608  # nosec B608
    f'WHERE "{_ROUND}"."contest_id" = %s ORDER BY "{_ROUND}"."sequence" ASC LIMIT 1'
)


def first_round(contest_id: int) -> Round | None:
    """Equals `Round.objects.filter(contest_id=contest_id).order_by("sequence").first()`."""
    using = router.db_for_read(Round)
    with connections[using].cursor() as cursor:
        cursor.execute(_FIRST_ROUND_SQL, [contest_id])
        row = cursor.fetchone()
    return instance(Round, using, _ROUND_FIELDS, row) if row is not None else None
