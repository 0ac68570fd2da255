"""Races past the limits, on PostgreSQL (select_for_update is a no-op on SQLite).

Each test widens the race window with a short sleep inside the guarded section: without the
row lock both threads would read the same count and both pass.
"""

import threading
import time

import pytest
from django.db import connection

from contest.enums import RoundKind
from submissions import services
from submissions.errors import AlreadyInTeamError, EntryCapReachedError, TeamFullError
from submissions.models import Solution, SolutionVersion, TeamMembership
from submissions.services import invitations as invitation_services
from submissions.services import solutions as solution_services
from tests.factories.contest import (
    ContestFactory,
    OrganizationFactory,
    RoundFactory,
    ScenarioFactory,
    TrackFactory,
    UserFactory,
)
from tests.factories.submissions import TeamFactory, TeamMembershipFactory

from .conftest import full_files

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.unit,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def race(n, fn):
    barrier = threading.Barrier(n)
    results = [None] * n

    def run(i):
        try:
            barrier.wait()
            results[i] = ("ok", fn(i))
        except Exception as exc:  # noqa: BLE001 - collected and asserted by the test
            results[i] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def slow(monkeypatch, module, name, delay=0.3):
    """Slow `name` down where `module` looks it up (a services submodule)."""
    original = getattr(module, name)

    def wrapped(*args, **kwargs):
        result = original(*args, **kwargs)
        time.sleep(delay)
        return result

    monkeypatch.setattr(module, name, wrapped)


@pytest.fixture
def open_contest():
    contest = ContestFactory(max_team_size=3, max_entries_per_team=2)
    RoundFactory(contest=contest, sequence=1, kind=RoundKind.QUALIFICATION)
    return contest


def test_concurrent_uploads_get_distinct_gap_free_numbers(open_contest):
    team = TeamFactory(contest=open_contest)
    scenario = ScenarioFactory(track=TrackFactory(contest=open_contest))
    solution = services.solution_create(actor=team.captain, team=team, scenario=scenario, title="方案")
    results = race(
        4,
        lambda i: (
            services.solution_version_create(
                actor=team.captain, solution=solution, title=f"v{i}", uploads=full_files()
            ).number
        ),
    )
    assert sorted(r[1] for r in results) == [1, 2, 3, 4], results
    assert sorted(SolutionVersion.objects.filter(solution=solution).values_list("number", flat=True)) == [1, 2, 3, 4]
    solution.refresh_from_db()
    assert solution.version_count == 4


def test_entry_cap_holds_under_race(monkeypatch, open_contest):
    team = TeamFactory(contest=open_contest)
    track = TrackFactory(contest=open_contest)
    services.solution_create(actor=team.captain, team=team, scenario=ScenarioFactory(track=track), title="1")
    scenarios = [ScenarioFactory(track=track) for _ in range(2)]
    slow(monkeypatch, solution_services, "_counted_entries")
    results = race(
        2, lambda i: services.solution_create(actor=team.captain, team=team, scenario=scenarios[i], title=str(i))
    )
    outcomes = sorted(type(r[1]).__name__ if r[0] == "error" else "ok" for r in results)
    assert outcomes == ["EntryCapReachedError", "ok"], results
    assert Solution.objects.filter(team=team).count() == 2
    assert any(isinstance(r[1], EntryCapReachedError) for r in results)


def test_member_cap_holds_under_race(monkeypatch, open_contest):
    team = TeamFactory(contest=open_contest)
    TeamMembershipFactory(team=team)  # 2 of 3 places taken
    invitees = [UserFactory() for _ in range(2)]
    tokens = [services.invitation_create(actor=team.captain, team=team, email=u.email).token for u in invitees]
    slow(monkeypatch, invitation_services, "_member_users")
    results = race(2, lambda i: services.invitation_accept(actor=invitees[i], token=tokens[i]))
    assert sorted(r[0] for r in results) == ["error", "ok"], results
    assert any(isinstance(r[1], TeamFullError) for r in results)
    assert TeamMembership.objects.filter(team=team).count() == 3


def test_one_team_per_user_under_race(open_contest):
    user = UserFactory()
    results = race(
        2,
        lambda i: services.team_create(
            actor=user, contest=open_contest, name=f"并发队{i}", lead_unit=OrganizationFactory()
        ),
    )
    assert sorted(r[0] for r in results) == ["error", "ok"], results
    assert any(isinstance(r[1], AlreadyInTeamError) for r in results)
    assert TeamMembership.objects.filter(user=user, contest=open_contest).count() == 1
