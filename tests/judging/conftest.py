"""A small judged round with one user per role.

Names are distinctive so the blind-review leak scan can look for them in every response.
"""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from contest.enums import OrganizationKind, Role, RoundStatus
from contest.models import Contest, Organization, Round, User
from judging.models import Criterion, JudgeAssignment, Rubric
from submissions.models import Solution, Team
from tests.factories.contest import (
    ContestFactory,
    ContestRoleFactory,
    OrganizationFactory,
    RoundFactory,
    ScenarioFactory,
    TrackFactory,
    UserFactory,
)
from tests.factories.judging import CriterionFactory, JudgeAssignmentFactory, JudgePoolMemberFactory, RubricFactory
from tests.factories.submissions import RoundEntryFactory, SolutionFactory, TeamFactory, TeamMembershipFactory


@dataclass
class World:
    contest: Contest
    round: Round
    rubric: Rubric
    criteria: list[Criterion]
    team: Team
    solution: Solution
    captain: User
    member: User
    lead_unit: Organization
    member_org: Organization
    judge: User
    other_judge: User
    unassigned_judge: User
    conflicted_judge: User
    publisher: User
    organizer: User
    assignment: JudgeAssignment
    other_assignment: JudgeAssignment
    pool: dict


@pytest.fixture
def world(db) -> World:
    contest = ContestFactory(name="青云杯创新大赛")
    group = OrganizationFactory(name="海岳控股集团", kind=OrganizationKind.SOE)
    lead_unit = OrganizationFactory(name="海岳智联科技有限公司", parent=group)
    member_org = OrganizationFactory(name="星河算力研究院")
    sibling = OrganizationFactory(name="海岳物流有限公司", parent=group)
    publisher_org = OrganizationFactory(name="申江发榜银行", kind=OrganizationKind.SOE)
    track = TrackFactory(contest=contest, name="数字金融赛道")
    scenario = ScenarioFactory(track=track, contest=contest, publisher=publisher_org, title="智能风控场景")
    round_ = RoundFactory(contest=contest, status=RoundStatus.JUDGING, blind_review=True, judges_per_solution=2)
    rubric = RubricFactory(round=round_, score_step=Decimal("0.5"))
    criteria = [
        CriterionFactory(rubric=rubric, key="innovation", weight=Decimal("2"), max_score=Decimal("10"), order=1),
        CriterionFactory(rubric=rubric, key="feasibility", weight=Decimal("1"), max_score=Decimal("10"), order=2),
        CriterionFactory(rubric=rubric, key="value", weight=Decimal("1"), max_score=Decimal("20"), order=3),
    ]
    captain = UserFactory(username="captain_lifeng", full_name="李峰队长", email="lifeng@team.example.com")
    team = TeamFactory(contest=contest, name="破晓先锋队", captain=captain, lead_unit=lead_unit)
    member = UserFactory(username="member_wangyu", full_name="王雨成员", email="wangyu@team.example.com")
    TeamMembershipFactory(team=team, user=member, organization=member_org)
    solution = SolutionFactory(
        contest=contest, scenario=scenario, team=team, title="基于图计算的风控方案", abstract="方案摘要"
    )
    RoundEntryFactory(round=round_, solution=solution)
    judge = UserFactory(username="judge_a", full_name="评委甲")
    other_judge = UserFactory(username="judge_b", full_name="评委乙")
    unassigned_judge = UserFactory(username="judge_c", full_name="评委丙")
    conflicted_judge = UserFactory(username="judge_d", full_name="评委丁", organization=sibling)
    pool = {}
    for j in (judge, other_judge, unassigned_judge, conflicted_judge):
        pool[j.pk] = JudgePoolMemberFactory(round=round_, judge=j)
        ContestRoleFactory(user=j, contest=contest, role=Role.JUDGE)
    publisher = UserFactory(username="publisher_bank", organization=publisher_org)
    ContestRoleFactory(user=publisher, contest=contest, role=Role.PUBLISHER, organization=publisher_org)
    organizer = UserFactory(username="organizer_sasac")
    ContestRoleFactory(user=organizer, contest=contest, role=Role.ORGANIZER)
    assignment = JudgeAssignmentFactory(round=round_, solution=solution, judge=judge)
    other_assignment = JudgeAssignmentFactory(round=round_, solution=solution, judge=other_judge)
    return World(
        contest=contest,
        round=round_,
        rubric=rubric,
        criteria=criteria,
        team=team,
        solution=solution,
        captain=captain,
        member=member,
        lead_unit=lead_unit,
        member_org=member_org,
        judge=judge,
        other_judge=other_judge,
        unassigned_judge=unassigned_judge,
        conflicted_judge=conflicted_judge,
        publisher=publisher,
        organizer=organizer,
        assignment=assignment,
        other_assignment=other_assignment,
        pool=pool,
    )
