"""Operations: the load balancer probes, the request id, logging once, the API's root and 404s."""

import logging
import re

import pytest
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client, RequestFactory

from config.api_views import server_error
from config.request_id import RequestIdFilter
from tests.factories.contest import UserFactory

pytestmark = pytest.mark.unit

CLOSED_PORT_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1
REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"
UNREACHABLE_CACHE = {"default": {"BACKEND": REDIS_CACHE, "LOCATION": CLOSED_PORT_REDIS}}


# --- /health/ and /ready/ -------------------------------------------------------------------


@pytest.mark.django_db
def test_health_answers_without_asking_any_dependency(client, settings, django_assert_num_queries):
    settings.CACHES = UNREACHABLE_CACHE
    with django_assert_num_queries(0):
        response = client.get("/health/")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_ready_when_database_migrations_cache_and_broker_answer(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # the broker is asked, not skipped
    settings.CELERY_BROKER_URL = "memory://"
    response = client.get("/ready/")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok", "cache": "ok", "broker": "ok"},
    }


@pytest.mark.django_db
def test_ready_is_503_naming_an_unreachable_cache_and_says_nothing_of_its_address(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://:s3cret-pass@127.0.0.1:1/0",
        }
    }
    response = client.get("/ready/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["cache"].startswith("failed: ")
    assert (body["checks"]["database"], body["checks"]["migrations"], body["checks"]["broker"]) == ("ok",) * 3
    assert not re.search(r"127\.0\.0\.1|s3cret|redis:|:1\b", response.content.decode())


@pytest.mark.django_db
def test_ready_is_503_naming_an_unreachable_broker(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = CLOSED_PORT_REDIS
    response = client.get("/ready/")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["broker"].startswith("failed: ")
    assert checks["cache"] == checks["database"] == checks["migrations"] == "ok"
    assert "127.0.0.1" not in response.content.decode()


@pytest.mark.django_db
def test_ready_reaches_a_real_redis_broker(client, settings):
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL")
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = settings.REDIS_URL
    assert client.get("/ready/").json()["checks"]["broker"] == "ok"


@pytest.mark.django_db
def test_ready_is_503_while_a_migration_is_not_applied(client):
    MigrationRecorder.Migration.objects.filter(app="contest").order_by("-id").first().delete()
    response = client.get("/ready/")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "failed: PendingMigrations"


def test_probes_only_answer_reads(client):
    assert client.post("/health/").status_code == 405
    assert client.post("/ready/").status_code == 405


# --- the request id -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_sane_incoming_request_id_is_echoed(client):
    response = client.get("/health/", headers={"X-Request-ID": "lb-7f3a.42:eu"})
    assert response["X-Request-ID"] == "lb-7f3a.42:eu"


@pytest.mark.django_db
@pytest.mark.parametrize("incoming", [None, "", "two words", "x" * 129, 'a"b', "a\\nb", "日志", "-leading-dash"])
def test_an_absent_or_insane_request_id_is_replaced_by_a_fresh_one(client, incoming):
    headers = {} if incoming is None else {"X-Request-ID": incoming}
    first = client.get("/health/", headers=headers)["X-Request-ID"]
    second = client.get("/health/", headers=headers)["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first) and first != second


def _capture(logger_name="config"):
    """A handler like the console one: the request id filter, records kept."""

    class Keep(logging.Handler):
        records = []

        def emit(self, record):
            self.records.append(record)

    handler = Keep()
    handler.addFilter(RequestIdFilter())
    logging.getLogger().addHandler(handler)
    return handler


@pytest.mark.django_db
def test_every_log_record_of_a_request_carries_its_id(client, settings):
    """A record logged inside the request (a failed readiness check) and the one Django logs
    after the middleware returned (the 503) both carry the request's id; later ones do not."""
    settings.CACHES = UNREACHABLE_CACHE
    handler = _capture()
    try:
        client.get("/ready/", headers={"X-Request-ID": "probe-1"})
        logging.getLogger("config.after").warning("outside any request")
    finally:
        logging.getLogger().removeHandler(handler)
    by_logger = {r.name: r.request_id for r in handler.records}
    assert by_logger["config.ops"] == "probe-1"
    assert by_logger["django.request"] == "probe-1"
    assert by_logger["config.after"] == "-"


# --- the API: a root, and JSON everywhere under /api/ ----------------------------------------


@pytest.mark.django_db
def test_api_root_lists_the_resource_groups(api_client):
    response = api_client.get("/api/v1/")
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == "v1"
    assert body["schema"] == "http://testserver/api/schema/"
    assert body["docs"] == "http://testserver/api/docs/"
    groups = body["groups"]
    assert {"contests", "scenarios", "rounds", "teams", "solutions", "judging", "notifications"} <= set(groups)
    assert "/api/v1/scenarios/{pk}/submit/" in groups["scenarios"]
    assert "/api/v1/judging/my/assignments/" in groups["judging"]
    assert all(path.startswith(f"/api/v1/{name}/") for name, paths in groups.items() for path in paths)


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
@pytest.mark.parametrize("path", ["/api/v1/no-such-thing/", "/api/v1/contests/1/nope/", "/api/nope", "/api/"])
def test_an_unknown_path_under_api_is_a_json_404(client, method, path):
    body = {} if method == "get" else {"data": "{}", "content_type": "application/json"}
    response = getattr(client, method)(path, **body)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"code": "not_found", "detail": response.json()["detail"], "extra": {}}
    assert response.json()["detail"]


@pytest.mark.django_db
def test_a_post_to_an_unknown_api_path_is_a_json_404_even_with_csrf_checks():
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    response = client.post("/api/v1/no-such-thing/", {})
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


@pytest.mark.django_db
def test_an_endpoint_without_its_slash_is_redirected_for_get_and_404_for_post(client):
    response = client.get("/api/v1/contests?page=2")
    assert (response.status_code, response["Location"]) == (301, "/api/v1/contests/?page=2")
    response = client.post("/api/v1/contests", {})
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


@pytest.mark.django_db
def test_other_404s_stay_html_pages(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_server_error_under_api_is_json_and_a_page_elsewhere():
    api = server_error(RequestFactory().get("/api/v1/contests/"))
    assert api.status_code == 500
    assert api["Content-Type"] == "application/json"
    assert api.content.startswith(b'{"code": "server_error"')
    page = server_error(RequestFactory().get("/contests/"))
    assert (page.status_code, page["Content-Type"].startswith("text/html")) == (500, True)
