"""Limits: upload size, number of files and fields, page size, ordering fields, login lock-out
under parallel guessing, export rate."""

import threading

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from contest.models import Scenario
from submissions.models import SolutionFile, SolutionVersion

from .world import PASSWORD, pdf, upload

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


def _pdf_of_size(size: int) -> bytes:
    body = pdf("x")
    return body + b"%" + b"0" * (size - len(body) - 2) + b"\n"


def _versions(world):
    return SolutionVersion.objects.filter(solution=world.sol_a).count(), SolutionFile.objects.count()


def _media_files(root):
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


# --- upload size ---------------------------------------------------------------------------


def test_upload_exactly_at_the_round_limit_is_accepted_and_one_byte_over_is_refused(world, client_for, settings):
    from pathlib import Path

    limit = world.round1.max_upload_bytes
    client = client_for("captain_a")
    url = f"/api/v1/solutions/{world.sol_a.pk}/versions/"
    at_limit = client.post(url, {"proposal": upload("a.pdf", _pdf_of_size(limit))}, format="multipart")
    assert at_limit.status_code == 201, at_limit.content
    before, media_before = _versions(world), _media_files(Path(settings.MEDIA_ROOT))

    over = client.post(url, {"proposal": upload("b.pdf", _pdf_of_size(limit + 1))}, format="multipart")

    assert over.status_code == 413, over.content
    assert over.json()["code"] == "file_too_large"
    assert _versions(world) == before
    assert _media_files(Path(settings.MEDIA_ROOT)) == media_before


