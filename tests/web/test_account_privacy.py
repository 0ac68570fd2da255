"""Sign-up and password reset do not tell which addresses have accounts; password reset is
limited per address and per client (contest/views.py, contest/account_views.py)."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from contest.models import User
from tests.factories.contest import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

PASSWORD = "a-Strong-pass-2021"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def sign_up(username, email):
    client = Client()
    response = client.post(
        reverse("signup"),
        {
            "username": username,
            "email": email,
            "full_name": "赵六",
            "preferred_language": "zh-hans",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    page = client.get(response["Location"]) if response.status_code == 302 else None
    return response, page


def _answer(response, page):
    return (
        response.status_code,
        response["Location"],
        sorted(response.cookies),
        page.status_code,
        CSRF.sub("", page.content.decode()),  # a fresh CSRF token per page
    )


def test_sign_up_with_a_registered_address_answers_as_with_a_new_one():
    owner = UserFactory(username="owner", email="owner@example.com")

    new = sign_up("newcomer", "newcomer@example.com")
    taken = sign_up("probe", "OWNER@example.com")

    assert _answer(*taken) == _answer(*new)
    assert not User.objects.filter(username="probe").exists()
    assert User.objects.filter(username="newcomer").exists()
    to_new, to_owner = mail.outbox
    assert to_new.to == ["newcomer@example.com"] and "/accounts/verify/" in to_new.body
    # The owner is told instead; the mail holds no link that could prove the address for anyone.
    assert to_owner.to == ["OWNER@example.com"] and owner.username in to_owner.body
    assert "/accounts/verify/" not in to_owner.body


def test_an_address_nobody_proved_yet_can_still_be_signed_up_for():
    """A stranger who typed someone's address at sign-up does not keep its owner out."""
    UserFactory(username="squatter", email="li@example.com", verified_email="")
    response, _ = sign_up("li", "li@example.com")
    assert response.status_code == 302
    assert User.objects.filter(username="li").exists()
    assert "/accounts/verify/" in mail.outbox[-1].body


def test_password_reset_answers_alike_and_mails_only_proven_addresses():
    UserFactory(email="proven@example.com")
    UserFactory(email="unproven@example.com", verified_email="")
    answers = []
    for email in ("proven@example.com", "unproven@example.com", "nobody@example.com"):
        response = Client().post(reverse("password_reset"), {"email": email})
        answers.append((response.status_code, response["Location"]))
    assert len(set(answers)) == 1 and answers[0][0] == 302
    assert [m.to for m in mail.outbox] == [["proven@example.com"]]


def test_password_reset_is_limited_per_address(settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "password_reset_address": (3, 3600)}
    UserFactory(email="victim@example.com")
    codes = [
        Client(REMOTE_ADDR=f"192.0.2.{i + 1}")
        .post(reverse("password_reset"), {"email": "Victim@example.com"})
        .status_code
        for i in range(5)
    ]
    assert codes == [302, 302, 302, 429, 429]
    assert len(mail.outbox) == 3
    # The same answer for an address without an account: the limit tells nothing either.
    codes = [
        Client(REMOTE_ADDR=f"192.0.2.{i + 1}")
        .post(reverse("password_reset"), {"email": "nobody@example.com"})
        .status_code
        for i in range(5)
    ]
    assert codes == [302, 302, 302, 429, 429]


def test_password_reset_is_limited_per_client(settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "password_reset_client": (4, 3600)}
    client = Client(REMOTE_ADDR="198.51.100.9")
    codes = [client.post(reverse("password_reset"), {"email": f"u{i}@example.com"}).status_code for i in range(6)]
    assert codes == [302, 302, 302, 302, 429, 429]
    page = client.post(reverse("password_reset"), {"email": "u9@example.com"})
    assert page.status_code == 429 and "form-errors" in page.content.decode()
    other = Client(REMOTE_ADDR="198.51.100.10").post(reverse("password_reset"), {"email": "u0@example.com"})
    assert other.status_code == 302


def test_sign_up_is_limited_per_client(settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup_client": (2, 3600)}
    codes = [sign_up(f"user{i}", f"user{i}@example.com")[0].status_code for i in range(3)]
    assert codes == [302, 302, 429]
    assert User.objects.filter(username__startswith="user").count() == 2
