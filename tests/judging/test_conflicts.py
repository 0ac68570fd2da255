import pytest

from contest.enums import Role
from judging.enums import ConflictSource, ReviewStatus
from judging.errors import ConflictOfInterestError, ConflictTargetError, ReasonRequiredError
from judging.models import ConflictOfInterest, JudgeAssignment
from judging.selectors import assignment_list_for_judge, solution_ids_visible_to_judge
from judging.services.assignment import assignment_auto_run, assignment_create
from judging.services.conflicts import conflict_add, conflict_declare, judge_conflicts_with
from judging.services.scoring import review_submit
from tests.factories.contest import ContestRoleFactory, OrganizationFactory, UserFactory
from tests.factories.judging import JudgePoolMemberFactory
from tests.factories.submissions import TeamMembershipFactory
from tests.judging.helpers import full_scores

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


def _record_pool_org(world, judge, organization):
    """What an organizer records for the judge (the judge's profile does not count)."""
    member = world.pool[judge.pk]
    member.organization = organization
    member.save()


def test_organization_cycle_does_not_hang(world):
    """Bad data (a parent cycle) must not loop forever: each organization is then its own group."""
    a = OrganizationFactory()
    b = OrganizationFactory(parent=a)
    a.parent = b
    a.save()
    assert judge_conflicts_with(judge=UserFactory(organization=a), solution=world.solution) == []


@pytest.mark.parametrize("relation", ["same", "parent", "subsidiary", "sibling", "grand_parent", "cousin"])
def test_automatic_conflict_through_organization_group(world, relation):
    group = world.lead_unit.parent
    other_child = OrganizationFactory(parent=group)
    orgs = {
        "same": world.lead_unit,
        "parent": group,
        "subsidiary": OrganizationFactory(parent=world.lead_unit),
        "sibling": other_child,
        "grand_parent": None,
        "cousin": OrganizationFactory(parent=other_child),
    }
    if relation == "grand_parent":
        grand = OrganizationFactory()
        group.parent = grand
        group.save()
        orgs["grand_parent"] = grand
    judge = UserFactory(organization=orgs[relation])
    assert judge_conflicts_with(judge=judge, solution=world.solution) == ["organization_group"]


def test_conflict_through_co_unit_and_member_organization(world):
    co_unit = OrganizationFactory(parent=OrganizationFactory())
    world.team.co_units.add(co_unit)
    via_co_unit_group = UserFactory(organization=OrganizationFactory(parent=co_unit.parent))
    via_member_org = UserFactory(organization=world.member_org)
    assert judge_conflicts_with(judge=via_co_unit_group, solution=world.solution) == ["organization_group"]
    assert judge_conflicts_with(judge=via_member_org, solution=world.solution) == ["organization_group"]


def test_team_member_is_conflicted(world):
    assert judge_conflicts_with(judge=world.member, solution=world.solution) == ["team_member"]


def test_publisher_organization_alone_is_no_conflict(world):
    publisher_staff = UserFactory(organization=world.solution.scenario.publisher)
    assert judge_conflicts_with(judge=publisher_staff, solution=world.solution) == []


def test_unrelated_judge_has_no_conflict(world):
    assert judge_conflicts_with(judge=world.judge, solution=world.solution) == []


def test_conflicted_judge_never_assigned_by_hand(world):
    with pytest.raises(ConflictOfInterestError):
        assignment_create(
            actor=world.organizer, round_=world.round, solution_id=world.solution.pk, judge=world.conflicted_judge
        )


def test_conflicted_judge_never_assigned_automatically(world):
    JudgeAssignment.objects.all().delete()
    world.round.judges_per_solution = 4
    world.round.save()
    report = assignment_auto_run(actor=world.organizer, round_=world.round, seed=1)
    judges = set(JudgeAssignment.objects.values_list("judge_id", flat=True))
    assert world.conflicted_judge.pk not in judges
    assert judges == {world.judge.pk, world.other_judge.pk, world.unassigned_judge.pk}
    assert [(s.solution_id, s.reason, s.conflicted, s.eligible) for s in report.short] == [
        (world.solution.pk, "not_enough_eligible_judges", 1, 3)
    ]


def test_conflict_arising_after_assignment_hides_the_solution(world):
    """A member joins from the judge's organization after assignment: the judge stops seeing it."""
    judge_org = OrganizationFactory()
    _record_pool_org(world, world.judge, judge_org)
    assert world.solution.pk in solution_ids_visible_to_judge(judge=world.judge)
    TeamMembershipFactory(team=world.team, user=UserFactory(), organization=judge_org)
    assert solution_ids_visible_to_judge(judge=world.judge) == set()
    assert list(assignment_list_for_judge(judge=world.judge)) == []


