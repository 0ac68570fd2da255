"""`staff`: a judged round for the judge and organizer page tests, with one user per role.

Team, member, organization and uploader names are distinctive so the blind-mode scan can look
for each of them (helpers.IDENTIFYING) in every judge page.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from contest.enums import OrganizationKind, Role, RoundKind, RoundStatus
from contest.models import Contest, Organization, Round, Scenario, User
from judging.models import Criterion, JudgeAssignment, Rubric
from submissions.enums import SolutionStatus
from submissions.models import Solution, SolutionFile, SolutionVersion, Team
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
from tests.web.staff.helpers import PDF


@dataclass
class StaffWorld:
    contest: Contest
    q_round: Round
    round: Round
    rubric: Rubric
    criteria: list[Criterion]
    scenario: Scenario
    team: Team
    solution: Solution
    file: SolutionFile
    captain: User
    member: User
    uploader: User
    lead_unit: Organization
    judge: User
    other_judge: User
    unassigned_judge: User
    conflicted_judge: User
    publisher: User
    organizer: User
    assignment: JudgeAssignment
    other_assignment: JudgeAssignment
    conflicted_assignment: JudgeAssignment


def _final_version(solution: Solution, uploader: User) -> SolutionFile:
    name = default_storage.save(f"solutions/test/{solution.pk}.pdf", ContentFile(PDF))
    version = SolutionVersion.objects.create(
        solution=solution,
        number=1,
        title=solution.title,
        sha256="0" * 64,
        created_by=uploader,
        created_at=timezone.now(),
    )
    file = SolutionFile.objects.create(
        version=version,
        kind="proposal",
        file=name,
        original_name="破晓先锋队方案书.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256=hashlib.sha256(PDF).hexdigest(),
    )
    solution.final_version = version
    solution.version_count = 1
    solution.save(update_fields=["final_version", "version_count"])
    return file


@pytest.fixture
def staff(db) -> StaffWorld:
    contest = ContestFactory(name="青云杯创新大赛", slug="qingyun")
    group = OrganizationFactory(name="海岳控股集团", kind=OrganizationKind.SOE)
    lead_unit = OrganizationFactory(name="海岳智联科技有限公司", short_name="海岳智联科技", parent=group)
    member_org = OrganizationFactory(name="星河算力研究院", short_name="星河算力研究院")
    sibling = OrganizationFactory(name="海岳物流有限公司", parent=group)
    publisher_org = OrganizationFactory(name="申江发榜银行", short_name="申江银行", kind=OrganizationKind.SOE)
    track = TrackFactory(contest=contest, name="数字金融赛道")
    scenario = ScenarioFactory(track=track, contest=contest, publisher=publisher_org, title="智能风控场景")
    now = timezone.now()
    q_round = RoundFactory(
        contest=contest,
        sequence=1,
        name="资格审查",
        kind=RoundKind.QUALIFICATION,
        status=RoundStatus.OPEN,
        submission_opens_at=now - dt.timedelta(days=10),
        submission_deadline=now - dt.timedelta(days=1),
    )
    round_ = RoundFactory(
        contest=contest,
        sequence=2,
        name="初赛",
        status=RoundStatus.JUDGING,
        blind_review=True,
        judges_per_solution=2,
        min_reviews=1,
        submission_opens_at=None,
        submission_deadline=None,
    )
    rubric = RubricFactory(round=round_, score_step=Decimal("0.5"), name="初赛评分表")
    criteria = [
        CriterionFactory(
            rubric=rubric,
            key="innovation",
            name="创新性",
            name_en="Innovation",
            guidance="技术路线是否新颖",
            guidance_en="Is the approach new?",
            weight=Decimal("2"),
            max_score=Decimal("10"),
            order=1,
        ),
        CriterionFactory(
            rubric=rubric, key="feasibility", name="可行性", weight=Decimal("1"), max_score=Decimal("10"), order=2
        ),
        CriterionFactory(
            rubric=rubric, key="value", name="应用价值", weight=Decimal("1"), max_score=Decimal("20"), order=3
        ),
    ]
    captain = UserFactory(username="captain_lifeng", full_name="李峰队长")
    team = TeamFactory(contest=contest, name="破晓先锋队", captain=captain, lead_unit=lead_unit)
    member = UserFactory(username="member_wangyu", full_name="王雨成员")
    TeamMembershipFactory(team=team, user=member, organization=member_org)
    uploader = UserFactory(username="uploader_zhao", full_name="赵上传")
    TeamMembershipFactory(team=team, user=uploader, organization=lead_unit)
    solution = SolutionFactory(
        contest=contest,
        scenario=scenario,
        team=team,
        title="基于图计算的风控方案",
        abstract="方案摘要：图计算风控",
        status=SolutionStatus.QUALIFIED,
    )
    file = _final_version(solution, uploader)
    RoundEntryFactory(round=round_, solution=solution)
    judge = UserFactory(username="judge_a", full_name="评委甲")
    other_judge = UserFactory(username="judge_b", full_name="评委乙")
    unassigned_judge = UserFactory(username="judge_c", full_name="评委丙")
    conflicted_judge = UserFactory(username="judge_d", full_name="评委丁", organization=sibling)
    for j in (judge, other_judge, unassigned_judge, conflicted_judge):
        JudgePoolMemberFactory(round=round_, judge=j)
        ContestRoleFactory(user=j, contest=contest, role=Role.JUDGE)
    publisher = UserFactory(username="publisher_bank", organization=publisher_org)
    ContestRoleFactory(user=publisher, contest=contest, role=Role.PUBLISHER, organization=publisher_org)
    organizer = UserFactory(username="organizer_sasac", full_name="组委会")
    ContestRoleFactory(user=organizer, contest=contest, role=Role.ORGANIZER)
    return StaffWorld(
        contest=contest,
        q_round=q_round,
        round=round_,
        rubric=rubric,
        criteria=criteria,
        scenario=scenario,
        team=team,
        solution=solution,
        file=file,
        captain=captain,
        member=member,
        uploader=uploader,
        lead_unit=lead_unit,
        judge=judge,
        other_judge=other_judge,
        unassigned_judge=unassigned_judge,
        conflicted_judge=conflicted_judge,
        publisher=publisher,
        organizer=organizer,
        assignment=JudgeAssignmentFactory(round=round_, solution=solution, judge=judge),
        other_assignment=JudgeAssignmentFactory(round=round_, solution=solution, judge=other_judge),
        # Assigned by hand before the conflict was known: the selector hides it all the same.
        conflicted_assignment=JudgeAssignmentFactory(round=round_, solution=solution, judge=conflicted_judge),
    )
