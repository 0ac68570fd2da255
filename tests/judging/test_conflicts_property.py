"""Property test: every conflict entry point equals a plain reference of the rule.

The rule (ARCHITECTURE.md, "Judging"): a judge conflicts with a solution when the judge is a
member of its team, when the judge's organization (as recorded on the pool entry, not the
profile) is in the same organization group (root of the `Organization.parent` chain) as the
team's lead unit, a co-unit or the organization recorded on any membership, or through a
`ConflictOfInterest` row naming the solution, the team or an organization of the same group.
A chain that runs into a cycle makes an organization its own group.

Entry points compared: `ConflictIndex.conflicted_pairs`, `round_conflicts`,
`judge_conflicts_with` (reasons), `solution_ids_visible_to_judge`, `assignment_list_for_judge`
(the assignment rows), `conflicts_sweep`, `assignment_auto_run` (the auto-assigner's view) and
`assignment_create`, with the judge's organization recorded on this round's pool entry, only on
an earlier round's, or nowhere (the profile then counts). Run on both backends (SQLite default
and PostgreSQL via DATABASE_URL)."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contest.enums import Role, RoundStatus
from contest.models import Organization
from judging.errors import AlreadyAssignedError, ConflictOfInterestError
from judging.models import ConflictOfInterest, JudgeAssignment, JudgePoolMember
from judging.selectors import assignment_list_for_judge, solution_ids_visible_to_judge
from judging.services.assignment import assignment_auto_run, assignment_create
from judging.services.conflicts import ConflictIndex, conflicts_sweep, judge_conflicts_with, round_conflicts
from tests.factories.contest import (
    ContestFactory,
    ContestRoleFactory,
    OrganizationFactory,
    RoundFactory,
    ScenarioFactory,
    UserFactory,
)
from tests.factories.submissions import RoundEntryFactory, SolutionFactory, TeamFactory, TeamMembershipFactory

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

ORGS = 6


@st.composite
def worlds(draw):
    org = st.integers(0, ORGS - 1)
    maybe_org = st.none() | org
    parents = draw(st.lists(maybe_org, min_size=ORGS, max_size=ORGS))  # cycles allowed: bad data
    n_teams = draw(st.integers(1, 3))
    n_judges = draw(st.integers(1, 3))
    teams = [
        {
            "lead": draw(org),
            "co_units": draw(st.sets(org, max_size=2)),
            "captain_org": draw(maybe_org),
            "others": draw(st.lists(maybe_org, max_size=1)),  # members who are not judges
        }
        for _ in range(n_teams)
    ]
    judges = [
        {
            "profile": draw(maybe_org),
            "recorded": draw(maybe_org),
            # Where the judge's organization is recorded: this round's pool, an earlier round's
            # (with another organization) as well, only an earlier round's, or nowhere.
            "pools": draw(st.sampled_from(["round", "both", "earlier", "none"])),
            "earlier": draw(maybe_org),
            # A judge may sit on one team (with the organization recorded on that membership).
            "member_of": draw(st.none() | st.integers(0, n_teams - 1)),
            "member_org": draw(maybe_org),
        }
        for _ in range(n_judges)
    ]
    target = st.one_of(
        st.tuples(st.just("solution"), st.integers(0, n_teams - 1)),
        st.tuples(st.just("team"), st.integers(0, n_teams - 1)),
        st.tuples(st.just("organization"), org),
    )
    rows = draw(
        st.lists(
            st.tuples(st.integers(0, n_judges - 1), target, st.sampled_from(["declared", "manual"])),
            max_size=3,
        )
    )
    return parents, teams, judges, rows


def _root(i, parents):
    seen = [i]
    while parents[seen[-1]] is not None:
        nxt = parents[seen[-1]]
        if nxt in seen:
            return i
        seen.append(nxt)
    return seen[-1]


def _reference(parents, teams, judges, rows):
    """{(team index, judge index): sorted reasons}, computed from the drawn facts alone."""
    found = {}
    for t, team in enumerate(teams):
        units = {team["lead"], *team["co_units"], *(o for o in team["others"] if o is not None)}
        if team["captain_org"] is not None:
            units.add(team["captain_org"])
        for judge in judges:
            if judge["member_of"] == t and judge["member_org"] is not None:
                units.add(judge["member_org"])
        groups = {_root(o, parents) for o in units}
        for j, judge in enumerate(judges):
            org = {"round": judge["recorded"], "both": judge["recorded"], "earlier": judge["earlier"]}.get(
                judge["pools"], judge["profile"]
            )
            reasons = []
            if judge["member_of"] == t:
                reasons.append("team_member")
            if org is not None and _root(org, parents) in groups:
                reasons.append("organization_group")
            for row_judge, (kind, value), source in rows:
                if row_judge != j:
                    continue
                if (kind in ("solution", "team") and value == t) or (
                    kind == "organization" and _root(value, parents) in groups
                ):
                    reasons.append(source)
            found[(t, j)] = sorted(reasons)
    return found


def _build(parents, teams, judges, rows):
    contest = ContestFactory()
    earlier = RoundFactory(contest=contest, sequence=1, status=RoundStatus.CLOSED)
    round_ = RoundFactory(contest=contest, sequence=2, status=RoundStatus.JUDGING, judges_per_solution=len(judges))
    orgs = [OrganizationFactory() for _ in range(ORGS)]
    for org, parent in zip(orgs, parents, strict=True):
        Organization.objects.filter(pk=org.pk).update(parent=orgs[parent] if parent is not None else None)
    scenario = ScenarioFactory(contest=contest)
    team_rows, solutions = [], []
    for team in teams:
        captain = UserFactory(organization=OrganizationFactory())  # the profile never counts
        row = TeamFactory(contest=contest, captain=captain, lead_unit=orgs[team["lead"]])
        row.memberships.filter(user=captain).update(
            organization=orgs[team["captain_org"]] if team["captain_org"] is not None else None
        )
        row.co_units.set([orgs[o] for o in team["co_units"]])
        for o in team["others"]:
            TeamMembershipFactory(team=row, user=UserFactory(), organization=orgs[o] if o is not None else None)
        solution = SolutionFactory(contest=contest, scenario=scenario, team=row)
        RoundEntryFactory(round=round_, solution=solution)
        team_rows.append(row)
        solutions.append(solution)
    users = []
    for judge in judges:
        user = UserFactory(organization=orgs[judge["profile"]] if judge["profile"] is not None else None)
        ContestRoleFactory(user=user, contest=contest, role=Role.JUDGE)
        if judge["pools"] in ("both", "earlier"):
            JudgePoolMember.objects.create(
                round=earlier, judge=user, organization=orgs[judge["earlier"]] if judge["earlier"] is not None else None
            )
        if judge["pools"] in ("round", "both"):
            JudgePoolMember.objects.create(
                round=round_,
                judge=user,
                organization=orgs[judge["recorded"]] if judge["recorded"] is not None else None,
            )
        if judge["member_of"] is not None:
            TeamMembershipFactory(
                team=team_rows[judge["member_of"]],
                user=user,
                organization=orgs[judge["member_org"]] if judge["member_org"] is not None else None,
            )
        users.append(user)
    for j, (kind, value), source in rows:
        target = {"solution": solutions, "team": team_rows, "organization": orgs}[kind][value]
        ConflictOfInterest.objects.create(contest=contest, judge=users[j], source=source, **{kind: target})
    return contest, round_, solutions, users


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(world=worlds())
def test_every_conflict_entry_point_follows_the_rule(world):
    parents, teams, judges, rows = world
    expected = _reference(parents, teams, judges, rows)
    contest, round_, solutions, users = _build(parents, teams, judges, rows)
    pair = {(solutions[t].pk, users[j].pk): reasons for (t, j), reasons in expected.items()}
    conflicted = {p for p, reasons in pair.items() if reasons}
    free = set(pair) - conflicted
    pooled = {users[j].pk for j, judge in enumerate(judges) if judge["pools"] in ("round", "both")}

    index = ConflictIndex(
        contest_id=contest.pk,
        judges=dict(JudgePoolMember.objects.filter(round=round_).values_list("judge_id", "organization_id")),
        solutions={s.pk: s.team_id for s in solutions},
    )
    assert index.conflicted_pairs() == {(s, j) for s, j in conflicted if j in pooled}
    assert {(c["solution"], c["judge"]): sorted(c["reasons"]) for c in round_conflicts(round_=round_)} == {
        (s, j): pair[(s, j)] for s, j in conflicted if j in pooled
    }
    for (s, j), reasons in pair.items():
        solution = next(x for x in solutions if x.pk == s)
        user = next(u for u in users if u.pk == j)
        if j in pooled:
            assert sorted(index.reasons(j, s)) == reasons
        assert sorted(judge_conflicts_with(judge=user, solution=solution, round_id=round_.pk)) == reasons
        assert sorted(judge_conflicts_with(judge=user, solution=solution)) == reasons

    # The judges' view: every pair assigned, the conflicted ones hidden.
    for s, j in pair:
        JudgeAssignment.objects.create(round=round_, solution_id=s, judge_id=j)
    for user in users:
        visible = {s for s, j in free if j == user.pk}
        assert solution_ids_visible_to_judge(judge=user) == visible
        assert solution_ids_visible_to_judge(judge=user, contest_id=contest.pk) == visible
        assert {a.solution_id for a in assignment_list_for_judge(judge=user, round_id=round_.pk)} == visible

    # The sweep ends exactly the conflicted assignments.
    ended = conflicts_sweep(actor=None, contest_id=contest.pk)
    assert set(JudgeAssignment.objects.filter(pk__in=ended).values_list("solution_id", "judge_id")) == conflicted

    # The auto-assigner, with room for every judge on every solution, assigns exactly the free pairs.
    JudgeAssignment.objects.filter(round=round_).delete()
    assignment_auto_run(actor=None, round_=round_)
    assigned = set(JudgeAssignment.objects.filter(round=round_, active=True).values_list("solution_id", "judge_id"))
    assert assigned == {(s, j) for s, j in free if j in pooled}

    # By hand: a conflicted pair is refused for the conflict, a free one only as already assigned.
    for (s, j), reasons in pair.items():
        if j not in pooled:
            continue
        user = next(u for u in users if u.pk == j)
        with pytest.raises((ConflictOfInterestError, AlreadyAssignedError)) as refused:
            assignment_create(actor=None, round_=round_, solution_id=s, judge=user)
        assert isinstance(refused.value, ConflictOfInterestError) == bool(reasons)
        if reasons:
            assert sorted(refused.value.extra["reasons"]) == reasons
