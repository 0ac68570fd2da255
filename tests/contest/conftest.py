"""One user per role in one contest, and a scenario factory bound to the own publisher's organization."""

from dataclasses import dataclass

import pytest

from contest.enums import OrganizationKind, Role, ScenarioStatus
from tests.factories.contest import (
    ContestFactory,
    ContestRoleFactory,
    OrganizationFactory,
    ScenarioFactory,
    TrackFactory,
    UserFactory,
)
from tests.factories.submissions import TeamFactory


@dataclass
class World:
    contest: object
    track: object
    own_org: object
    other_org: object
    users: dict

    def scenario(self, status=ScenarioStatus.DRAFT, **kwargs):
        kwargs.setdefault("publisher", self.own_org)
        kwargs.setdefault("track", self.track)
        return ScenarioFactory(status=status, **kwargs)


@pytest.fixture
def world(db):
    contest = ContestFactory()
    track = TrackFactory(contest=contest)
    own_org = OrganizationFactory(kind=OrganizationKind.SOE, name="上海银行股份有限公司（测试）")
    other_org = OrganizationFactory(kind=OrganizationKind.SOE, name="上海电气控股集团有限公司（测试）")
    organizer = ContestRoleFactory(contest=contest, role=Role.ORGANIZER).user
    own_publisher = ContestRoleFactory(contest=contest, role=Role.PUBLISHER, organization=own_org).user
    other_publisher = ContestRoleFactory(contest=contest, role=Role.PUBLISHER, organization=other_org).user
    judge = ContestRoleFactory(contest=contest, role=Role.JUDGE).user
    team_user = TeamFactory(contest=contest).captain
    users = {
        "anonymous": None,
        "other_publisher": other_publisher,
        "own_publisher": own_publisher,
        "team_user": team_user,
        "judge": judge,
        "organizer": organizer,
        "outsider": UserFactory(),
    }
    return World(contest=contest, track=track, own_org=own_org, other_org=other_org, users=users)
