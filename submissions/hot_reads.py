"""Reads that every upload and submission runs at the deadline, as explicit SQL.

Through the ORM, building and compiling these statements cost 20–35 ms of server CPU per
upload + submit on top of about 45 ms (bench/bench_deadline_rush.py, every read of the two
requests through the ORM against the same reads compiled once, same run); the throughput goal
leaves about 38 ms per pair on two cores. Each function runs one fixed statement through
`connection.cursor()` and builds the rows with `Model.from_db` (contest/hot_reads.py's helpers:
each value through its field). Each must equal the ORM query named in its docstring;
tests/submissions/test_hot_reads.py compares both on the same data (SQLite, and PostgreSQL
with DATABASE_URL). Row locks are `FOR UPDATE` on PostgreSQL and nothing on SQLite, as the ORM
writes them; like the ORM they refuse to run outside a transaction.
"""

from django.db import connections, router
from django.db.transaction import TransactionManagementError

from contest.hot_reads import column_list, columns, instance, python_value
from contest.models import Contest, Round, Scenario, User

from .models import Solution, SolutionFile, SolutionVersion, Team, TeamMembership

_SOLUTION_FIELDS, _USER_FIELDS = columns(Solution), columns(User)
_ROUND, _SOLUTION, _TEAM = Round._meta.db_table, Solution._meta.db_table, Team._meta.db_table
_MEMBERSHIP = TeamMembership._meta.db_table

_SOLUTION_WITH_ROLE_SQL = (
    f"SELECT {column_list(Solution, _SOLUTION_FIELDS)}, "  # noqa: S608  # nosec B608
    f'(SELECT U0."role" FROM "{_MEMBERSHIP}" U0 WHERE U0."team_id" = "{_SOLUTION}"."team_id" '
    f'AND U0."user_id" = %s LIMIT 1) FROM "{_SOLUTION}" WHERE "{_SOLUTION}"."id" = %s LIMIT 1'
)
_STATUS_AND_FIRST_LIMIT_SQL = (
    f'SELECT "{_SOLUTION}"."status", "{_SOLUTION}"."contest_id", (SELECT U0."max_upload_bytes" FROM "{_ROUND}" U0 '  # noqa: S608  # nosec B608
    f'WHERE U0."contest_id" = "{_SOLUTION}"."contest_id" ORDER BY U0."sequence" ASC LIMIT 1) '
    f'FROM "{_SOLUTION}" WHERE "{_SOLUTION}"."id" = %s LIMIT 1'
)
_SOLUTION_ROW_LOCK_SQL = (
    f'SELECT {column_list(Solution, _SOLUTION_FIELDS)} FROM "{_SOLUTION}" '  # noqa: S608  # nosec B608
    f'WHERE "{_SOLUTION}"."id" = %s LIMIT 1'
)
_TEAM_ROW_LOCK_SQL = f'SELECT "{_TEAM}"."id" FROM "{_TEAM}" WHERE "{_TEAM}"."id" = %s'  # noqa: S608  # nosec B608
_MEMBER_USERS_SQL = (
    f'SELECT {column_list(User, _USER_FIELDS)} FROM "{User._meta.db_table}" '  # noqa: S608  # nosec B608
    f'INNER JOIN "{_MEMBERSHIP}" ON "{_MEMBERSHIP}"."user_id" = "{User._meta.db_table}"."id" '
    f'WHERE "{_MEMBERSHIP}"."team_id" = %s ORDER BY "{_MEMBERSHIP}"."id" ASC'
)


def _rows(model, sql: str, params: list, *, lock_of: str | None = None) -> tuple[str, list]:
    using = router.db_for_write(model) if lock_of is not None else router.db_for_read(model)
    connection = connections[using]
    if lock_of is not None:
        if connection.get_autocommit():
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        if connection.vendor == "postgresql":
            sql += f' FOR UPDATE OF "{lock_of}"' if lock_of != "*" else " FOR UPDATE"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return using, cursor.fetchall()


def solution_with_role(user_id: int, pk: int) -> Solution | None:
    """The solution with the user's role in its team as `viewer_member_role` (None: not a
    member). Equals `Solution.objects.annotate(viewer_member_role=Subquery(TeamMembership.objects
    .filter(team=OuterRef("team"), user_id=user_id).values("role")[:1])).filter(pk=pk).first()`."""
    using, rows = _rows(Solution, _SOLUTION_WITH_ROLE_SQL, [user_id, pk])
    if not rows:
        return None
    *values, role = rows[0]
    solution = instance(Solution, using, _SOLUTION_FIELDS, values)
    solution.viewer_member_role = python_value(TeamMembership._meta.get_field("role"), role, connections[using])
    return solution


def status_and_first_limit(solution_id: int) -> tuple | None:
    """(status, contest id, the first round's `max_upload_bytes`), or None. Equals
    `Solution.objects.filter(pk=solution_id).annotate(first_round_limit=Subquery(Round.objects
    .filter(contest=OuterRef("contest_id")).order_by("sequence").values("max_upload_bytes")[:1]))
    .values_list("status", "contest_id", "first_round_limit").first()`."""
    _using, rows = _rows(Solution, _STATUS_AND_FIRST_LIMIT_SQL, [solution_id])
    return tuple(rows[0]) if rows else None


