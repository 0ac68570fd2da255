"""The public read cache of the anonymous scenario list and detail (contest/api/cache.py)."""

import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from contest import services
from contest.api import cache as public_cache
from contest.enums import ContestStatus, OrganizationKind, ScenarioStatus
from contest.models import Contest
from tests.factories.contest import ScenarioFactory

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

S = ScenarioStatus
LIST = "/api/v1/scenarios/"
SIGNED_IN = ["own_publisher", "other_publisher", "organizer", "judge", "team_user"]


def detail(scenario):
    return f"/api/v1/scenarios/{scenario.pk}/"


def get(path, user=None, **headers):
    """One GET as `user` (None: anonymous); returns (response, number of SQL queries)."""
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, **headers)
    return response, len(queries.captured_queries)


def titles(response):
    return {row["title"] for row in response.json()["results"]}


@pytest.fixture
def published(world):
    return world.scenario(S.PUBLISHED, title="公开场景")


# --- hits ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["list", "detail"])
def test_anonymous_second_request_is_a_hit_without_queries(published, kind):
    path = LIST if kind == "list" else detail(published)
    first, first_queries = get(path)
    second, second_queries = get(path)

    assert first.status_code == second.status_code == 200
    assert first_queries > 0
    assert second_queries == 0


@pytest.mark.parametrize("kind", ["list", "detail"])
def test_hit_is_byte_identical_to_the_uncached_answer(published, kind):
    ScenarioFactory(track=published.track, publisher=published.publisher)  # two pages: a next link
    path = LIST + "?page_size=1&ordering=-id" if kind == "list" else detail(published)
    miss, _ = get(path)
    hit, hit_queries = get(path)
    cache.clear()
    live, _ = get(path)

    assert hit_queries == 0
    assert hit.content == miss.content == live.content
    assert hit["Content-Type"] == live["Content-Type"] == "application/json"
    # Every answer has its own request id (config/request_id.py), a hit too; the rest is the same.
    assert hit["X-Request-ID"] != live["X-Request-ID"]
    assert {**hit.headers, "X-Request-ID": ""} == {**live.headers, "X-Request-ID": ""}


def test_list_page_links_keep_the_host_they_were_asked_on(published, world):
    world.scenario(S.PUBLISHED)
    a, _ = get(LIST + "?page_size=1", HTTP_HOST="localhost")
    b, queries = get(LIST + "?page_size=1", HTTP_HOST="127.0.0.1")

    assert queries > 0
    assert a.json()["next"].startswith("http://localhost/") and b.json()["next"].startswith("http://127.0.0.1/")


# --- who reads and fills ------------------------------------------------------------------------


@pytest.mark.parametrize("role", SIGNED_IN)
def test_signed_in_user_never_gets_the_cached_anonymous_list(world, published, role):
    world.scenario(S.DRAFT, title="本单位草稿")
    world.scenario(S.DRAFT, title="他单位草稿", publisher=world.other_org)
    anonymous, _ = get(LIST)
    live = titles(get(LIST, world.users[role])[0])
    cache.clear()

    cached = titles(get(LIST, world.users[role])[0])

    assert titles(anonymous) == {"公开场景"}
    assert cached == live


@pytest.mark.parametrize("role", ["own_publisher", "organizer"])
def test_signed_in_user_never_fills_the_anonymous_cache(world, published, role):
    world.scenario(S.DRAFT, title="本单位草稿")
    assert "本单位草稿" in titles(get(LIST, world.users[role])[0])

    anonymous, queries = get(LIST)

    assert queries > 0
    assert titles(anonymous) == {"公开场景"}


def test_session_user_is_not_served_from_the_cache(world, published):
    world.scenario(S.DRAFT, title="本单位草稿")
    get(LIST)
    client = APIClient()
    client.force_login(world.users["own_publisher"])

    assert "本单位草稿" in titles(client.get(LIST))


def test_token_user_is_not_served_from_the_cache(world, published):
    world.scenario(S.DRAFT, title="本单位草稿")
    get(LIST)
    token = Token.objects.create(user=world.users["own_publisher"])

    response, queries = get(LIST, HTTP_AUTHORIZATION=f"Token {token.key}")

    assert queries > 0 and "本单位草稿" in titles(response)


def test_a_request_with_any_authorization_header_bypasses_the_cache(published):
    get(LIST)
    _, queries = get(LIST, HTTP_AUTHORIZATION="Bearer something-else")
    assert queries > 0


# --- invalidation -------------------------------------------------------------------------------


def test_new_published_scenario_shows_at_once(world, published):
    get(LIST)
    world.scenario(S.PUBLISHED, title="新场景")
    assert titles(get(LIST)[0]) == {"公开场景", "新场景"}


def test_edit_shows_at_once(published):
    get(detail(published))
    published.title = "改后标题"
    published.save()
    assert get(detail(published))[0].json()["title"] == "改后标题"


def test_approval_publishes_at_once(world):
    scenario = world.scenario(S.PENDING_REVIEW, title="待审")
    get(LIST)
    assert get(detail(scenario))[0].status_code == 404

    services.scenario_approve(actor=world.users["organizer"], scenario=scenario)

    assert titles(get(LIST)[0]) == {"待审"}
    assert get(detail(scenario))[0].status_code == 200


