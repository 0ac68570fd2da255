"""Two hosts on loopback, as ARCHITECTURE.md ("Many hosts") lays them out: two gunicorn servers
and two Celery workers, each with its own media folder, sharing only PostgreSQL (the test
database), Redis (`NOTIFICATIONS_TEST_REDIS_DB` of the `REDIS_URL` host) and the object store
(moto's standalone server). Production settings, real HTTP.

A file uploaded through one server downloads, byte for byte, through the other; a submission
sent to the other server than its upload is receipted once; every e-mail notice is sent exactly
once although both workers run the outbox sweep repeatedly while the notices go out.
"""

import hashlib
import secrets
import socket
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token

from config.celery import app
from contest.enums import RoundKind, RoundStatus
from contest.models import AuditEvent
from notifications.models import Channel, Notification
from submissions import services
from submissions.models import SolutionFile, SubmissionReceipt
from tests.factories.contest import ContestFactory, RoundFactory, ScenarioFactory, UserFactory
from tests.factories.submissions import TeamFactory, TeamMembershipFactory
from tests.notifications.integration.conftest import (
    Worker,
    _database_url,
    delivered,
    redis_client,
    redis_url,
    wait_for,
)

sys.path.insert(0, str(Path(django_settings.BASE_DIR) / "bench"))
from _common import Gunicorn  # noqa: E402  (bench/ is not a package)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
TEAMS = 4
MEMBERS_PER_TEAM = 3  # captain + 2: one receipt e-mail each


class MailSink:
    """A real SMTP server on loopback (production refuses mail back-ends that deliver nothing):
    every message it receives is written to its own file in `folder`, so `delivered()` counts."""

    def __init__(self, folder: Path):
        self.folder = folder

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        (self.folder / f"{uuid.uuid4().hex}.eml").write_bytes(envelope.original_content or envelope.content)
        return "250 OK"


