"""The client's address behind the reverse proxy (config/proxies.py) and the login lock-out on
user + address (django-axes): no site-wide lock-out through the proxy's one address, no escape
from the lock-out or the token throttle by writing X-Forwarded-For."""

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from config.proxies import resolve_client_ip
from tests.factories.contest import UserFactory

pytestmark = pytest.mark.unit

PASSWORD = "pass-1234-word"  # the factory's
PROXY = "10.0.0.1"
LOGIN = "/accounts/login/"


@pytest.fixture
def axes_on(settings, db):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.TRUSTED_PROXIES = [PROXY]
    cache.clear()
    yield settings
    cache.clear()


def login(username, password, *, remote, forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return Client(REMOTE_ADDR=remote).post(LOGIN, {"username": username, "password": password}, **headers)


def test_many_users_failing_behind_the_proxy_lock_out_nobody_else(axes_on):
    from axes.models import AccessAttempt

    users = [UserFactory() for _ in range(4)]
    victim = UserFactory()
    for n, user in enumerate(users):
        for i in range(axes_on.AXES_FAILURE_LIMIT + 1):
            login(user.username, f"wrong-{i}", remote=PROXY, forwarded=f"203.0.113.{n + 1}")

    assert login(victim.username, PASSWORD, remote=PROXY, forwarded="198.51.100.20").status_code == 302
    # The attempts were counted per client, not against the proxy's address.
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {f"203.0.113.{n}" for n in range(1, 5)}
    # The failing users themselves are locked at their own addresses only.
    assert login(users[0].username, PASSWORD, remote=PROXY, forwarded="203.0.113.1").status_code == 429
    assert login(users[0].username, PASSWORD, remote=PROXY, forwarded="198.51.100.21").status_code == 302


def test_a_guesser_locks_the_account_only_at_the_guessers_address(axes_on):
    victim = UserFactory()
    for i in range(axes_on.AXES_FAILURE_LIMIT):
        login(victim.username, f"wrong-{i}", remote="192.0.2.66")
    assert login(victim.username, PASSWORD, remote="192.0.2.66").status_code == 429
    assert login(victim.username, PASSWORD, remote="192.0.2.10").status_code == 302


def test_a_forged_forwarded_for_does_not_escape_the_lock_out(axes_on):
    """From a client that is not a trusted proxy the header is ignored: every guess counts
    against the connection's own address."""
    from axes.models import AccessAttempt

    victim = UserFactory()
    codes = [
        login(victim.username, f"wrong-{i}", remote="198.51.100.7", forwarded=f"192.0.2.{i + 1}").status_code
        for i in range(axes_on.AXES_FAILURE_LIMIT + 2)
    ]
    assert codes[-1] == 429, codes
    assert login(victim.username, PASSWORD, remote="198.51.100.7", forwarded="192.0.2.200").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.7"}


def test_an_entry_written_in_front_of_the_proxys_is_ignored(axes_on):
    from axes.models import AccessAttempt

    victim = UserFactory()
    login(victim.username, "wrong", remote=PROXY, forwarded="1.2.3.4, 203.0.113.9")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.9"]


def test_a_forged_forwarded_for_does_not_escape_the_token_throttle(db, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    cache.clear()
    client = APIClient(REMOTE_ADDR="198.51.100.8")
    codes = [
        client.post(
            "/api/v1/auth/token/",
            {"username": "nobody", "password": "x"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{i + 1}",
        ).status_code
        for i in range(12)
    ]
    cache.clear()
    assert codes[-1] == 429, codes


def test_behind_the_proxy_the_token_throttle_counts_each_client(db, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    cache.clear()
    client = APIClient(REMOTE_ADDR=PROXY)
    for _ in range(12):
        client.post("/api/v1/auth/token/", {"username": "nobody", "password": "x"}, HTTP_X_FORWARDED_FOR="192.0.2.1")
    user = UserFactory()
    response = client.post(
        "/api/v1/auth/token/",
        {"username": user.username, "password": PASSWORD},
        format="json",
        HTTP_X_FORWARDED_FOR="192.0.2.2",
    )
    cache.clear()
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    "proxies, remote, forwarded, expected",
    [
        ([], "198.51.100.1", "192.0.2.1", "198.51.100.1"),  # no proxies configured: header ignored
        (["10.0.0.0/8"], "198.51.100.1", "192.0.2.1", "198.51.100.1"),  # not from a proxy
        (["10.0.0.0/8"], "10.0.0.1", "192.0.2.1", "192.0.2.1"),
        (["10.0.0.0/8"], "10.0.0.1", "6.6.6.6, 192.0.2.1, 10.0.0.2", "192.0.2.1"),  # two proxies
        (["10.0.0.0/8"], "10.0.0.1", "not-an-address, 10.0.0.2", "10.0.0.2"),
        (["10.0.0.0/8"], "10.0.0.1", "192.0.2.1:4711", "192.0.2.1"),
        (["::1", "fd00::/8"], "::1", "2001:db8::7, fd00::2", "2001:db8::7"),
        (["10.0.0.1"], "10.0.0.1", "[2001:db8::8]:443", "2001:db8::8"),
    ],
)
def test_resolve_client_ip(settings, proxies, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = proxies
    assert resolve_client_ip(remote, forwarded) == expected
