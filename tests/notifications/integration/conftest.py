"""A real Celery worker (prefork, -c 2) on the real Redis and the test PostgreSQL database.

The worker is a child process started by `celery_worker` and stopped by its own process
group id (it runs in its own session, so SIGKILL reaches the pool processes too), on success
and on failure. It uses the Redis database `NOTIFICATIONS_TEST_REDIS_DB` (default 5) on the
host of `REDIS_URL`, flushed before and after each test, and the file e-mail backend writing
into the test's tmp dir, so deliveries can be counted across processes.
"""

from __future__ import annotations

import collections
import contextlib
import email
import email.policy
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from django.conf import settings as django_settings
from django.db import connection

from config.celery import app

BASE_DIR = Path(django_settings.BASE_DIR)
CELERY_BIN = Path(sys.executable).with_name("celery")
NOTICE_HEADER = re.compile(rb"^X-Jiebang-Notice: (\d+)\r?$", re.MULTILINE)


def redis_url() -> str:
    base = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    parts = urlsplit(base)
    db = os.environ.get("NOTIFICATIONS_TEST_REDIS_DB", "5")
    return f"{parts.scheme}://{parts.netloc}/{db}"


def redis_client():
    import redis

    return redis.Redis.from_url(redis_url(), socket_connect_timeout=2)


def _redis_available() -> bool:
    try:
        return bool(redis_client().ping())
    except Exception:  # any failure means "not available"
        return False


@pytest.fixture(autouse=True)
def _require_postgresql_andredis_client():
    if django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): the worker shares the test database")
    if not _redis_available():
        pytest.skip(f"needs Redis at {redis_url()}")


def delivered(mail_dir: Path) -> collections.Counter:
    """How many times each notice id was handed to the file backend (all files, all processes)."""
    counts = collections.Counter()
    for path in mail_dir.glob("*"):
        if path.is_file():
            counts.update(int(m) for m in NOTICE_HEADER.findall(path.read_bytes()))
    return counts


def messages(mail_dir: Path) -> list:
    """Every message the file backend wrote, parsed (headers decoded)."""
    parsed = []
    for path in sorted(mail_dir.glob("*")):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                parsed.append(email.message_from_bytes(chunk, policy=email.policy.default))
    return parsed


def wait_for(predicate, *, timeout: float, what: str, log: Path | None = None, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    tail = ""
    if log is not None and log.exists():
        tail = "\n--- worker log ---\n" + log.read_text(errors="replace")[-4000:]
    raise AssertionError(f"timed out after {timeout}s waiting for {what}{tail}")


def queue_length() -> int:
    return redis_client().llen("celery")


@pytest.fixture
def broker(settings):
    """Point this process's Celery app at the test Redis database, with eager mode off."""
    client = redis_client()
    client.flushdb()
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager", "result_backend")}

    def use(url: str) -> None:
        app.conf.broker_url = url
        # Drop the cached connection and producer pools so the next publish uses `url`.
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.task_always_eager = False
    app.conf.result_backend = redis_url()
    use(redis_url())
    try:
        yield use
    finally:
        app.conf.update(saved)
        use(saved["broker_url"])
        client.flushdb()


def _database_url() -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    if host.startswith("/"):  # a Unix socket directory, in the form django-environ reads
        return f"postgres://{auth}@/{host}/{db['NAME']}"
    port = db["PORT"] or "5432"
    return f"postgres://{auth}@{host}:{port}/{db['NAME']}"


class Worker:
    def __init__(self, *, env: dict, log: Path, queues: str | None = None):
        self.env = env
        self.log = log
        self.queues = queues  # -Q, e.g. "celery,notifications"; None: the default queue
        self.proc: subprocess.Popen | None = None

    def start(self, *, timeout: float = 60) -> Worker:
        assert self.proc is None or self.proc.poll() is not None
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [
                    str(CELERY_BIN),
                    "-A",
                    "config",
                    "worker",
                    "-c",
                    "2",
                    "--pool",
                    "prefork",
                    "-l",
                    "info",
                    "-n",
                    f"notif-test-{uuid.uuid4().hex[:8]}@%h",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    *(["-Q", self.queues] if self.queues else []),
                ],
                cwd=BASE_DIR,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                # Own session: the group id is the worker's pid, so a signal to the group reaches
                # the pool processes as well and nothing else.
                start_new_session=True,
            )
        starts = self.log.read_bytes().count(b" ready.")
        wait_for(
            lambda: self.log.read_bytes().count(b" ready.") > starts or self.proc.poll() is not None,
            timeout=timeout,
            what="the worker to be ready",
            log=self.log,
        )
        assert self.proc.poll() is None, self.log.read_text(errors="replace")[-4000:]
        return self

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes at once."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self, *, timeout: float = 30) -> None:
        """Warm shutdown (finish the running tasks), SIGKILL if it takes too long."""
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        # Pool processes that outlived their parent, if any.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)


@pytest.fixture
def mail_dir(tmp_path) -> Path:
    path = tmp_path / "mail"
    path.mkdir()
    return path


@pytest.fixture
def worker_factory(transactional_db, broker, mail_dir, tmp_path):
    """Build workers sharing the test database, the test Redis database and `mail_dir`."""
    workers: list[Worker] = []

    def build(*, email_backend: str = "django.core.mail.backends.filebased.EmailBackend", **extra_env) -> Worker:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "REDIS_URL": redis_url(),
            "CELERY_BROKER_URL": redis_url(),
            "CELERY_RESULT_BACKEND": redis_url(),
            "DATABASE_URL": _database_url(),
            "TEST_EMAIL_BACKEND": email_backend,
            "EMAIL_FILE_PATH": str(mail_dir),
            "PYTHONPATH": str(BASE_DIR),
            **{key: str(value) for key, value in extra_env.items()},
        }
        worker = Worker(env=env, log=tmp_path / f"worker-{len(workers)}.log")
        workers.append(worker)
        return worker

    yield build
    for worker in workers:
        worker.stop()