@pytest.fixture
def mail_server(tmp_path):
    from aiosmtpd.controller import Controller

    folder = tmp_path / "mail"
    folder.mkdir()
    with socket.socket() as probe:  # a free port: aiosmtpd connects to its own port on start
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(MailSink(folder), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield folder, port
    finally:
        controller.stop()


def _pdf(text: str, size: int) -> bytes:
    body = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    body += b"%" + text.encode() + b"\n%" + secrets.token_hex(size // 2).encode() + b"\n"
    return body + b"trailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def hosts(transactional_db, s3_server, broker, mail_server, tmp_path):
    """Two (gunicorn, worker) hosts; yields (servers, workers, bucket, mail_dir, media_dirs)."""
    bucket = s3_server.new_bucket()
    mail_dir, smtp_port = mail_server
    common = {
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SECURE_SSL_REDIRECT": "False",
        "SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": redis_url(),
        "CELERY_BROKER_URL": redis_url(),
        "CELERY_RESULT_BACKEND": redis_url(),
        "FILE_STORAGE_URL": s3_server.storage_url(bucket),
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Every sweep re-enqueues every e-mail still unsent: duplicate tasks race for each row.
        "NOTIFICATIONS_RESEND_AFTER_MINUTES": "0",
        "CELERY_QUEUES_BY_KIND": "True",
        "LOG_LEVEL": "ERROR",
        "PYTHONWARNINGS": "ignore::UserWarning",
        "PYTHONPATH": str(django_settings.BASE_DIR),
    }
    media = [tmp_path / "media-a", tmp_path / "media-b"]
    envs = [{**common, "MEDIA_ROOT": str(m)} for m in media]
    # Workers per queue, both serving notices: host A also chains the audit, host B aggregates.
    queues = ["celery,notifications,audit", "celery,notifications,aggregation"]
    workers = [Worker(env=env, log=tmp_path / f"worker-{i}.log", queues=queues[i]) for i, env in enumerate(envs)]
    servers = []
    try:
        for worker in workers:
            worker.start()
        for env in envs:
            servers.append(Gunicorn(workers=1, threads=4, env={**env}).__enter__())
        yield servers, workers, bucket, mail_dir, media
    finally:
        for server in servers:
            server.__exit__()
        for worker in workers:
            worker.stop()


def _world():
    now = timezone.now()
    contest = ContestFactory(max_team_size=MEMBERS_PER_TEAM, max_entries_per_team=1)
    RoundFactory(
        contest=contest,
        sequence=1,
        kind=RoundKind.QUALIFICATION,
        status=RoundStatus.OPEN,
        submission_opens_at=now - timedelta(days=1),
        submission_deadline=now + timedelta(days=1),
        required_documents=["proposal"],
        max_upload_bytes=8 * 1024 * 1024,
    )
    scenario = ScenarioFactory(contest=contest)
    teams = []
    for i in range(TEAMS):
        team = TeamFactory(contest=contest, name=f"两地队{i}")
        for j in range(MEMBERS_PER_TEAM - 1):
            TeamMembershipFactory(team=team, user=UserFactory(email=f"m{i}-{j}@example.com"))
        captain = team.captain
        if not captain.email:
            captain.email = f"captain{i}@example.com"
            captain.save(update_fields=["email"])
        solution = services.solution_create(actor=captain, team=team, scenario=scenario, title=f"方案{i}")
        teams.append((solution, Token.objects.create(user=captain).key))
    return teams


def test_upload_on_one_host_downloads_on_the_other_and_every_notice_is_sent_once(hosts):
    servers, workers, bucket, mail_dir, media = hosts
    teams = _world()
    sent = {}
    for i, (solution, token) in enumerate(teams):
        up, other = servers[i % 2], servers[(i + 1) % 2]
        headers = {"Authorization": f"Token {token}"}
        body = _pdf(f"方案{i}", 300_000 + i * 100_000)
        sent[solution.pk] = hashlib.sha256(body).hexdigest()
        response = httpx.post(
            f"{up.url}/api/v1/solutions/{solution.pk}/versions/",
            headers=headers | {"Idempotency-Key": uuid.uuid4().hex},
            data={"title": f"方案{i}"},
            files={"proposal": ("方案书.pdf", body, "application/pdf")},
            timeout=60,
        )
        assert response.status_code == 201, response.text
        number = response.json()["number"]
        # The submission goes to the other host: it reads the same rows and the same files.
        response = httpx.post(
            f"{other.url}/api/v1/solutions/{solution.pk}/submit/",
            headers=headers | {"Idempotency-Key": uuid.uuid4().hex},
            json={"version": number},
            timeout=60,
        )
        assert response.status_code == 201, response.text
        assert response.json()["sha256"]
    # Both workers run the outbox sweep, several times each, while the receipts go out.
    for _ in range(6):
        app.send_task("notifications.sweep_unsent", queue="notifications")

    # Every file downloads through both hosts, identical to what was sent.
    for (solution, token), index in zip(teams, range(TEAMS), strict=True):
        stored = SolutionFile.objects.get(version__solution=solution)
        assert stored.sha256 == sent[solution.pk]
        for server in servers:
            answer = httpx.get(
                f"{server.url}/api/v1/files/{stored.pk}/download/", headers={"Authorization": f"Token {token}"}
            )
            assert answer.status_code == 302, (index, answer.text)
            fetched = httpx.get(answer.headers["location"])
            assert hashlib.sha256(fetched.content).hexdigest() == sent[solution.pk]
        assert SubmissionReceipt.objects.filter(solution=solution).count() == 1
    # No host kept a file of its own: only the upload spool, which is empty.
    for folder in media:
        assert [p for p in folder.rglob("*") if p.is_file()] == []

    expected = set(
        Notification.objects.filter(channel=Channel.EMAIL, kind="submission_receipt").values_list("id", flat=True)
    )
    assert len(expected) == TEAMS * MEMBERS_PER_TEAM
    wait_for(
        lambda: (
            not Notification.objects.filter(channel=Channel.EMAIL, sent_at__isnull=True).exists()
            and set(delivered(mail_dir)) >= expected
            and not AuditEvent.objects.filter(seq__isnull=True).exists()
            and not any(redis_client().llen(queue) for queue in ("celery", "notifications", "audit"))
        ),
        timeout=120,
        what=f"{len(expected)} notices to be delivered and the audit chained",
        log=workers[0].log,
    )
    for worker in workers:  # warm shutdown: a duplicate task still running finishes first
        worker.stop()
    counts = delivered(mail_dir)
    assert {notice: counts[notice] for notice in expected} == dict.fromkeys(expected, 1)
    # Both workers took part (the sweeps and the sends are spread over the two), and the audit
    # events of the run were chained on host A's audit queue.
    logs = [worker.log.read_bytes() for worker in workers]
    assert all(b"Task notifications." in log for log in logs)
    assert b"Task contest.chain_audit[" in logs[0] and b"Task contest.chain_audit[" not in logs[1]