def test_a_body_declared_far_over_the_limit_is_refused_before_it_is_read(world, client_for):
    client = client_for("captain_a")
    before = _versions(world)
    response = client.generic(
        "POST",
        f"/api/v1/solutions/{world.sol_a.pk}/versions/",
        b"",
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(10 * 1024 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert _versions(world) == before


# --- number of files and fields ------------------------------------------------------------


def test_more_files_than_data_upload_max_number_files_is_refused(world, client_for, settings):
    count = settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1
    before = _versions(world)
    response = client_for("captain_a").post(
        f"/api/v1/solutions/{world.sol_a.pk}/versions/",
        {"attachment": [upload(f"f{i}.pdf", pdf(str(i))) for i in range(count)]},
        format="multipart",
    )
    assert response.status_code == 400
    assert _versions(world) == before


def test_more_fields_than_data_upload_max_number_fields_is_refused(world, client_for, settings):
    count = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1
    before = _versions(world)
    data = {f"field{i}": "x" for i in range(count)}
    data["proposal"] = upload("a.pdf", pdf())
    response = client_for("captain_a").post(f"/api/v1/solutions/{world.sol_a.pk}/versions/", data, format="multipart")
    assert response.status_code == 400
    assert _versions(world) == before


def test_too_many_form_fields_on_a_json_endpoint_is_a_400_not_a_500(world, client_for, settings):
    count = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1
    body = "&".join(f"f{i}=x" for i in range(count))
    response = client_for("captain_a").generic(
        "POST", "/api/v1/teams/", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400


# --- page size and ordering ----------------------------------------------------------------


@pytest.fixture
def many_scenarios(world):
    Scenario.objects.bulk_create(
        [
            Scenario(
                contest=world.contest,
                track=world.track,
                publisher=world.scenario.publisher,
                title=f"批量场景{i}",
                status="published",
            )
            for i in range(110)
        ]
    )


@pytest.mark.parametrize("page_size", ["1000", "101", "100000000000000000000", "-1", "abc"])
def test_page_size_is_capped_at_100(world, many_scenarios, page_size):
    response = APIClient().get("/api/v1/scenarios/", {"page_size": page_size})
    assert response.status_code == 200
    assert len(response.json()["results"]) <= 100


def test_solution_list_page_size_is_capped(world, client_for):
    response = client_for("organizer").get("/api/v1/solutions/", {"page_size": 100000})
    assert response.status_code == 200
    assert response.json()["count"] == 2


LIST_WITH_ORDERING = ["/api/v1/contests/", "/api/v1/tracks/", "/api/v1/rounds/", "/api/v1/scenarios/"]
HOSTILE_ORDERING = [
    "no_such_field",
    "created_by__password",
    "publisher__users__password",
    "contest__roles__user__password",
    "-track__host__users__email",
    "id,no_such_field",
    "__class__",
    "",
    ",,,",
    "reward;DROP TABLE contest_scenario",
]


@pytest.mark.parametrize("url", LIST_WITH_ORDERING)
def test_unknown_ordering_fields_are_ignored_never_a_500(world, client_for, url):
    client = client_for("organizer")
    default_ids = [r["id"] for r in client.get(url, {"page_size": 100}).json()["results"]]
    for ordering in HOSTILE_ORDERING:
        response = client.get(url, {"ordering": ordering, "page_size": 100})
        assert response.status_code in (200, 400), (ordering, response.content)
        if response.status_code == 200:
            ids = [r["id"] for r in response.json()["results"]]
            expected = sorted(default_ids) if ordering.startswith("id,") else default_ids
            assert ids == expected, f"ordering={ordering!r} changed the order"


def test_an_allowed_ordering_field_does_order(world, many_scenarios):
    response = APIClient().get("/api/v1/scenarios/", {"ordering": "-id", "page_size": 100})
    ids = [r["id"] for r in response.json()["results"]]
    assert ids == sorted(ids, reverse=True)


# --- login lock-out ------------------------------------------------------------------------


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    cache.clear()
    yield settings
    cache.clear()


GUESSER = "10.0.0.9"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel logins need a server database")
@pytest.mark.django_db(transaction=True)
def test_lockout_holds_under_50_parallel_bad_logins(axes_on):
    from axes.models import AccessAttempt

    from tests.factories.contest import UserFactory

    user = UserFactory(username="victim")
    user.set_password(PASSWORD)
    user.save()
    statuses = []
    lock = threading.Lock()
    start = threading.Barrier(50)

    def guess(i):
        try:
            start.wait()
            response = Client(REMOTE_ADDR=GUESSER).post(
                "/accounts/login/", {"username": "victim", "password": f"wrong-{i}"}
            )
            with lock:
                statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    assert len(statuses) == 50
    assert all(s in (200, 403, 429) for s in statuses), statuses  # a failed form or the lock-out page
    assert sum(s == 429 for s in statuses) >= 50 - axes_on.AXES_FAILURE_LIMIT - 10, statuses
    assert sum(a.failures_since_start for a in AccessAttempt.objects.filter(username="victim")) >= (
        axes_on.AXES_FAILURE_LIMIT
    )
    # The right password from the guesser's address no longer gets in: the account is locked there.
    web = Client(REMOTE_ADDR=GUESSER).post("/accounts/login/", {"username": "victim", "password": PASSWORD})
    assert web.status_code == 429
    assert "_auth_user_id" not in web.client.session
    api = APIClient(REMOTE_ADDR=GUESSER).post(
        "/api/v1/auth/token/", {"username": "victim", "password": PASSWORD}, format="json"
    )
    assert api.status_code in (400, 403, 429)
    assert "token" not in api.json()
    # The owner, at another address, is not locked out by someone else's guesses (user + address).
    web = Client(REMOTE_ADDR="192.0.2.10").post("/accounts/login/", {"username": "victim", "password": PASSWORD})
    assert web.status_code == 302


def test_without_lockout_the_right_password_still_works_after_failures(db, settings):
    """The control for the test above: with axes off, the same sequence ends in a login."""
    from tests.factories.contest import UserFactory

    settings.AXES_ENABLED = False
    user = UserFactory(username="victim2")
    user.set_password(PASSWORD)
    user.save()
    for i in range(20):
        Client().post("/accounts/login/", {"username": "victim2", "password": f"wrong-{i}"})
    response = Client().post("/accounts/login/", {"username": "victim2", "password": PASSWORD})
    assert response.status_code == 302


def test_token_endpoint_is_throttled(db):
    cache.clear()
    client = APIClient(REMOTE_ADDR="198.51.100.7")
    codes = [
        client.post("/api/v1/auth/token/", {"username": "nobody", "password": "x"}, format="json").status_code
        for _ in range(12)
    ]
    cache.clear()
    assert codes[-1] == 429, codes


# --- export rate ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind_fmt", ["results.csv", "scores.xlsx"])
def test_exports_are_rate_limited(world, client_for, kind_fmt):
    cache.clear()
    client = client_for("organizer")
    url = f"/api/v1/rounds/{world.round2.pk}/exports/{kind_fmt}"
    codes = [client.get(url).status_code for _ in range(31)]
    cache.clear()
    assert codes[:30] == [200] * 30
    assert codes[30] == 429
