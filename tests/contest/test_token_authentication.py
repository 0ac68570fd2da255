"""`Authorization: Token <key>` on the API (contest/api/authentication.py): the user is read by
one compiled statement; unknown keys and inactive users are refused as DRF refuses them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from contest.api.authentication import _USER_BY_TOKEN
from tests.factories.contest import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

ME = "/api/v1/notifications/"


def _get(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(ME)
    return response, ctx.captured_queries


def test_a_valid_token_signs_its_user_in_with_one_statement():
    user = UserFactory()
    token = Token.objects.create(user=user)
    _get(token.key)  # compiles the read

    response, queries = _get(token.key)

    assert response.status_code == 200
    assert _USER_BY_TOKEN.is_compiled
    user_reads = [q["sql"] for q in queries if '"authtoken_token"' in q["sql"]]
    assert len(user_reads) == 1 and '"contest_user"."id"' in user_reads[0]


@pytest.mark.parametrize("language, detail", [("en", "Invalid token."), ("zh-hans", "认证令牌无效。")])
def test_an_unknown_token_is_refused(language, detail):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    response = client.get(ME, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 403  # as DRF answers when session authentication comes first
    assert response.json()["detail"] == detail


def test_an_inactive_users_token_is_refused():
    user = UserFactory(is_active=False)
    token = Token.objects.create(user=user)
    response, _ = _get(token.key)
    assert response.status_code == 403  # as DRF answers when session authentication comes first
