"""Deployment checks: production settings pass `check --deploy`, headers on every page, bandit clean."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.unit


def _prod_env(**extra):
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/jiebang",
        REDIS_URL="redis://127.0.0.1:6379/0",
        ALLOWED_HOSTS="jiebang.example.com",
    )
    env.update(extra)
    return env


def test_check_deploy_with_production_settings_gives_no_warnings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_prod_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_use_secure_cookies():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SECURE_SSL_REDIRECT)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=_prod_env(), capture_output=True, text=True, timeout=60
    )
    assert result.stdout.split() == ["True", "True", "True", "True"], result.stderr


@pytest.mark.parametrize("value", [None, "", " , "])
def test_production_settings_refuse_to_start_without_allowed_hosts(value):
    env = _prod_env()
    env.pop("ALLOWED_HOSTS")
    if value is not None:
        env["ALLOWED_HOSTS"] = value
    code = "import django; django.setup(); from django.conf import settings as s; print(s.ALLOWED_HOSTS)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "ALLOWED_HOSTS" in result.stderr, result.stdout + result.stderr
    env["ALLOWED_HOSTS"] = "jiebang.example.com"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "['jiebang.example.com']", result.stderr


@pytest.mark.parametrize("url", ["/health/", "/api/v1/", "/api/schema/", "/admin/login/", "/no-such-page/"])
@pytest.mark.django_db
def test_security_headers_on_every_response(client, url):
    response = client.get(url)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_bandit_finds_nothing_of_medium_severity_or_above():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bandit",
            "-q",
            "-r",
            "config",
            "contest",
            "submissions",
            "judging",
            "notifications",
            "--severity-level",
            "medium",
            "-x",
            "*/migrations/*",
            "-f",
            "txt",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
