"""`Authorization: Token <key>` on the API (contest/api/authentication.py): the user and the
token's creation time are read by one statement; unknown keys and inactive users are refused as
DRF refuses them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from contest.hot_reads import user_by_token
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

    response, queries = _get(token.key)

    assert response.status_code == 200
    user_reads = [q["sql"] for q in queries if '"authtoken_token"' in q["sql"]]
    assert len(user_reads) == 1 and '"contest_user"."id"' in user_reads[0]
    assert not [q["sql"] for q in queries if '"contest_user"' in q["sql"] and q["sql"] not in user_reads]


def test_the_token_read_carries_the_user_and_the_tokens_creation_time(django_assert_num_queries):
    user = UserFactory()
    token = Token.objects.create(user=user)

    with django_assert_num_queries(1):
        found = user_by_token(token.key)

    assert found == user and found.token_created == token.created
    assert user_by_token("0" * 40) is None


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