def test_declared_conflict_ends_assignment_and_top_up_replaces_it(world):
    conflict = conflict_declare(judge=world.judge, assignment=world.assignment, reason="曾指导该团队")
    assert (conflict.source, conflict.solution_id, conflict.reason) == (
        ConflictSource.DECLARED,
        world.solution.pk,
        "曾指导该团队",
    )
    world.assignment.refresh_from_db()
    assert world.assignment.active is False
    assert list(assignment_list_for_judge(judge=world.judge)) == []
    before = set(JudgeAssignment.objects.filter(active=True).values_list("id", "solution_id", "judge_id"))
    report = assignment_auto_run(actor=world.organizer, round_=world.round, seed=3)
    after = set(JudgeAssignment.objects.filter(active=True).values_list("id", "solution_id", "judge_id"))
    assert before < after  # nothing moved, one added
    added = after - before
    assert len(added) == 1 and report.created == 1
    (_id, solution_id, judge_id) = added.pop()
    assert solution_id == world.solution.pk
    assert judge_id == world.unassigned_judge.pk  # neither the declaring judge nor the conflicted one
    assert report.short == []


def test_declared_conflict_after_scoring_is_flagged_not_voided(world):
    """Only an organizer voids a submitted review: a judge declaring a conflict afterwards raises
    a flag with the reason; the organizer then voids (or keeps) the review with a reason."""
    from judging.models import ConflictFlag
    from judging.services.conflicts import conflict_flag_resolve

    review_submit(judge=world.judge, assignment_id=world.assignment.pk, scores=full_scores(world))
    conflict_declare(judge=world.judge, assignment=world.assignment, reason="亲属关系")
    review = world.assignment.review
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED
    flag = ConflictFlag.objects.get(assignment=world.assignment)
    assert flag.reasons == [ConflictSource.DECLARED] and "亲属关系" in flag.detail
    assert list(assignment_list_for_judge(judge=world.judge)) == []  # the declared row hides it

    with pytest.raises(ReasonRequiredError):
        conflict_flag_resolve(actor=world.organizer, flag=flag, void=True, reason=" ")
    conflict_flag_resolve(actor=world.organizer, flag=flag, void=True, reason="核实为亲属")
    review.refresh_from_db()
    assert (review.status, review.void_reason) == (ReviewStatus.VOIDED, "核实为亲属")


def test_declare_needs_reason(world):
    with pytest.raises(ReasonRequiredError):
        conflict_declare(judge=world.judge, assignment=world.assignment, reason=" ")
    assert not ConflictOfInterest.objects.exists()


@pytest.mark.parametrize("target", ["solution", "team", "organization"])
def test_organizer_adds_conflict_by_hand(world, target):
    kwargs = {
        "solution": {"solution": world.solution},
        "team": {"team": world.team},
        "organization": {"organization": world.member_org},
    }[target]
    conflict = conflict_add(actor=world.organizer, round_=world.round, judge=world.judge, reason="举报核实", **kwargs)
    assert conflict.source == ConflictSource.MANUAL
    world.assignment.refresh_from_db()
    assert world.assignment.active is False
    with pytest.raises(ConflictOfInterestError):
        assignment_create(actor=world.organizer, round_=world.round, solution_id=world.solution.pk, judge=world.judge)


def test_manual_conflict_with_unrelated_organization_leaves_assignment(world):
    conflict_add(
        actor=world.organizer, round_=world.round, judge=world.judge, reason="x", organization=OrganizationFactory()
    )
    world.assignment.refresh_from_db()
    assert world.assignment.active is True


def test_manual_conflict_needs_exactly_one_target(world):
    with pytest.raises(ConflictTargetError):
        conflict_add(actor=world.organizer, round_=world.round, judge=world.judge, reason="x")
    with pytest.raises(ConflictTargetError):
        conflict_add(
            actor=world.organizer,
            round_=world.round,
            judge=world.judge,
            reason="x",
            team=world.team,
            solution=world.solution,
        )


def test_conflict_index_is_bulk(world, django_assert_num_queries):
    extra = [UserFactory() for _ in range(10)]
    for j in extra:
        JudgePoolMemberFactory(round=world.round, judge=j)
        ContestRoleFactory(user=j, contest=world.contest, role=Role.JUDGE)
    from judging.services.conflicts import ConflictIndex

    judges = {j.pk: j.organization_id for j in [*extra, world.conflicted_judge]}
    with django_assert_num_queries(2):  # conflict rows, then one organization/team profile query
        index = ConflictIndex(contest_id=world.contest.pk, judges=judges, solutions={world.solution.pk: world.team.pk})
        pairs = index.conflicted_pairs()
    assert pairs == {(world.solution.pk, world.conflicted_judge.pk)}


