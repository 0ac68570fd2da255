"""Blind rounds: the organizer is shown the solutions whose title names their team, lead unit
or a co-unit (full, short or English name, any case), through the API and the round page."""

import pytest
from django.urls import reverse
from django.utils import timezone

from contest.enums import Role, RoundStatus
from submissions.models import SolutionVersion
from tests.factories.contest import (
    ContestFactory,
    ContestRoleFactory,
    OrganizationFactory,
    RoundFactory,
    ScenarioFactory,
    TrackFactory,
    UserFactory,
)
from tests.factories.submissions import RoundEntryFactory, SolutionFactory, TeamFactory

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


@pytest.fixture
def blind(db):
    contest = ContestFactory()
    track = TrackFactory(contest=contest, name="金融赛道")
    scenario = ScenarioFactory(track=track, contest=contest)
    round_ = RoundFactory(contest=contest, status=RoundStatus.JUDGING, blind_review=True)

    def solution(team, title):
        s = SolutionFactory(contest=contest, scenario=scenario, team=team, title=title)
        RoundEntryFactory(round=round_, solution=s)
        return s

    haiyue = OrganizationFactory(name="海岳智联科技有限公司", short_name="海岳智联")
    star = OrganizationFactory(name="星河算力研究院", name_en="Star Compute")
    team_short = TeamFactory(contest=contest, name="破晓先锋队", lead_unit=haiyue)
    team_latin = TeamFactory(contest=contest, name="Dawn Team", lead_unit=OrganizationFactory(short_name="A"))
    team_latin.co_units.add(star)
    team_clean = TeamFactory(contest=contest, name="晨光队", lead_unit=OrganizationFactory(name="晨光软件有限公司"))
    s = {
        "short": solution(team_short, "海岳智联：图计算风控方案"),
        "case": solution(team_latin, "dawn team 的 Risk Engine"),
        "co_unit": solution(TeamFactory(contest=contest, name="云帆队", lead_unit=OrganizationFactory()), "方案"),
        "clean": solution(team_clean, "基于大模型的 A 类客服方案"),
        "version": solution(TeamFactory(contest=contest, name="远航队", lead_unit=OrganizationFactory()), "航运方案"),
    }
    s["co_unit"].team.co_units.add(star)
    s["co_unit"].title = "与 STAR COMPUTE 合作的算力调度"
    s["co_unit"].save()
    # The final version's title names the team although the solution's does not.
    version = SolutionVersion.objects.create(
        solution=s["version"],
        number=1,
        title="远航队航运方案",
        sha256="0" * 64,
        created_by=s["version"].team.captain,
        created_at=timezone.now(),
    )
    s["version"].final_version = version
    s["version"].save()
    organizer = UserFactory()
    ContestRoleFactory(user=organizer, contest=contest, role=Role.ORGANIZER)
    host = UserFactory()
    ContestRoleFactory(user=host, contest=contest, role=Role.TRACK_HOST, track=track)
    judge = UserFactory()
    ContestRoleFactory(user=judge, contest=contest, role=Role.JUDGE)
    return {"round": round_, "s": s, "organizer": organizer, "host": host, "judge": judge}


def test_api_lists_titles_naming_the_team_or_its_units(api_client, blind):
    api_client.force_authenticate(blind["organizer"])
    response = api_client.get(f"/api/v1/judging/rounds/{blind['round'].pk}/blind-title-flags/")
    assert response.status_code == 200
    flags = {f["solution"]: f["matches"] for f in response.json()}
    s = blind["s"]
    assert set(flags) == {s["short"].pk, s["case"].pk, s["co_unit"].pk, s["version"].pk}
    assert flags[s["short"].pk] == [{"field": "title", "kind": "lead_unit", "name": "海岳智联"}]
    assert flags[s["case"].pk] == [{"field": "title", "kind": "team", "name": "Dawn Team"}]
    assert flags[s["co_unit"].pk] == [{"field": "title", "kind": "co_unit", "name": "Star Compute"}]
    assert flags[s["version"].pk] == [{"field": "version_title", "kind": "team", "name": "远航队"}]


def test_only_organizers_see_the_flags(api_client, blind):
    for who in ("host", "judge"):
        api_client.force_authenticate(blind[who])
        assert api_client.get(f"/api/v1/judging/rounds/{blind['round'].pk}/blind-title-flags/").status_code == 403


def test_round_page_of_a_blind_round_shows_the_flags(client, blind):
    client.force_login(blind["organizer"])
    html = client.get(reverse("dashboard_round", args=[blind["round"].pk])).content.decode()
    assert "data-title-flags" in html
    s = blind["s"]
    for key in ("short", "case", "co_unit", "version"):
        assert f'data-title-flag="{s[key].pk}"' in html
    assert f'data-title-flag="{s["clean"].pk}"' not in html


def test_round_page_of_an_open_round_has_no_flag_section(client, blind):
    blind["round"].blind_review = False
    blind["round"].save()
    client.force_login(blind["organizer"])
    assert "data-title-flags" not in client.get(reverse("dashboard_round", args=[blind["round"].pk])).content.decode()
