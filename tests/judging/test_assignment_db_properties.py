"""The auto-assigner end to end on random data in the database: organization groups, teams,
co-units, members, track pools, caps and declared conflicts (hypothesis, few examples)."""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contest.enums import RoundStatus
from judging.models import ConflictOfInterest, JudgeAssignment
from judging.services.assignment import assignment_auto_run
from judging.services.conflicts import judge_conflicts_with
from tests.factories.contest import (
    ContestFactory,
    OrganizationFactory,
    RoundFactory,
    ScenarioFactory,
    TrackFactory,
    UserFactory,
)
from tests.factories.judging import JudgePoolMemberFactory
from tests.factories.submissions import RoundEntryFactory, SolutionFactory, TeamFactory, TeamMembershipFactory

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


@st.composite
def worlds(draw):
    return {
        "groups": draw(st.integers(1, 4)),
        "tracks": draw(st.integers(1, 2)),
        "teams": draw(
            st.lists(
                st.tuples(st.integers(0, 7), st.integers(0, 7), st.booleans()),  # lead org, member org, co-unit
                min_size=1,
                max_size=6,
            )
        ),
        "judges": draw(
            st.lists(
                st.tuples(st.integers(0, 8), st.one_of(st.none(), st.integers(0, 6)), st.sets(st.integers(0, 1))),
                min_size=1,
                max_size=6,
            )
        ),  # org (8 = none), cap, tracks
        "per_solution": draw(st.integers(1, 3)),
        "declared": draw(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), max_size=3)),
        "seed": draw(st.integers(0, 99)),
    }


@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=worlds())
def test_auto_run_guarantees_on_database_data(db, spec):
    with transaction.atomic():
        contest = ContestFactory()
        roots = [OrganizationFactory() for _ in range(spec["groups"])]
        orgs = [OrganizationFactory(parent=roots[i % len(roots)]) for i in range(8)]
        tracks = [TrackFactory(contest=contest) for _ in range(spec["tracks"])]
        round_ = RoundFactory(contest=contest, status=RoundStatus.JUDGING, judges_per_solution=spec["per_solution"])
        solutions = []
        for i, (lead, member_org, co) in enumerate(spec["teams"]):
            team = TeamFactory(contest=contest, lead_unit=orgs[lead])
            TeamMembershipFactory(team=team, user=UserFactory(), organization=orgs[member_org])
            if co:
                team.co_units.add(orgs[(lead + 3) % 8])
            scenario = ScenarioFactory(contest=contest, track=tracks[i % len(tracks)])
            solution = SolutionFactory(contest=contest, scenario=scenario, team=team)
            RoundEntryFactory(round=round_, solution=solution)
            solutions.append(solution)
        judges, caps = [], {}
        for org, cap, track_idx in spec["judges"]:
            judge = UserFactory(organization=orgs[org] if org < 8 else None)
            member = JudgePoolMemberFactory(round=round_, judge=judge, load_cap=cap)
            member.tracks.set([tracks[t] for t in track_idx if t < len(tracks)])
            judges.append((judge, member))
            caps[judge.pk] = cap
        for j, s in spec["declared"]:
            if j < len(judges) and s < len(solutions):
                ConflictOfInterest.objects.create(
                    contest=contest, judge=judges[j][0], solution=solutions[s], source="declared", reason="x"
                )

        report = assignment_auto_run(actor=None, round_=round_, seed=spec["seed"])
        again = assignment_auto_run(actor=None, round_=round_, seed=spec["seed"] + 1)

        assert again.created == 0
        rows = list(JudgeAssignment.objects.filter(round=round_).select_related("solution__scenario", "judge"))
        assert len(rows) == len({(a.solution_id, a.judge_id) for a in rows}) == report.created
        load = {}
        for a in rows:
            member = next(m for j, m in judges if j.pk == a.judge_id)
            allowed = {t.pk for t in member.tracks.all()}
            assert not allowed or a.solution.scenario.track_id in allowed
            assert judge_conflicts_with(judge=a.judge, solution=a.solution) == []
            load[a.judge_id] = load.get(a.judge_id, 0) + 1
        for judge_id, n in load.items():
            assert caps[judge_id] is None or n <= caps[judge_id]
        short = {s.solution_id for s in report.short}
        for solution in solutions:
            count = sum(1 for a in rows if a.solution_id == solution.pk)
            assert count == spec["per_solution"] or solution.pk in short
        transaction.set_rollback(True)
