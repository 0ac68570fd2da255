"""Each explicit-SQL read of submissions/hot_reads.py equals the ORM query its docstring names,
on the same data (SQLite; PostgreSQL when run with DATABASE_URL)."""

import pytest
from django.db import transaction
from django.db.models import OuterRef, Subquery

from contest import hot_reads as contest_hot_reads
from contest.models import Round, User
from submissions import hot_reads
from submissions.models import Solution, SolutionFile, Team, TeamMembership

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


def _fields(model):
    return [f.attname for f in model._meta.get_fields() if f.concrete and not f.many_to_many]


def _same(hot, orm, *extra):
    if orm is None:
        assert hot is None
        return
    names = _fields(type(orm)) + list(extra)
    assert {n: getattr(hot, n) for n in names} == {n: getattr(orm, n) for n in names}
    assert [type(getattr(hot, n)) for n in names] == [type(getattr(orm, n)) for n in names]
    assert [str(getattr(hot, n)) for n in names] == [str(getattr(orm, n)) for n in names]
    assert (type(hot), hot._state.adding, hot._state.db) == (type(orm), orm._state.adding, orm._state.db)


def test_first_round_equals_its_orm_query(contest, round1, round2):
    for contest_id in (contest.pk, contest.pk + 1000):
        _same(
            contest_hot_reads.first_round(contest_id),
            Round.objects.filter(contest_id=contest_id).order_by("sequence").first(),
        )


def test_solution_with_role_equals_its_orm_query(solution, captain, member, outsider):
    def orm(user_id, pk):
        role = Subquery(TeamMembership.objects.filter(team=OuterRef("team"), user_id=user_id).values("role")[:1])
        return Solution.objects.annotate(viewer_member_role=role).filter(pk=pk).first()

    for user in (captain, member, outsider):
        for pk in (solution.pk, solution.pk + 1000):
            _same(hot_reads.solution_with_role(user.pk, pk), orm(user.pk, pk), "viewer_member_role")


def test_status_and_first_limit_equals_its_orm_query(solution, round2):
    def orm(solution_id):
        limit = Subquery(
            Round.objects.filter(contest=OuterRef("contest_id")).order_by("sequence").values("max_upload_bytes")[:1]
        )
        qs = Solution.objects.filter(pk=solution_id).annotate(first_round_limit=limit)
        return qs.values_list("status", "contest_id", "first_round_limit").first()

    for pk in (solution.pk, solution.pk + 1000):
        assert hot_reads.status_and_first_limit(pk) == orm(pk)
    Round.objects.filter(contest=solution.contest).delete()
    assert (
        hot_reads.status_and_first_limit(solution.pk)
        == orm(solution.pk)
        == (solution.status, solution.contest_id, None)
    )


def test_row_locks_equal_their_orm_queries(solution, team):
    with transaction.atomic():
        for pk in (solution.pk, solution.pk + 1000):
            orm = Solution.objects.select_for_update(of=("self",)).filter(pk=pk).first()
            _same(hot_reads.lock_solution_row(pk), orm)
        for pk in (team.pk, team.pk + 1000):
            assert hot_reads.lock_team_row(pk) == Team.objects.select_for_update().filter(pk=pk).exists()


def test_member_users_equals_its_orm_query(team, captain, member, team_b):
    for team_id in (team.pk, team_b.pk, team.pk + 1000):
        orm = list(User.objects.filter(memberships__team_id=team_id).order_by("memberships__id"))
        hot = hot_reads.member_users(team_id)
        assert [u.pk for u in hot] == [u.pk for u in orm]
        for h, o in zip(hot, orm, strict=True):
            _same(h, o)


def test_solution_lock_with_related_equals_its_orm_query(solution):
    with transaction.atomic():
        for pk in (solution.pk, solution.pk + 1000):
            orm = (
                Solution.objects.select_for_update(of=("self",))
                .select_related("contest", "team", "scenario")
                .filter(pk=pk)
                .first()
            )
            hot = hot_reads.lock_solution(pk)
            _same(hot, orm)
            if orm is not None:
                for name in ("contest", "team", "scenario"):
                    _same(getattr(hot, name), getattr(orm, name))


def test_files_with_version_equals_its_orm_query(submitted):
    for number in (1, 2):
        orm = list(
            SolutionFile.objects.filter(version__solution_id=submitted.pk, version__number=number).select_related(
                "version"
            )
        )
        hot = hot_reads.files_with_version(submitted.pk, number)
        assert [f.pk for f in hot] == [f.pk for f in orm]
        for h, o in zip(hot, orm, strict=True):
            _same(h, o)
            _same(h.version, o.version)
    assert hot_reads.files_with_version(submitted.pk + 1000, 1) == []
