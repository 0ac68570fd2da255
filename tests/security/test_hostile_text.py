"""No 500s from input: NUL bytes (PostgreSQL refuses them in text), superscript digits and
numbers past 64 bits in any query parameter, path segment or form field are a 4xx with the
JSON error shape, on SQLite and PostgreSQL alike. Every operation of the schema is tried."""

import re

import pytest
from django.db import transaction
from django.test import Client

from .test_access_matrix import CASES, OPERATIONS, _close_stream, _url

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

NUL = "a\x00b"
# Every query parameter a list or search takes, plus a few no view knows.
QUERY_PARAMS = ["search", "ordering", "status", "code", "track", "contest", "user", "page", "page_size", "q", "kind"]
HOSTILE_QUERY = [NUL, "\x00", "²", "99999999999999999999"]


def _assert_clean(response, what):
    assert response.status_code < 500, (what, response.status_code, response.content[:300])
    if response.status_code >= 400 and response.get("Content-Type", "").startswith("application/json"):
        body = response.json()
        assert {"code", "detail", "extra"} <= set(body), (what, body)


def _hostile(value):
    """The same body with every text leaf replaced by one holding a NUL byte."""
    if isinstance(value, dict):
        return {k: _hostile(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_hostile(v) for v in value]
    if isinstance(value, str):
        return value + "\x00"
    return value


@pytest.mark.parametrize("value", HOSTILE_QUERY, ids=["nul-inside", "nul", "superscript", "huge"])
def test_hostile_query_parameters_on_every_read(world, client_for, value):
    client = client_for("organizer")
    for key, case in CASES.items():
        method, path = OPERATIONS[key.split("#")[0]]
        if method != "get":
            continue
        url = _url(path, case.get("params", lambda w: {})(world))
        response = client.get(url, dict.fromkeys(QUERY_PARAMS, value))
        _close_stream(response)
        _assert_clean(response, (key, value))


def test_nul_bytes_in_every_body_field(world, client_for):
    for persona in ("organizer", "captain_a"):
        client = client_for(persona)
        for key, case in CASES.items():
            method, path = OPERATIONS[key.split("#")[0]]
            if method == "get" or "body" not in case:
                continue
            with transaction.atomic():
                body = _hostile(case["body"](world))
                url = _url(path, case.get("params", lambda w: {})(world))
                fmt = "multipart" if case.get("multipart") else "json"
                response = getattr(client, method)(url, body, format=fmt)
                _close_stream(response)
                _assert_clean(response, (persona, key))
                transaction.set_rollback(True)


STR_SEGMENTS = [
    "/api/v1/certificates/{}/",
    "/api/v1/rounds/1/exports/{}.csv",
    "/invitations/{}/",
    "/c/{}/",
    "/certificates/verify/?code={}",
]


@pytest.mark.parametrize("template", STR_SEGMENTS)
@pytest.mark.parametrize("value", ["%00", "a%00b", "%C2%B2", "99999999999999999999"])
def test_hostile_path_segments(world, template, value):
    client = Client()
    client.force_login(world.users["captain_a"])
    response = client.get(template.format(value))
    _assert_clean(response, (template, value))
    assert response.status_code in (200, 302, 400, 403, 404), response.status_code


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/api/v1/scenarios/1%00/"), ("post", "/api/v1/solutions/%00/submit/"), ("get", "/api/v1/a%00b/")],
)
def test_a_nul_byte_in_a_path_is_a_json_404(world, client_for, method, path):
    response = getattr(client_for("captain_a"), method)(path)
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_a_nul_byte_in_a_query_parameter_is_a_400_naming_it(world, client_for):
    response = client_for("anonymous").get("/api/v1/scenarios/", {"search": NUL})
    assert (response.status_code, response.json()["code"]) == (400, "validation_error")
    assert list(response.json()["extra"]["fields"]) == ["search"]


@pytest.mark.parametrize("field", ["username", "password"])
def test_nul_bytes_in_page_forms(world, field):
    client = Client()
    data = {"username": "captain", "password": "x"} | {field: NUL}
    _assert_clean(client.post("/accounts/login/", data), field)
    signup = {"username": NUL, "email": "a\x00@example.com", "full_name": NUL, "password1": NUL, "password2": NUL}
    _assert_clean(client.post("/accounts/signup/", signup), "signup")


def test_scenario_search_page_with_nul(world):
    response = Client().get(f"/c/{world.contest.slug}/scenarios/", {"q": NUL, "search": NUL, "track": "²"})
    _assert_clean(response, "scenario list page")
    assert re.match(r"[24]\d\d", str(response.status_code))


# --- an invisible object is a 404 everywhere -----------------------------------------------


def test_taking_up_a_scenario_you_cannot_see_is_a_404_not_its_status(world, client_for):
    body = {"scenario": world.scenario_draft.pk, "title": "方案"}
    response = client_for("captain_a").post("/api/v1/solutions/", body, format="json")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert "draft" not in response.content.decode()


def test_a_team_in_an_unpublished_contest_is_a_404(world, client_for):
    from tests.factories.contest import ContestFactory, OrganizationFactory

    hidden = ContestFactory(status="draft")
    body = {"contest": hidden.pk, "name": "新队", "lead_unit": OrganizationFactory().pk}
    response = client_for("outsider").post("/api/v1/teams/", body, format="json")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_leaderboard_and_awards_of_an_unpublished_contest_are_404(world, client_for):
    world.contest.status = "draft"
    world.contest.save(update_fields=["status"])
    for path in (f"/api/v1/rounds/{world.round1.pk}/leaderboard/", f"/api/v1/contests/{world.contest.pk}/awards/"):
        for persona in ("anonymous", "captain_b", "organizer_other"):
            response = client_for(persona).get(path)
            assert (response.status_code, response.json()["code"]) == (404, "not_found"), (path, persona)
        assert client_for("organizer").get(path).status_code == 200, path