def lock_solution_row(pk: int) -> Solution | None:
    """The solution, its row locked. Equals
    `Solution.objects.select_for_update(of=("self",)).filter(pk=pk).first()`."""
    using, rows = _rows(Solution, _SOLUTION_ROW_LOCK_SQL, [pk], lock_of=_SOLUTION)
    return instance(Solution, using, _SOLUTION_FIELDS, rows[0]) if rows else None


def lock_team_row(team_id: int) -> bool:
    """Lock the team's row; False if there is none. Equals
    `Team.objects.select_for_update().filter(pk=team_id).exists()` (as rows: `values_list("pk")`)."""
    _using, rows = _rows(Team, _TEAM_ROW_LOCK_SQL, [team_id], lock_of="*")
    return bool(rows)


def member_users(team_id: int) -> list[User]:
    """The team's members in the order they joined. Equals
    `list(User.objects.filter(memberships__team_id=team_id).order_by("memberships__id"))`."""
    using, rows = _rows(User, _MEMBER_USERS_SQL, [team_id])
    return [instance(User, using, _USER_FIELDS, row) for row in rows]


_CONTEST_FIELDS, _TEAM_FIELDS, _SCENARIO_FIELDS = columns(Contest), columns(Team), columns(Scenario)
_FILE_FIELDS, _VERSION_FIELDS = columns(SolutionFile), columns(SolutionVersion)
_FILE, _VERSION = SolutionFile._meta.db_table, SolutionVersion._meta.db_table
_SOLUTION_LOCK_SQL = (
    f"SELECT {column_list(Solution, _SOLUTION_FIELDS)}, {column_list(Contest, _CONTEST_FIELDS)}, "  # noqa: S608  # nosec B608
    f'{column_list(Team, _TEAM_FIELDS)}, {column_list(Scenario, _SCENARIO_FIELDS)} FROM "{_SOLUTION}" '
    f'INNER JOIN "{Contest._meta.db_table}" ON "{_SOLUTION}"."contest_id" = "{Contest._meta.db_table}"."id" '
    f'INNER JOIN "{_TEAM}" ON "{_SOLUTION}"."team_id" = "{_TEAM}"."id" '
    f'INNER JOIN "{Scenario._meta.db_table}" ON "{_SOLUTION}"."scenario_id" = "{Scenario._meta.db_table}"."id" '
    f'WHERE "{_SOLUTION}"."id" = %s LIMIT 1'
)
_FILES_WITH_VERSION_SQL = (
    f"SELECT {column_list(SolutionFile, _FILE_FIELDS)}, {column_list(SolutionVersion, _VERSION_FIELDS)} "  # noqa: S608  # nosec B608
    f'FROM "{_FILE}" INNER JOIN "{_VERSION}" ON "{_FILE}"."version_id" = "{_VERSION}"."id" '
    f'WHERE "{_VERSION}"."number" = %s AND "{_VERSION}"."solution_id" = %s '
    f'ORDER BY "{_FILE}"."version_id" ASC, "{_FILE}"."id" ASC'
)


def _split(row, *field_lists):
    start = 0
    for fields in field_lists:
        yield fields, row[start : start + len(fields)]
        start += len(fields)


def lock_solution(pk: int) -> Solution | None:
    """The solution, its row locked, with its contest, team and scenario (not locked). Equals
    `Solution.objects.select_for_update(of=("self",)).select_related("contest", "team",
    "scenario").filter(pk=pk).first()`."""
    using, rows = _rows(Solution, _SOLUTION_LOCK_SQL, [pk], lock_of=_SOLUTION)
    if not rows:
        return None
    parts = _split(rows[0], _SOLUTION_FIELDS, _CONTEST_FIELDS, _TEAM_FIELDS, _SCENARIO_FIELDS)
    solution, contest, team, scenario = (
        instance(model, using, fields, values)
        for model, (fields, values) in zip((Solution, Contest, Team, Scenario), parts, strict=True)
    )
    solution.contest, solution.team, solution.scenario = contest, team, scenario
    return solution


def files_with_version(solution_id: int, number: int) -> list[SolutionFile]:
    """A version's files, each with the version. Equals `list(SolutionFile.objects.filter(
    version__solution_id=solution_id, version__number=number).select_related("version"))`."""
    using, rows = _rows(SolutionFile, _FILES_WITH_VERSION_SQL, [number, solution_id])
    files = []
    for row in rows:
        (file_fields, file_values), (version_fields, version_values) = _split(row, _FILE_FIELDS, _VERSION_FIELDS)
        file = instance(SolutionFile, using, file_fields, file_values)
        file.version = instance(SolutionVersion, using, version_fields, version_values)
        files.append(file)
    return files