def test_close_and_withdrawal_show_at_once(world, published):
    organizer, publisher = world.users["organizer"], world.users["own_publisher"]
    get(detail(published))
    services.scenario_withdrawal_request(actor=publisher, scenario=published, reason="业务调整")
    body = get(detail(published))[0].json()
    assert (body["withdrawal_requested"], body["withdrawal_reason"]) == (True, "业务调整")

    services.scenario_withdrawal_approve(actor=organizer, scenario=published)
    assert get(detail(published))[0].json()["status"] == "withdrawn"

    other = world.scenario(S.PUBLISHED)
    get(detail(other))
    services.scenario_close(actor=organizer, scenario=other)
    assert get(detail(other))[0].json()["status"] == "closed"


def test_unpublished_and_deleted_scenarios_disappear_at_once(world, published):
    gone = world.scenario(S.PUBLISHED, title="将删除")
    for path in (LIST, detail(published), detail(gone)):
        get(path)

    published.status = S.DRAFT
    published.save()
    gone.delete()

    assert get(detail(published))[0].status_code == 404
    assert get(detail(gone))[0].status_code == 404
    assert titles(get(LIST)[0]) == set()


def test_track_and_publisher_renamed_show_at_once(world, published):
    get(detail(published))
    services.track_update(actor=world.users["organizer"], track=world.track, data={"name": "新赛道名"})
    world.own_org.name = "新单位名"
    world.own_org.kind = OrganizationKind.UNIVERSITY
    world.own_org.save()

    body = get(detail(published))[0].json()

    assert body["track"]["name"] == "新赛道名"
    assert (body["publisher"]["name"], body["publisher"]["kind"]) == ("新单位名", "university")


def test_contest_back_to_draft_hides_its_scenarios_at_once(world, published):
    get(LIST)
    services.contest_update(actor=world.users["organizer"], contest=world.contest, data={"status": "draft"})
    assert titles(get(LIST)[0]) == set()


def test_update_bypassing_signals_is_covered_by_public_scenarios_changed(world, published):
    get(LIST)
    Contest.objects.filter(pk=world.contest.pk).update(status=ContestStatus.DRAFT)
    public_cache.public_scenarios_changed()
    assert titles(get(LIST)[0]) == set()


def test_change_makes_pages_stale_again_when_it_commits(published, django_capture_on_commit_callbacks):
    """A page filled between a change and its commit may hold the rows from before the change
    (another connection does not see them yet); the replacement on commit makes it stale."""
    with django_capture_on_commit_callbacks(execute=True):
        published.title = "提交后可见"
        published.save()
        get(detail(published))  # filled before the commit
        assert get(detail(published))[1] == 0

    after, queries = get(detail(published))

    assert queries > 0
    assert after.json()["title"] == "提交后可见"


def test_entries_expire_after_the_safety_ttl(published):
    get(LIST)
    key = next(k for k in cache._cache if public_cache.PAGE_KEY_PREFIX in k)  # LocMemCache internals
    assert 0 < cache._expire_info[key] - time.time() <= public_cache.PAGE_TTL_SECONDS


# --- what is keyed and what is not cached -------------------------------------------------------


def test_languages_get_separate_entries(published):
    zh, _ = get(LIST, HTTP_ACCEPT_LANGUAGE="zh-hans")
    en, queries = get(LIST, HTTP_ACCEPT_LANGUAGE="en")
    en_again, queries_again = get(LIST, HTTP_ACCEPT_LANGUAGE="en")

    assert queries > 0 and queries_again == 0
    assert (zh["Content-Language"], en["Content-Language"], en_again["Content-Language"]) == ("zh-hans", "en", "en")


@pytest.mark.parametrize(("query", "headers"), [("?format=api", {}), ("", {"HTTP_ACCEPT": "text/html"})])
def test_browsable_api_is_not_cached_nor_served_from_the_cache(published, query, headers):
    get(LIST)  # the JSON page is cached
    for _ in range(2):
        html, queries = get(LIST + query, **headers)
        assert html["Content-Type"].startswith("text/html") and queries > 0
    assert get(LIST)[0]["Content-Type"] == "application/json"


def test_accepted_media_type_parameters_are_part_of_the_key(published):
    compact, _ = get(LIST)
    indented, queries = get(LIST, HTTP_ACCEPT="application/json; indent=4")

    assert queries > 0
    assert b"\n    " in indented.content and b"\n" not in compact.content


def test_errors_are_never_cached(world):
    draft = world.scenario(S.DRAFT)
    for _ in range(2):
        response, queries = get(detail(draft))
        assert response.status_code == 404 and queries > 0
    for _ in range(2):
        response, _ = get(LIST + "?status=bogus")
        assert response.status_code == 400
    assert not [k for k in cache._cache if public_cache.PAGE_KEY_PREFIX in k]


@pytest.mark.parametrize("query", ["?search=场景", "?unknown=1"])
def test_open_ended_queries_are_not_cached(published, query):
    get(LIST + query)
    response, queries = get(LIST + query)
    assert response.status_code == 200 and queries > 0


# --- outage -------------------------------------------------------------------------------------


@pytest.fixture
def redis_down(settings):
    """The default cache is a Redis server that refuses connections."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }


def test_cache_outage_falls_back_to_the_live_answer(published, redis_down):
    for path in (LIST, detail(published)):
        response, queries = get(path)
        assert response.status_code == 200 and queries > 0
    assert titles(get(LIST)[0]) == {"公开场景"}


def test_cache_outage_does_not_break_writes(world, published, redis_down, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.scenario_close(actor=world.users["organizer"], scenario=published)
    assert get(detail(published))[0].json()["status"] == "closed"
