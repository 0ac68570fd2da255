"""Deployment checks: production settings pass `check --deploy`, headers on every page, bandit clean."""

import json
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
        ALLOWED_HOSTS="jiebang.example.com,testserver",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    )
    env.pop("ENV_FILE", None)
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


def _prod_client_script(body):
    return "import django; django.setup(); from django.test import Client; c = Client()\n" + body


def test_production_logs_json_lines_with_the_request_id(tmp_path):
    """A failed readiness check, logged inside the request, and Django's log of the 503 both come
    out as one JSON object a line, with the id the load balancer sent."""
    code = _prod_client_script("c.get('/ready/', secure=True, headers={'X-Request-ID': 'lb-probe-42'})")
    env = _prod_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        ALLOW_SQLITE="True",
        CACHE_URL="redis://127.0.0.1:1/0",
        LOG_LEVEL="WARNING",
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    by_logger = {r["logger"]: r for r in records}
    assert by_logger["config.ops"]["request_id"] == "lb-probe-42"
    assert by_logger["config.ops"]["level"] == "WARNING"
    assert by_logger["django.request"]["request_id"] == "lb-probe-42"
    assert by_logger["django.request"]["status_code"] == 503
    assert all({"time", "level", "logger", "message", "request_id"} <= set(r) for r in records)
    assert len(records) == len({(r["logger"], r["message"]) for r in records})  # each printed once


def test_production_probes_answer_over_plain_http_while_pages_redirect_to_https(tmp_path):
    code = _prod_client_script(
        "print(c.get('/health/').status_code, c.get('/ready/').status_code, c.get('/api/v1/').status_code)"
    )
    env = _prod_env(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", ALLOW_SQLITE="True")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    health, ready, api = result.stdout.split()
    assert (health, api) == ("200", "301"), result.stderr
    assert ready in ("200", "503")  # answered (an empty database has migrations pending), not redirected


def test_production_workers_log_json_lines_too():
    """Workers: Celery's handlers print JSON lines; a record logged in a task carries the task's id."""
    code = (
        "import django, logging; django.setup(); from config.celery import app; app.log.setup(loglevel='INFO')\n"
        "logging.getLogger('celery.worker.consumer').info('celery@host ready.')\n"
        "@app.task(name='tests.log_in_a_task')\n"
        "def log_in_a_task():\n"
        "    logging.getLogger('contest.services').warning('inside a task')\n"
        "print(log_in_a_task.apply(task_id='task-7').id)"
    )
    env = _prod_env()
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("{")]
    records = {r["message"]: r for r in map(json.loads, lines)}
    assert records["celery@host ready."]["level"] == "INFO"
    assert (records["inside a task"]["task_id"], records["inside a task"]["task_name"]) == (
        "task-7",
        "tests.log_in_a_task",
    )


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
