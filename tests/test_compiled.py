"""config/compiled.py: a read compiled once answers exactly as the ORM does, binds each
parameter where the ORM put it, and leaves to the ORM what it cannot tell apart."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import OuterRef, Subquery
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from config.compiled import CompiledRead, insert_row, insert_rows, update_row
from contest.models import Round, User
from submissions.models import Solution, TeamMembership
from tests.factories.contest import ContestFactory, RoundFactory, UserFactory
from tests.factories.submissions import SolutionFactory, TeamMembershipFactory

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

# SQLite turns datetimes into strings and has no row locks, so there the stand-in values are not
# found in the compiled parameters (the ORM runs the read, as designed) and FOR UPDATE is dropped.
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="compiled binding is PostgreSQL's")


def _fields(instance):
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


class Counting:
    """A builder that counts how often the queryset is built (i.e. how often the ORM compiles)."""

    def __init__(self, build):
        self.build, self.calls = build, 0

    def __call__(self, *params):
        self.calls += 1
        return self.build(*params)


def test_rows_equal_the_orm_rows_with_converted_values_and_the_queryset_is_built_once():
    contests = ContestFactory.create_batch(3)
    for contest in contests:
        RoundFactory(contest=contest, sequence=2, name="初赛")
        RoundFactory(contest=contest, sequence=1, name="资格审查", required_documents=["proposal", "commitment"])
    build = Counting(lambda contest_id: Round.objects.filter(contest_id=contest_id).order_by("sequence")[:1])
    first_round = CompiledRead(build)

    for contest in contests:
        fast = first_round.first(contest.pk)
        orm = Round.objects.filter(contest=contest).order_by("sequence").first()
        assert _fields(fast) == _fields(orm)
        assert fast.required_documents == ["proposal", "commitment"]  # the JSON column's converter ran
        assert fast._state.adding is False and fast._state.db == "default"
    assert build.calls == 1
    assert first_round.is_compiled
    assert first_round.first(0) is None


def test_parameters_are_bound_where_the_orm_put_them_even_out_of_argument_order():
    # The subquery's parameter (the user) comes first in the SQL, the primary key last.
    solution = SolutionFactory()
    members = [UserFactory(), UserFactory()]
    while solution.pk in {m.pk for m in members}:  # the values must differ to be told apart
        members = [UserFactory(), UserFactory()]
    TeamMembershipFactory(team=solution.team, user=members[0], role="member")
    role = CompiledRead(
        lambda pk, user_id: Solution.objects.annotate(
            role=Subquery(TeamMembership.objects.filter(team=OuterRef("team"), user_id=user_id).values("role")[:1])
        ).filter(pk=pk)[:1]
    )

    assert role.first(solution.pk, members[0].pk).role == "member"
    assert role.is_compiled
    assert role.first(solution.pk, members[1].pk).role is None
    assert role.first(members[0].pk + 10_000, members[0].pk) is None


def test_equal_ids_still_compile_and_bind_each_in_its_place():
    # A user 7 reading solution 7: compiled with stand-ins, so the two are still told apart.
    user = UserFactory()
    build = Counting(lambda a, b: User.objects.filter(pk=a, id__gte=b)[:1])
    read = CompiledRead(build)

    assert read.first(user.pk, user.pk) == user
    assert read.is_compiled
    assert read.first(user.pk, user.pk + 1) is None
    assert read.first(user.pk, 0) == user
    assert build.calls == 1


@postgres_only
def test_equal_values_without_stand_ins_are_left_to_the_orm_until_they_differ():
    joined = dt.datetime(2021, 8, 1, tzinfo=dt.UTC)
    user = UserFactory(date_joined=joined)
    read = CompiledRead(lambda a, b: User.objects.filter(date_joined__gte=a, date_joined__lte=b).order_by("id"))

    assert user in read.all(joined, joined)  # which placeholder is which? not kept
    assert not read.is_compiled
    assert user in read.all(joined, joined + dt.timedelta(days=1))
    assert read.is_compiled
    assert read.all(joined + dt.timedelta(seconds=1), joined + dt.timedelta(days=1)) == []


def test_a_constant_inside_the_query_is_never_compiled_but_answers_right():
    user = UserFactory(username="zhang")
    read = CompiledRead(lambda pk: User.objects.filter(pk=pk, username="zhang")[:1])

    assert read.first(user.pk) == user
    assert read.first(user.pk) == user
    assert not read.is_compiled


def test_a_small_integer_column_compiles_too():
    contest = ContestFactory()
    RoundFactory(contest=contest, sequence=3)
    read = CompiledRead(lambda sequence, contest_id: Round.objects.filter(sequence=sequence, contest_id=contest_id))

    assert [r.sequence for r in read.all(3, contest.pk)] == [3]
    assert read.is_compiled
    assert read.all(4, contest.pk) == []


def test_values_list_rows_are_tuples_in_the_order_asked():
    contest = ContestFactory()
    RoundFactory(contest=contest, sequence=1, max_upload_bytes=1234)
    read = CompiledRead(
        lambda contest_id: Round.objects.filter(contest_id=contest_id).values_list("sequence", "max_upload_bytes")
    )
    assert read.all(contest.pk) == [(1, 1234)]
    assert read.all(contest.pk) == [(1, 1234)]
    assert read.is_compiled


def test_values_list_names_out_of_sql_order_are_refused():
    read = CompiledRead(
        lambda pk: (
            User.objects.filter(pk=pk)
            .annotate(n=Subquery(User.objects.filter(pk=OuterRef("pk")).values("pk")[:1]))
            .values_list("n", "username")
        )
    )
    with pytest.raises(ValueError, match="order"):
        read.all(1)


def test_select_related_rows_equal_the_orm_rows_and_a_missing_nullable_one_is_none():
    solution = SolutionFactory(final_version=None)
    read = CompiledRead(
        lambda pk: Solution.objects.select_related("team", "team__lead_unit", "scenario", "final_version").filter(pk=pk)
    )
    read.all(solution.pk)
    assert read.is_compiled

    [fast] = read.all(solution.pk)
    orm = Solution.objects.select_related("team", "team__lead_unit", "scenario", "final_version").get(pk=solution.pk)
    with CaptureQueriesContext(connection) as ctx:
        assert _fields(fast.team) == _fields(orm.team)
        assert _fields(fast.team.lead_unit) == _fields(orm.team.lead_unit)
        assert _fields(fast.scenario) == _fields(orm.scenario)
        assert fast.final_version is None
    assert ctx.captured_queries == []  # every joined row came with the one statement


@postgres_only
def test_a_locking_read_needs_a_transaction_and_takes_the_lock_in_one():
    solution = SolutionFactory()
    lock = CompiledRead(lambda pk: Solution.objects.select_for_update(of=("self",)).filter(pk=pk)[:1])
    with transaction.atomic():
        assert lock.first(solution.pk) == solution  # compiled here
    with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
        assert lock.first(solution.pk) == solution
    assert "FOR UPDATE" in ctx.captured_queries[-1]["sql"]


@pytest.mark.django_db(transaction=True)
def test_a_compiled_locking_read_outside_a_transaction_is_refused_like_the_orm():
    solution = SolutionFactory()
    lock = CompiledRead(lambda pk: Solution.objects.select_for_update(of=("self",)).filter(pk=pk)[:1])
    with transaction.atomic():
        lock.first(solution.pk)
    with pytest.raises(TransactionManagementError):
        lock.first(solution.pk)


@postgres_only
def test_datetime_parameters_and_deferred_columns():
    user = UserFactory(date_joined=dt.datetime(2021, 8, 1, tzinfo=dt.UTC))
    read = CompiledRead(lambda since: User.objects.filter(date_joined__gte=since).only("username").order_by("id"))
    rows = read.all(dt.datetime(2021, 7, 1, tzinfo=dt.UTC))
    assert read.is_compiled
    assert user in rows
    assert [r.username for r in rows if r.pk == user.pk] == [user.username]
    assert "email" in rows[0].get_deferred_fields()


# --- insert_row ---------------------------------------------------------------------------------


def test_insert_row_writes_what_save_writes():
    from submissions.models import IdempotencyRecord

    user = UserFactory()
    fast = insert_row(IdempotencyRecord(user=user, key="k-1", scope="POST /x", status_code=0, body={"a": [1, "二"]}))
    slow = IdempotencyRecord(user=user, key="k-2", scope="POST /x", status_code=0, body={"a": [1, "二"]})
    slow.save(force_insert=True)

    assert fast.pk is not None and fast._state.adding is False and fast._state.db == "default"
    assert fast.created_at is not None  # auto_now_add ran
    stored = IdempotencyRecord.objects.get(pk=fast.pk)
    ignore = {"id", "key", "created_at"}
    assert {k: v for k, v in _fields(stored).items() if k not in ignore} == {
        k: v for k, v in _fields(IdempotencyRecord.objects.get(pk=slow.pk)).items() if k not in ignore
    }
    assert stored.created_at == fast.created_at


def test_insert_row_raises_integrity_error_on_a_taken_unique_key_and_the_savepoint_keeps_the_transaction():
    from submissions.models import IdempotencyRecord

    user = UserFactory()
    insert_row(IdempotencyRecord(user=user, key="k-3", scope="s", status_code=0, body={}))
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_row(IdempotencyRecord(user=user, key="k-3", scope="s", status_code=0, body={}))
    assert IdempotencyRecord.objects.filter(user=user, key="k-3").count() == 1


def test_update_row_writes_the_named_fields_and_their_auto_now_columns_only():
    solution = SolutionFactory(title="旧标题", abstract="旧摘要")
    stamped = Solution.objects.get(pk=solution.pk).updated_at
    solution.title, solution.abstract = "新标题", "不写入"

    assert update_row(solution, ["title", "updated_at"]) == 1

    stored = Solution.objects.get(pk=solution.pk)
    assert (stored.title, stored.abstract) == ("新标题", "旧摘要")
    assert stored.updated_at > stamped
    ghost = Solution(pk=solution.pk + 10_000, title="x")
    assert update_row(ghost, ["title"]) == 0


def test_insert_rows_skipping_conflicts_returns_only_the_rows_written_with_their_keys():
    from notifications.models import Notification

    def notice(key):
        return Notification(kind="k", channel="in_app", subject="s", body="b", dedup_key=key)

    insert_row(notice("seen"))
    batch = [notice("seen"), notice("new"), notice("new")]  # a known key, and a key twice

    written = insert_rows(batch, skip_conflicts_on="dedup_key")

    assert written == [batch[1]]
    assert not batch[1]._state.adding and batch[2].pk is None and batch[0].pk is None
    assert Notification.objects.get(dedup_key="new").pk == batch[1].pk
    assert Notification.objects.filter(dedup_key__in=["seen", "new"]).count() == 2
