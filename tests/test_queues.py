"""Queues by kind of work (CELERY_QUEUES_BY_KIND): which queue each task goes to."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.unit
TASKS = [
    "notifications.send_notifications",
    "notifications.sweep_unsent",
    "judging.aggregate_round",
    "contest.chain_audit",
    "submissions.sweep_orphan_files",
]


def _queues(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "CELERY_QUEUES_BY_KIND"}
    env |= {"DJANGO_SETTINGS_MODULE": "config.settings.test", **extra}
    code = (
        "import json, django; django.setup(); from config.celery import app; "
        f"print(json.dumps({{t: app.amqp.router.route({{}}, t)['queue'].name for t in {TASKS!r}}}))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_one_queue_by_default():
    assert set(_queues().values()) == {"celery"}


def test_queues_by_kind():
    assert _queues(CELERY_QUEUES_BY_KIND="True") == {
        "notifications.send_notifications": "notifications",
        "notifications.sweep_unsent": "notifications",
        "judging.aggregate_round": "aggregation",
        "contest.chain_audit": "audit",
        "submissions.sweep_orphan_files": "celery",
    }