@pytest.mark.parametrize("listed", [True, False], ids=["team_ids_listed", "whole_contest"])
def test_conflicted_pairs_agree_with_reasons(world, monkeypatch, listed):
    """The bulk computation and the per-pair rule give the same answer."""
    from judging.services import conflicts

    if not listed:
        monkeypatch.setattr(conflicts, "_MAX_LISTED_TEAMS", 1)
    from judging.services.conflicts import ConflictIndex
    from tests.factories.contest import ScenarioFactory
    from tests.factories.submissions import SolutionFactory, TeamFactory

    group = OrganizationFactory()
    teams = [TeamFactory(contest=world.contest, lead_unit=OrganizationFactory(parent=group)) for _ in range(3)]
    teams.append(world.team)
    solutions = {}
    for team in teams:
        for _ in range(2):
            s = SolutionFactory(contest=world.contest, team=team, scenario=ScenarioFactory(contest=world.contest))
            solutions[s.pk] = team.pk
    judges = [UserFactory(organization=o) for o in (None, group, world.member_org, OrganizationFactory())]
    judges.append(world.member)
    some_solution = next(iter(solutions))
    ConflictOfInterest.objects.create(
        contest=world.contest, judge=judges[0], solution_id=some_solution, source="declared", reason="x"
    )
    ConflictOfInterest.objects.create(
        contest=world.contest, judge=judges[3], team=teams[1], source="manual", reason="x"
    )
    ConflictOfInterest.objects.create(
        contest=world.contest, judge=judges[3], organization=group, source="manual", reason="x"
    )
    index = ConflictIndex(
        contest_id=world.contest.pk, judges={j.pk: j.organization_id for j in judges}, solutions=solutions
    )
    expected = {(s, j.pk) for s in solutions for j in judges if index.reasons(j.pk, s)}
    assert index.conflicted_pairs() == expected
    assert len(expected) > 10


def test_conflict_arising_later_is_swept_and_topped_up(world):
    """A member joins from the judge's organization after the judge scored: the next auto-run
    only flags it (the submitted review stands); once an organizer voids it through the flag the
    assignment is over and the next run gives the solution another judge."""
    from judging.models import ConflictFlag, Review
    from judging.services.conflicts import conflict_flag_resolve

    judge_org = OrganizationFactory()
    _record_pool_org(world, world.judge, judge_org)
    review_submit(judge=world.judge, assignment_id=world.assignment.pk, scores=full_scores(world))
    TeamMembershipFactory(team=world.team, user=UserFactory(), organization=judge_org)

    report = assignment_auto_run(actor=world.organizer, round_=world.round, seed=2)

    assert report.ended_for_conflict == [] and report.created == 0
    world.assignment.refresh_from_db()
    assert world.assignment.active is True
    assert Review.objects.get(assignment=world.assignment).status == ReviewStatus.SUBMITTED
    flag = ConflictFlag.objects.get(assignment=world.assignment)
    assert (flag.status, flag.reasons) == ("open", ["organization_group"])

    conflict_flag_resolve(actor=world.organizer, flag=flag, void=True, reason="新成员来自评委单位")
    assert Review.objects.get(assignment=world.assignment).status == ReviewStatus.VOIDED
    assignment_auto_run(actor=world.organizer, round_=world.round, seed=2)
    active = set(JudgeAssignment.objects.filter(active=True).values_list("judge_id", flat=True))
    assert active == {world.other_judge.pk, world.unassigned_judge.pk}
    assert assignment_auto_run(actor=world.organizer, round_=world.round, seed=2).ended_for_conflict == []


def test_conflicts_sweep_after_team_change(world):
    from judging.services.conflicts import conflicts_sweep

    assert conflicts_sweep(actor=world.organizer, contest_id=world.contest.pk, team_ids=[world.team.pk]) == []
    judge_org = OrganizationFactory()
    _record_pool_org(world, world.other_judge, judge_org)
    world.team.co_units.add(OrganizationFactory(parent=judge_org))  # a subsidiary joins
    ended = conflicts_sweep(actor=world.organizer, contest_id=world.contest.pk, team_ids=[world.team.pk])
    assert ended == [world.other_assignment.pk]
    assert conflicts_sweep(actor=world.organizer, contest_id=world.contest.pk) == []  # idempotent
