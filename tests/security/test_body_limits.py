"""Request size: a body over the global limit is refused (413) before anything reads it, for
anonymous requests too; only the upload views take larger bodies, up to their own limits;
the objection endpoint checks sign-in before it parses."""

import pytest
from django.test import Client

from submissions.models import SolutionVersion

from .world import pdf, upload

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

LIMIT = 64 * 1024


@pytest.fixture(autouse=True)
def _small_global_limit(settings):
    settings.REQUEST_BODY_MAX_BYTES = LIMIT


class Unreadable:
    """A request body that fails the test if anything reads it."""

    def read(self, *args, **kwargs):
        raise AssertionError("the body was read")

    readline = read


def _unread(client, method, path, length, **extra):
    return client.generic(
        method,
        path,
        content_type="multipart/form-data; boundary=xyz",
        **{"wsgi.input": Unreadable(), "CONTENT_LENGTH": str(length), **extra},
    )


def _refused(response, status=413, code="request_too_large"):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == code
    return response.json()


@pytest.mark.parametrize(
    "path",
    ["/accounts/login/", "/accounts/signup/", "/api/v1/auth/token/", "/api/v1/teams/", "/no-such-page/"],
)
def test_an_anonymous_body_over_the_global_limit_is_refused_unread(world, path):
    body = _refused(_unread(Client(), "POST", path, LIMIT + 1))
    assert body["extra"] == {"limit": LIMIT}


def test_a_signed_in_json_body_over_the_limit_is_refused_and_at_the_limit_passes(world, client_for):
    client = client_for("captain_a")
    path = f"/api/v1/teams/{world.team_a.pk}/"
    padding = '{"name": "改名", "x": "' + "0" * LIMIT + '"}'
    _refused(client.generic("PATCH", path, padding.encode(), content_type="application/json"))
    at_limit = '{"name": "揭榜队", "x": "' + "0" * (LIMIT - 40) + '"}'
    assert len(at_limit.encode()) <= LIMIT
    response = client.generic("PATCH", path, at_limit.encode(), content_type="application/json")
    assert response.status_code != 413


def test_a_chunked_body_without_length_is_refused_unread(world):
    response = Client().generic(
        "POST",
        "/api/v1/auth/token/",
        content_type="application/json",
        **{"wsgi.input": Unreadable(), "CONTENT_LENGTH": "", "HTTP_TRANSFER_ENCODING": "chunked"},
    )
    _refused(response, 411, "length_required")


def test_a_malformed_content_length_is_a_400(world):
    _refused(_unread(Client(), "POST", "/api/v1/auth/token/", "１２"), 400, "bad_content_length")


def _pdf_of_size(size: int) -> bytes:
    body = pdf("x")
    return body + b"%" + b"0" * (size - len(body) - 2) + b"\n"


def test_the_upload_api_takes_bodies_over_the_global_limit_up_to_the_rounds(world, client_for):
    world.round1.max_upload_bytes = 4 * LIMIT
    world.round1.save(update_fields=["max_upload_bytes"])
    client = client_for("captain_a")
    url = f"/api/v1/solutions/{world.sol_a.pk}/versions/"
    response = client.post(url, {"proposal": upload("a.pdf", _pdf_of_size(3 * LIMIT))}, format="multipart")
    assert response.status_code == 201, response.content
    over = client.post(url, {"proposal": upload("b.pdf", _pdf_of_size(6 * LIMIT))}, format="multipart")
    assert (over.status_code, over.json()["code"]) == (413, "file_too_large")


def test_the_upload_page_takes_a_large_body_only_when_signed_in(world):
    world.round1.max_upload_bytes = 4 * LIMIT
    world.round1.save(update_fields=["max_upload_bytes"])
    path = f"/solutions/{world.sol_a.pk}/upload/"
    _refused(_unread(Client(), "POST", path, 2 * LIMIT))  # signed out: the global limit, unread
    client = Client()
    client.force_login(world.users["captain_a"])
    before = SolutionVersion.objects.filter(solution=world.sol_a).count()
    form = {"title": "大文件", "abstract": "", "proposal": upload("a.pdf", _pdf_of_size(3 * LIMIT))}
    response = client.post(path, form)
    assert response.status_code == 302, response.content
    assert SolutionVersion.objects.filter(solution=world.sol_a).count() == before + 1
    _refused(_unread(client, "POST", path, 10 * LIMIT), 413)


def test_the_objection_endpoint_checks_sign_in_before_parsing(world, client_for):
    path = f"/api/v1/publications/{world.publication.pk}/objections/"
    response = _unread(Client(), "POST", path, 3 * LIMIT)  # within the objection limit: reaches the view
    assert response.status_code == 403 and response.json()["code"] == "not_authenticated"
    _refused(_unread(client_for("captain_b"), "POST", path, 200 * 1024 * 1024))


def test_the_objection_page_takes_a_large_body_only_when_signed_in(world):
    path = f"/publications/{world.publication.pk}/objection/"
    _refused(_unread(Client(), "POST", path, 2 * LIMIT))
