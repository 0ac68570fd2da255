"""API tokens expire, can be revoked, and die with the password (contest/tokens.py,
contest/api/authentication.py). Through the API and the password pages."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from contest.models import AuditEvent
from tests.factories.contest import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

PASSWORD = "pass-1234-word"  # the factory's
TOKEN_URL = "/api/v1/auth/token/"
ME = "/api/v1/notifications/"


def obtain(user) -> dict:
    response = APIClient().post(TOKEN_URL, {"username": user.username, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def with_token(key) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_token_expires_after_its_lifetime_and_a_new_login_gives_a_new_one(settings, time_machine):
    settings.AUTH_TOKEN_TTL_HOURS = 24
    time_machine.move_to(dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC), tick=False)
    user = UserFactory()
    first = obtain(user)
    assert dt.datetime.fromisoformat(first["expires_at"]) == dt.datetime(2026, 6, 2, 9, 0, tzinfo=dt.UTC)
    assert obtain(user)["token"] == first["token"]  # still live: the same token

    time_machine.move_to(dt.datetime(2026, 6, 2, 8, 59, tzinfo=dt.UTC), tick=False)
    assert with_token(first["token"]).get(ME).status_code == 200
    time_machine.move_to(dt.datetime(2026, 6, 2, 9, 0, tzinfo=dt.UTC), tick=False)
    response = with_token(first["token"]).get(ME, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403 and "expired" in response.json()["detail"]

    second = obtain(user)
    assert second["token"] != first["token"]
    assert with_token(second["token"]).get(ME).status_code == 200
    assert with_token(first["token"]).get(ME).status_code == 403


def test_expiry_is_read_in_the_same_statement_as_the_user():
    user = UserFactory()
    key = obtain(user)["token"]
    with_token(key).get(ME)  # compiles the read
    with CaptureQueriesContext(connection) as ctx:
        assert with_token(key).get(ME).status_code == 200
    reads = [q["sql"] for q in ctx.captured_queries if '"authtoken_token"' in q["sql"]]
    assert len(reads) == 1 and '"authtoken_token"."created"' in reads[0]


def test_a_user_revokes_their_own_token():
    user, other = UserFactory(), UserFactory()
    key, other_key = obtain(user)["token"], obtain(other)["token"]

    response = with_token(key).delete(TOKEN_URL)

    assert response.status_code == 204
    assert with_token(key).get(ME).status_code == 403
    assert with_token(other_key).get(ME).status_code == 200  # only one's own
    assert AuditEvent.objects.filter(action="user.token_revoke", object_id=str(user.pk)).count() == 1
    assert APIClient().delete(TOKEN_URL).status_code == 403  # anonymous: nothing to revoke
    assert Token.objects.filter(key=other_key).exists()


def test_changing_the_password_deletes_the_token():
    user = UserFactory()
    key = obtain(user)["token"]
    browser = Client()
    browser.force_login(user)
    response = browser.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "New-pass-9876", "new_password2": "New-pass-9876"},
    )
    assert response.status_code == 302
    assert with_token(key).get(ME).status_code == 403
    assert not Token.objects.filter(user=user).exists()


def test_a_password_reset_deletes_the_token():
    user = UserFactory(email="reset@example.com")
    key = obtain(user)["token"]
    browser = Client()
    browser.post(reverse("password_reset"), {"email": "reset@example.com"})
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+)", mail.outbox[-1].body).group(1)
    form_url = browser.get(link, follow=True).redirect_chain[-1][0]
    response = browser.post(form_url, {"new_password1": "New-pass-9876", "new_password2": "New-pass-9876"})
    assert response.status_code == 302
    assert with_token(key).get(ME).status_code == 403


def test_saving_a_user_without_a_new_password_keeps_the_token():
    user = UserFactory()
    key = obtain(user)["token"]
    user.full_name = "新名字"
    user.save()
    assert with_token(key).get(ME).status_code == 200
    assert Token.objects.get(key=key).created <= timezone.now()
