"""Hostile numbers in query strings and paths are bad input (400 or 404 with the JSON error
shape), never a 500, on SQLite and PostgreSQL alike."""

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

HOSTILE = ["99999999999999999999", "9223372036854775808", "²", "١٢", "\x00", "0", "-1", "1e400", "１"]

# (persona, path, query parameter) for every list that takes an id from the query string.
QUERY_IDS = [
    ("anonymous", "/api/v1/scenarios/", "contest"),
    ("anonymous", "/api/v1/scenarios/", "track"),
    ("anonymous", "/api/v1/scenarios/", "publisher"),
    ("anonymous", "/api/v1/tracks/", "contest"),
    ("anonymous", "/api/v1/rounds/", "contest"),
    ("captain_a", "/api/v1/solutions/", "contest"),
    ("captain_a", "/api/v1/solutions/", "scenario"),
    ("captain_a", "/api/v1/objections/", "contest"),
]


@pytest.mark.parametrize("persona,path,param", QUERY_IDS)
@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_id_in_the_query_string_is_a_400_with_the_error_shape(world, client_for, persona, path, param, value):
    response = client_for(persona).get(path, {param: value})
    assert response.status_code == 400, (value, response.content[:200])
    assert response.json()["code"] == "validation_error"
    assert param in response.json()["extra"]["fields"]


@pytest.mark.parametrize("value", ["99999999999999999999", "1e400", "-5", "²"])
def test_a_hostile_reward_bound_is_a_400(world, client_for, value):
    response = client_for("anonymous").get("/api/v1/scenarios/", {"reward_max": value})
    assert response.status_code == 400, response.content[:200]


def test_a_good_id_still_filters(world, client_for):
    response = client_for("anonymous").get("/api/v1/scenarios/", {"contest": world.contest.pk})
    assert response.status_code == 200
    assert {row["contest"] for row in response.json()["results"]} <= {world.contest.pk}


@pytest.mark.parametrize("value", ["99999999999999999999", "9223372036854775808"])
def test_an_id_past_64_bits_in_the_path_is_a_json_404(world, client_for, value):
    for path in (f"/api/v1/scenarios/{value}/", f"/api/v1/contests/{value}/", f"/api/v1/rounds/{value}/leaderboard/"):
        response = client_for("captain_a").get(path)
        assert response.status_code == 404, (path, response.content[:200])
        assert response.json()["code"] == "not_found"


def test_leaderboard_track_filter_refuses_a_superscript(world, client_for):
    response = client_for("anonymous").get(f"/api/v1/rounds/{world.round2.pk}/leaderboard/", {"track": "²"})
    assert response.status_code in (400, 404)
    assert "code" in response.json()
