"""Contests, tracks and rounds: read for everyone, write for organizers; constant list queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from contest.enums import OrganizingRole, Role
from contest.models import AuditEvent, Contest, ContestOrganization, ContestRole, Round, Track
from tests.factories.contest import ContestFactory, OrganizationFactory, RoundFactory, TrackFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

ROLES = ["anonymous", "other_publisher", "own_publisher", "team_user", "judge", "organizer"]


def client_for(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("resource", ["contests", "tracks", "rounds"])
def test_everyone_reads_contests_tracks_and_rounds(world, role, resource):
    RoundFactory(contest=world.contest)
    client = client_for(world.users[role])
    listing = client.get(f"/api/v1/{resource}/")
    assert listing.status_code == 200
    first = listing.json()["results"][0]["id"]
    assert client.get(f"/api/v1/{resource}/{first}/").status_code == 200


def _write_requests(world):
    round_ = RoundFactory(contest=world.contest, sequence=1)
    return {
        "contest_patch": ("patch", f"/api/v1/contests/{world.contest.pk}/", {"theme": "共创数字未来"}),
        "track_create": (
            "post",
            "/api/v1/tracks/",
            {"contest": world.contest.pk, "name": "数字金融", "host": world.own_org.pk},
        ),
        "track_patch": ("patch", f"/api/v1/tracks/{world.track.pk}/", {"order": 5}),
        "round_create": ("post", "/api/v1/rounds/", {"contest": world.contest.pk, "sequence": 2, "name": "初赛"}),
        "round_patch": ("patch", f"/api/v1/rounds/{round_.pk}/", {"judges_per_solution": 5}),
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "request_name", ["contest_patch", "track_create", "track_patch", "round_create", "round_patch"]
)
def test_only_organizers_write_contests_tracks_and_rounds(world, role, request_name):
    method, path, body = _write_requests(world)[request_name]
    response = getattr(client_for(world.users[role]), method)(path, body, format="json")
    if role == "organizer":
        assert response.status_code in (200, 201), response.json()
    elif role == "anonymous":
        assert (response.status_code, response.json()["code"]) == (403, "not_authenticated")
    else:
        assert (response.status_code, response.json()["code"]) == (403, "not_organizer")


def test_contest_create_is_for_staff_and_makes_the_creator_organizer(world):
    staff = UserFactory(is_staff=True)
    body = {"name": "2022大赛", "slug": "contest-2022"}
    refused = client_for(world.users["organizer"]).post("/api/v1/contests/", body, format="json")
    assert (refused.status_code, refused.json()["code"]) == (403, "not_staff")

    created = client_for(staff).post("/api/v1/contests/", body, format="json")

    assert created.status_code == 201
    contest = Contest.objects.get(slug="contest-2022")
    assert ContestRole.objects.filter(user=staff, contest=contest, role=Role.ORGANIZER).exists()
    duplicate = client_for(staff).post("/api/v1/contests/", body, format="json")
    assert (duplicate.status_code, duplicate.json()["code"]) == (409, "duplicate")


def test_round_windows_and_sequences_are_checked(world):
    client = client_for(world.users["organizer"])
    RoundFactory(contest=world.contest, sequence=1)
    bad_window = client.post(
        "/api/v1/rounds/",
        {
            "contest": world.contest.pk,
            "sequence": 2,
            "name": "x",
            "submission_opens_at": "2021-06-20T00:00:00+08:00",
            "submission_deadline": "2021-05-20T00:00:00+08:00",
        },
        format="json",
    )
    assert (bad_window.status_code, bad_window.json()["code"]) == (400, "invalid_window")
    taken = client.post("/api/v1/rounds/", {"contest": world.contest.pk, "sequence": 1, "name": "x"}, format="json")
    assert (taken.status_code, taken.json()["code"]) == (409, "duplicate")
    not_a_date = client.post(
        "/api/v1/rounds/",
        {"contest": world.contest.pk, "sequence": 3, "name": "x", "judging_opens_at": "tomorrow"},
        format="json",
    )
    assert (not_a_date.status_code, not_a_date.json()["code"]) == (400, "validation_error")
    assert Round.objects.filter(contest=world.contest).count() == 1


def test_round_status_is_not_writable_through_the_api(world):
    round_ = RoundFactory(contest=world.contest)
    response = client_for(world.users["organizer"]).patch(
        f"/api/v1/rounds/{round_.pk}/", {"status": "published"}, format="json"
    )
    assert response.status_code == 200
    round_.refresh_from_db()
    assert round_.status == "pending"


def test_track_name_is_unique_per_contest(world):
    response = client_for(world.users["organizer"]).post(
        "/api/v1/tracks/",
        {"contest": world.contest.pk, "name": world.track.name, "host": world.own_org.pk},
        format="json",
    )
    assert (response.status_code, response.json()["code"]) == (409, "duplicate")
    assert Track.objects.filter(contest=world.contest).count() == 1


def test_writes_are_audited(world):
    client = client_for(world.users["organizer"])
    client.patch(f"/api/v1/contests/{world.contest.pk}/", {"theme": "新主题"}, format="json")
    (event,) = AuditEvent.objects.filter(action="contest.update")
    assert (event.before["theme"], event.after["theme"], event.actor) == ("", "新主题", world.users["organizer"])


def test_draft_contests_are_hidden_from_the_public(world):
    draft = ContestFactory(status="draft")
    TrackFactory(contest=draft)
    assert client_for(None).get(f"/api/v1/contests/{draft.pk}/").status_code == 404
    assert {row["contest"] for row in client_for(None).get("/api/v1/tracks/").json()["results"]} == {world.contest.pk}


def test_token_endpoint_issues_a_token_that_authenticates(world):
    UserFactory(username="tokenuser")
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "tokenuser", "password": "pass-1234-word"}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.patch(f"/api/v1/contests/{world.contest.pk}/", {}, format="json").json()["code"] == "not_organizer"
    wrong = APIClient().post("/api/v1/auth/token/", {"username": "tokenuser", "password": "nope"}, format="json")
    assert (wrong.status_code, wrong.json()["code"]) == (400, "validation_error")


# --- query counts ------------------------------------------------------------------------------


def _make(resource, n):
    if resource == "contests":
        for _ in range(n):
            contest = ContestFactory()
            ContestOrganization.objects.create(
                contest=contest, organization=OrganizationFactory(), role=OrganizingRole.ORGANIZER
            )
    elif resource == "tracks":
        contest = ContestFactory()
        for _ in range(n):
            TrackFactory(contest=contest).co_hosts.add(OrganizationFactory(), OrganizationFactory())
    else:
        contest = ContestFactory()
        for _ in range(n):
            RoundFactory(contest=contest)


def _count(resource, n, user):
    Round.objects.all().delete()
    Track.objects.all().delete()
    Contest.objects.all().delete()
    _make(resource, n)
    client = client_for(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/api/v1/{resource}/")
    assert len(response.json()["results"]) == n
    return len(ctx.captured_queries)


@pytest.mark.parametrize("resource", ["contests", "tracks", "rounds"])
@pytest.mark.parametrize("signed_in", [False, True])
def test_list_runs_the_same_queries_for_1_and_20_rows(db, resource, signed_in):
    user = UserFactory() if signed_in else None
    one, twenty = _count(resource, 1, user), _count(resource, 20, user)
    print(f"{resource} list ({'signed in' if signed_in else 'anonymous'}): {one} queries for 1 row, {twenty} for 20")
    assert one == twenty


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"required_documents": ["proposal", "slides"]}, 201, None),
        ({"required_documents": "proposal"}, 400, "validation_error"),
        ({"required_documents": ["passport"]}, 400, "validation_error"),
        ({"judge_group_weights": {"soe": "0.3", "expert": "0.7"}}, 201, None),
        ({"judge_group_weights": {"soe": "0.3", "expert": "0.6"}}, 400, "invalid_round_settings"),
        ({"judge_group_weights": {"soe": "abc"}}, 400, "validation_error"),
        ({"judge_group_weights": ["0.3"]}, 400, "validation_error"),
        ({"carry_over": [{"round": 1, "weight": "0.4"}]}, 201, None),
        ({"carry_over": [{"round": 1, "weight": "1"}]}, 400, "invalid_round_settings"),
        ({"carry_over": [{"round": 5, "weight": "0.4"}]}, 400, "invalid_round_settings"),
        ({"carry_over": [{"weight": "0.4"}]}, 400, "validation_error"),
        ({"carry_over": "x"}, 400, "validation_error"),
    ],
)
def test_round_judging_settings_are_validated(world, body, status, code):
    response = client_for(world.users["organizer"]).post(
        "/api/v1/rounds/", {"contest": world.contest.pk, "sequence": 2, "name": "初赛", **body}, format="json"
    )
    assert response.status_code == status, response.json()
    if code:
        assert response.json()["code"] == code
    else:
        round_ = Round.objects.get(pk=response.json()["id"])
        for key, value in body.items():
            assert getattr(round_, key) == value


@pytest.mark.parametrize(("zone", "status"), [("Asia/Shanghai", 200), ("Mars/Olympus", 400), ("../etc/passwd", 400)])
def test_contest_time_zone_must_exist(world, zone, status):
    response = client_for(world.users["organizer"]).patch(
        f"/api/v1/contests/{world.contest.pk}/", {"time_zone": zone}, format="json"
    )
    assert response.status_code == status


def test_token_endpoint_works_with_login_throttling_enabled(world, settings):
    settings.AXES_ENABLED = True
    UserFactory(username="axesuser")
    client = APIClient()
    wrong = client.post("/api/v1/auth/token/", {"username": "axesuser", "password": "nope"}, format="json")
    right = client.post("/api/v1/auth/token/", {"username": "axesuser", "password": "pass-1234-word"}, format="json")
    assert (wrong.status_code, right.status_code) == (400, 200)


def test_token_endpoint_is_throttled():
    client = APIClient()
    statuses = [
        client.post("/api/v1/auth/token/", {"username": "nobody", "password": "x"}, format="json").status_code
        for _ in range(11)
    ]
    assert statuses == [400] * 10 + [429]
    assert client.post("/api/v1/auth/token/", {}, format="json").json()["code"] == "throttled"
