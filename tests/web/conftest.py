import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from contest.enums import Role, RoundKind, ScenarioStatus
from tests.factories.contest import (
    ContestFactory,
    ContestRoleFactory,
    OrganizationFactory,
    RoundFactory,
    ScenarioFactory,
    TrackFactory,
    UserFactory,
)
from tests.factories.submissions import TeamFactory


@pytest.fixture
def world(db):
    """A published contest with two tracks, an open qualification round and people in every role."""
    contest = ContestFactory(name="2021上海国资国企数字化转型创新大赛", slug="sh-2021")
    bank = OrganizationFactory(name="上海银行股份有限公司", short_name="上海银行")
    electric = OrganizationFactory(name="上海电气控股集团有限公司", short_name="上海电气")
    fin = TrackFactory(contest=contest, name="数字金融", host=bank, order=1)
    mfg = TrackFactory(contest=contest, name="数字智造", host=electric, order=2)
    round1 = RoundFactory(contest=contest, sequence=1, name="资格审查", kind=RoundKind.QUALIFICATION, status="open")
    round2 = RoundFactory(
        contest=contest,
        sequence=2,
        name="初赛",
        submission_opens_at=timezone.now() + dt.timedelta(days=10),
        submission_deadline=timezone.now() + dt.timedelta(days=20),
    )
    s_fin = ScenarioFactory(
        track=fin, publisher=bank, title="供应链金融场景服务", reward=Decimal("3000000"), summary="开放银行"
    )
    s_mfg = ScenarioFactory(track=mfg, publisher=electric, title="发电机组预测性维护", reward=Decimal("2800000"))
    s_draft = ScenarioFactory(track=fin, publisher=bank, title="草稿场景", status=ScenarioStatus.DRAFT)
    s_withdrawn = ScenarioFactory(
        track=mfg,
        publisher=electric,
        title="已撤榜场景",
        status=ScenarioStatus.WITHDRAWN,
        withdrawal_reason="需求调整",
    )
    organizer = ContestRoleFactory(contest=contest, role=Role.ORGANIZER).user
    publisher = ContestRoleFactory(contest=contest, role=Role.PUBLISHER, organization=bank).user
    other_publisher = ContestRoleFactory(contest=contest, role=Role.PUBLISHER, organization=electric).user
    judge = ContestRoleFactory(contest=contest, role=Role.JUDGE).user
    team = TeamFactory(contest=contest, name="揭榜一队")
    other_team = TeamFactory(contest=contest, name="揭榜二队")
    outsider = UserFactory()
    return SimpleNamespace(
        contest=contest,
        bank=bank,
        electric=electric,
        fin=fin,
        mfg=mfg,
        round1=round1,
        round2=round2,
        s_fin=s_fin,
        s_mfg=s_mfg,
        s_draft=s_draft,
        s_withdrawn=s_withdrawn,
        organizer=organizer,
        publisher=publisher,
        other_publisher=other_publisher,
        judge=judge,
        team=team,
        captain=team.captain,
        other_team=other_team,
        outsider=outsider,
    )
