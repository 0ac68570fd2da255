"""The scenario API: a permission matrix of every role against every endpoint, filters and
search, and constant query counts on the list."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from contest.enums import ScenarioStatus
from contest.models import Scenario
from tests.factories.contest import ScenarioFactory, TrackFactory

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

S = ScenarioStatus
ROLES = ["anonymous", "other_publisher", "own_publisher", "team_user", "judge", "organizer"]


def client_for(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


# Each endpoint: (scenario state, method, path suffix, body, expected per role as (status, code)).
NA = (403, "not_authenticated")
NF = (404, "not_found")
NO = (403, "not_organizer")
NP = (403, "not_publisher")
OK = (200, None)
MATRIX = {
    "list": ({}, "get", "", None, dict.fromkeys(ROLES, OK)),
    "detail_published": ({"status": S.PUBLISHED}, "get", "{id}/", None, dict.fromkeys(ROLES, OK)),
    "detail_draft": (
        {"status": S.DRAFT},
        "get",
        "{id}/",
        None,
        {"anonymous": NF, "other_publisher": NF, "own_publisher": OK, "team_user": NF, "judge": NF, "organizer": OK},
    ),
    "create": (
        None,
        "post",
        "",
        "create",
        {
            "anonymous": NA,
            "other_publisher": (201, None),
            "own_publisher": (201, None),
            "team_user": NP,
            "judge": NP,
            "organizer": NP,
        },
    ),
    "update": (
        {"status": S.DRAFT},
        "patch",
        "{id}/",
        {"title": "改"},
        {"anonymous": NA, "other_publisher": NF, "own_publisher": OK, "team_user": NF, "judge": NF, "organizer": NP},
    ),
    "submit": (
        {"status": S.DRAFT},
        "post",
        "{id}/submit/",
        None,
        {"anonymous": NA, "other_publisher": NF, "own_publisher": OK, "team_user": NF, "judge": NF, "organizer": NP},
    ),
    "approve": (
        {"status": S.PENDING_REVIEW},
        "post",
        "{id}/approve/",
        None,
        {"anonymous": NA, "other_publisher": NF, "own_publisher": NO, "team_user": NF, "judge": NF, "organizer": OK},
    ),
    "reject": (
        {"status": S.PENDING_REVIEW},
        "post",
        "{id}/reject/",
        {"reason": "请补充预算依据"},
        {"anonymous": NA, "other_publisher": NF, "own_publisher": NO, "team_user": NF, "judge": NF, "organizer": OK},
    ),
    "close": (
        {"status": S.PUBLISHED},
        "post",
        "{id}/close/",
        None,
        {"anonymous": NA, "other_publisher": NO, "own_publisher": NO, "team_user": NO, "judge": NO, "organizer": OK},
    ),
    "request_withdrawal": (
        {"status": S.PUBLISHED},
        "post",
        "{id}/request-withdrawal/",
        {"reason": "业务调整"},
        {"anonymous": NA, "other_publisher": NP, "own_publisher": OK, "team_user": NP, "judge": NP, "organizer": NP},
    ),
    "approve_withdrawal": (
        {"status": S.PUBLISHED, "withdrawal_requested": True, "withdrawal_reason": "业务调整"},
        "post",
        "{id}/approve-withdrawal/",
        None,
        {"anonymous": NA, "other_publisher": NO, "own_publisher": NO, "team_user": NO, "judge": NO, "organizer": OK},
    ),
}
CASES = [(endpoint, role) for endpoint in MATRIX for role in ROLES]


@pytest.mark.parametrize(("endpoint", "role"), CASES)
def test_scenario_permission_matrix(world, endpoint, role):
    state, method, suffix, body, expected = MATRIX[endpoint]
    scenario = world.scenario(**state) if state is not None else None
    before = Scenario.objects.values_list("id", "status", "title", "withdrawal_requested").order_by("id")
    before = list(before)
    if body == "create":
        body = {"track": world.track.pk, "title": "新场景", "reward": "1000000.00"}
    path = "/api/v1/scenarios/" + suffix.format(id=scenario.pk if scenario else "")

    response = getattr(client_for(world.users[role]), method)(path, body, format="json")

    want_status, want_code = expected[role]
    assert response.status_code == want_status, response.json()
    if want_code:
        assert response.json()["code"] == want_code
        after = list(Scenario.objects.values_list("id", "status", "title", "withdrawal_requested").order_by("id"))
        assert after == before  # a refused request changes nothing


def test_workflow_through_the_api(world):
    publisher = client_for(world.users["own_publisher"])
    organizer = client_for(world.users["organizer"])
    created = publisher.post(
        "/api/v1/scenarios/", {"track": world.track.pk, "title": "RPA扩面", "reward": "1800000"}, format="json"
    )
    assert created.status_code == 201
    sid = created.json()["id"]
    assert created.json()["publisher"]["id"] == world.own_org.pk

    assert publisher.post(f"/api/v1/scenarios/{sid}/submit/").json()["status"] == "pending_review"
    rejected = organizer.post(f"/api/v1/scenarios/{sid}/reject/", {"reason": "目标不可量化"}, format="json").json()
    assert (rejected["status"], rejected["rejection_reason"]) == ("draft", "目标不可量化")
    publisher.patch(f"/api/v1/scenarios/{sid}/", {"summary": "量化目标"}, format="json")
    publisher.post(f"/api/v1/scenarios/{sid}/submit/")
    approved = organizer.post(f"/api/v1/scenarios/{sid}/approve/").json()
    assert approved["status"] == "published" and approved["published_at"]
    # Now the public sees it.
    assert client_for(None).get(f"/api/v1/scenarios/{sid}/").status_code == 200
    # A second approval is a conflict with a stable code.
    again = organizer.post(f"/api/v1/scenarios/{sid}/approve/")
    assert (again.status_code, again.json()["code"]) == (409, "invalid_transition")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"reason": ""}, "reason_required"),
        ({}, "validation_error"),
        ({"reason": 12}, None),  # coerced to "12": accepted
    ],
)
def test_reject_reason_input(world, body, code):
    scenario = world.scenario(S.PENDING_REVIEW)
    response = client_for(world.users["organizer"]).post(
        f"/api/v1/scenarios/{scenario.pk}/reject/", body, format="json"
    )
    if code is None:
        assert response.status_code == 200
    else:
        assert (response.status_code, response.json()["code"]) == (400, code)
        assert set(response.json()) == {"code", "detail", "extra"}


@pytest.mark.parametrize(
    "body",
    [
        {"track": 999999, "title": "x"},
        {"track": "abc", "title": "x"},
        {"title": "缺赛道"},
        {"track": None, "title": "x"},
        {"reward": "-1"},
        {"reward": "abc"},
        {"contact_email": "not-an-email"},
        {"duration_months": -3},
        {"status": "published"},
    ],
)
def test_bad_scenario_input_is_a_400_and_changes_nothing(world, body):
    body = {"track": world.track.pk, "title": "x", **body} if "track" not in body and "title" not in body else body
    count = Scenario.objects.count()
    response = client_for(world.users["own_publisher"]).post("/api/v1/scenarios/", body, format="json")
    if "status" in body:
        # Unknown fields are ignored by the input serializer: the draft is created as a draft.
        assert response.status_code == 201 and response.json()["status"] == "draft"
        return
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "validation_error"
    assert Scenario.objects.count() == count


def test_create_in_a_track_of_a_contest_where_one_is_not_publisher_is_refused(world):
    other_track = TrackFactory()
    response = client_for(world.users["own_publisher"]).post(
        "/api/v1/scenarios/", {"track": other_track.pk, "title": "x"}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (403, "not_publisher")


def test_patch_of_a_track_in_another_contest_is_refused(world):
    scenario = world.scenario(S.DRAFT)
    response = client_for(world.users["own_publisher"]).patch(
        f"/api/v1/scenarios/{scenario.pk}/", {"track": TrackFactory().pk}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (400, "track_mismatch")


def test_put_and_delete_are_not_offered(world):
    scenario = world.scenario(S.DRAFT)
    client = client_for(world.users["own_publisher"])
    assert client.put(f"/api/v1/scenarios/{scenario.pk}/", {}, format="json").status_code == 405
    assert client.delete(f"/api/v1/scenarios/{scenario.pk}/").status_code == 405


# --- visibility in lists -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("anonymous", {"published", "closed", "withdrawn"}),
        ("team_user", {"published", "closed", "withdrawn"}),
        ("judge", {"published", "closed", "withdrawn"}),
        ("other_publisher", {"published", "closed", "withdrawn", "other_draft"}),
        ("own_publisher", {"published", "closed", "withdrawn", "draft", "pending_review"}),
        ("organizer", {"published", "closed", "withdrawn", "draft", "pending_review", "other_draft"}),
    ],
)
def test_list_shows_each_role_what_it_may_see(world, role, visible):
    for status in S.values:
        world.scenario(status, title=status)
    world.scenario(S.DRAFT, title="other_draft", publisher=world.other_org)
    ScenarioFactory(status=S.DRAFT, title="foreign contest draft")

    response = client_for(world.users[role]).get("/api/v1/scenarios/", {"page_size": 100})

    assert {row["title"] for row in response.json()["results"]} == visible


def test_withdrawn_scenario_shows_its_reason_publicly(world):
    world.scenario(S.WITHDRAWN, withdrawal_requested=True, withdrawal_reason="发榜单位业务调整")
    (row,) = client_for(None).get("/api/v1/scenarios/").json()["results"]
    assert (row["status"], row["withdrawal_reason"]) == ("withdrawn", "发榜单位业务调整")


# --- filters and search ------------------------------------------------------------------------


@pytest.fixture
def catalogue(world):
    other_track = TrackFactory(contest=world.contest, name="数字智造")
    return {
        "finance": world.scenario(S.PUBLISHED, title="供应链金融服务", summary="开放银行", reward=Decimal("3000000")),
        "ocr": world.scenario(
            S.PUBLISHED, title="智能单据识别", problem="财务报表OCR识别准确率", reward=Decimal("1800000")
        ),
        "factory": world.scenario(
            S.CLOSED,
            title="预测性维护",
            summary="发电机组",
            track=other_track,
            publisher=world.other_org,
            reward=Decimal("2800000"),
        ),
        "withdrawn": world.scenario(
            S.WITHDRAWN, title="会员中台", reward=Decimal("2500000"), publisher=world.other_org
        ),
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"finance", "ocr", "factory", "withdrawn"}),
        ({"track": "TRACK"}, {"finance", "ocr", "withdrawn"}),
        ({"publisher": "OTHER"}, {"factory", "withdrawn"}),
        ({"status": "closed"}, {"factory"}),
        ({"status": ["closed", "withdrawn"]}, {"factory", "withdrawn"}),
        ({"search": "供应链"}, {"finance"}),  # title
        ({"search": "开放银行"}, {"finance"}),  # summary
        ({"search": "OCR"}, {"ocr"}),  # problem
        ({"search": "ocr"}, {"ocr"}),  # case-insensitive
        ({"search": "不存在的词"}, set()),
        ({"reward_min": "2500000"}, {"finance", "factory", "withdrawn"}),
        ({"reward_max": "2500000"}, {"ocr", "withdrawn"}),
        ({"reward_min": "2000000", "reward_max": "2900000"}, {"factory", "withdrawn"}),
        ({"contest": "CONTEST"}, {"finance", "ocr", "factory", "withdrawn"}),
        ({"contest": "999999"}, set()),
    ],
)
def test_scenario_filters_and_search(world, catalogue, params, expected):
    names = {"TRACK": world.track.pk, "OTHER": world.other_org.pk, "CONTEST": world.contest.pk}
    params = {k: names.get(v, v) if isinstance(v, str) else v for k, v in params.items()}
    response = client_for(None).get("/api/v1/scenarios/", params)
    assert response.status_code == 200
    by_id = {s.pk: name for name, s in catalogue.items()}
    assert {by_id[row["id"]] for row in response.json()["results"]} == expected


def test_ordering_by_reward(world, catalogue):
    rows = client_for(None).get("/api/v1/scenarios/", {"ordering": "-reward"}).json()["results"]
    assert [Decimal(r["reward"]) for r in rows] == sorted((Decimal(r["reward"]) for r in rows), reverse=True)


@pytest.mark.parametrize(
    "params",
    [{"reward_min": "abc"}, {"track": "x"}, {"status": "bogus"}, {"publisher": "1.5.2"}, {"page": "999"}],
)
def test_bad_filters_are_a_400_or_404_never_a_500(world, catalogue, params):
    response = client_for(None).get("/api/v1/scenarios/", params)
    assert response.status_code in (400, 404)
    assert {"code", "detail", "extra"} <= set(response.json())


def test_page_size_is_capped_at_100(world):
    Scenario.objects.bulk_create(
        [
            Scenario(
                contest=world.contest, track=world.track, publisher=world.own_org, title=f"场景{i}", status=S.PUBLISHED
            )
            for i in range(105)
        ]
    )
    body = client_for(None).get("/api/v1/scenarios/", {"page_size": 100000}).json()
    assert (body["count"], len(body["results"])) == (105, 100)


# --- query counts ------------------------------------------------------------------------------


def _list_queries(user, n, world):
    Scenario.objects.all().delete()
    for _ in range(n):
        world.scenario(S.PUBLISHED, track=TrackFactory(contest=world.contest))
    client = client_for(user)
    cache.clear()  # anonymous lists are cached (contest/api/cache.py): count the uncached path
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/v1/scenarios/")
    assert response.status_code == 200
    assert len(response.json()["results"]) == n
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["anonymous", "own_publisher", "organizer"])
def test_scenario_list_runs_the_same_queries_for_1_and_20_rows(world, role):
    user = world.users[role]
    one, twenty = _list_queries(user, 1, world), _list_queries(user, 20, world)
    print(f"scenario list as {role}: {one} queries for 1 row, {twenty} for 20 rows")
    assert one == twenty
