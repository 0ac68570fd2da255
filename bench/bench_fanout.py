"""Benchmark: fan one notice out to 10,000 recipients and deliver it with one worker (`-c 2`).

Usage (real PostgreSQL and Redis; the script migrates the database it is given, creates its
own users and notices, and deletes them at the end):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiebang_bench \
    BENCH_REDIS_URL=redis://127.0.0.1:6379/5 \
        .venv/bin/python bench/bench_fanout.py [--recipients 10000]

It measures, in the same run:
  * baseline: inserting the 10,000 e-mail rows alone (pre-rendered, one bulk insert, no
    rendering, no enqueueing; rolled back);
  * fan-out: `notify_many(...)` in one transaction — rendering each notice in the recipient's
    language, inserting, committing, enqueueing (the number of tasks is counted twice: by the
    publisher in this process and by the worker's "received" log lines);
  * delivery: from the commit until every notice is marked sent by one Celery worker
    (`-c 2 --pool prefork`) writing through the file e-mail backend into a temporary folder;
    the file contents are checked for exactly one copy of each notice.
The Redis database given is flushed at the start and at the end.
"""

import argparse
import collections
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
sys.path.insert(0, str(Path(__file__).resolve().parent))

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
MAIL_DIR = Path(tempfile.mkdtemp(prefix="jiebang-bench-mail-"))
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DEBUG": "0",
        "REDIS_URL": REDIS_URL,
        "CELERY_BROKER_URL": REDIS_URL,
        "CELERY_RESULT_BACKEND": REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(MAIL_DIR),
    }
)

import django  # noqa: E402

django.setup()

import redis  # noqa: E402
from _common import stop_process_group  # noqa: E402
from celery.signals import before_task_publish  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from contest.models import User  # noqa: E402
from notifications.models import Channel, Notification  # noqa: E402
from notifications.services import NoticeSpec, notify_many, render_notice  # noqa: E402

PREFIX = f"bench-fanout-{int(time.time())}"
HEADER = re.compile(rb"^X-Jiebang-Notice: (\d+)\r?$", re.MULTILINE)


class Rollback(Exception):
    pass


def start_worker(log: Path) -> subprocess.Popen:
    out = log.open("wb")
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("celery")), "-A", "config", "worker", "-c", "2", "--pool", "prefork",
         "-l", "info", "-n", f"{PREFIX}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=BASE_DIR, env=os.environ.copy(), stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while b" ready." not in log.read_bytes():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("worker did not start:\n" + log.read_text(errors="replace")[-3000:])
        time.sleep(0.1)
    return proc


def make_users(n: int) -> list[User]:
    User.objects.bulk_create(
        [
            User(
                username=f"{PREFIX}-{i}",
                email=f"{PREFIX}-{i}@example.com",
                verified_email=f"{PREFIX}-{i}@example.com",  # proven: e-mailed notices go out
                full_name=f"用户{i}",
                preferred_language="en" if i % 3 == 0 else "zh-hans",
            )
            for i in range(n)
        ],
        batch_size=2000,
    )
    return list(User.objects.filter(username__startswith=PREFIX).order_by("id"))


def specs(users) -> list[NoticeSpec]:
    return [
        NoticeSpec(
            recipient=user,
            dedup_key=f"{PREFIX}:round_results:{user.pk}",
            context={
                "contest_name": "2021上海国资国企数字化转型创新大赛",
                "round_name": "初赛",
                "solution_title": f"方案{user.pk}",
                "rank": i % 50 + 1,
                "advanced": i % 4 == 0,
                "publicity_ends_at": "2021-09-10 18:00",
            },
        )
        for i, user in enumerate(users)
    ]


def baseline_insert(users) -> float:
    subject, body = render_notice(kind="round_results", language="zh-hans", context={"rank": 1})
    rows = [
        Notification(
            recipient=user,
            email=user.email,
            kind="round_results",
            language="zh-hans",
            channel=Channel.EMAIL,
            subject=subject,
            body=body,
            dedup_key=f"{PREFIX}:baseline:{user.pk}",
        )
        for user in users
    ]
    start = time.perf_counter()
    try:
        with transaction.atomic():
            Notification.objects.bulk_create(rows, batch_size=1000)
            elapsed = time.perf_counter() - start
            raise Rollback
    except Rollback:
        pass
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=10_000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database.")
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    call_command("migrate", verbosity=0, interactive=False)

    published = collections.Counter()
    before_task_publish.connect(lambda sender=None, **_: published.update([sender]), weak=False)

    log = MAIL_DIR.parent / f"{PREFIX}-worker.log"
    users = make_users(args.recipients)
    worker = start_worker(log)
    try:
        t_base = baseline_insert(users)

        start = time.perf_counter()
        with transaction.atomic():
            created = notify_many(kind="round_results", notices=specs(users), channels=[Channel.EMAIL])
        committed = time.perf_counter()  # on_commit has enqueued the tasks when atomic() returns
        t_fanout = committed - start

        pending = Notification.objects.filter(dedup_key__startswith=PREFIX, sent_at__isnull=True)
        while pending.exists():
            if time.perf_counter() - committed > 600:
                raise SystemExit("not delivered within 10 minutes")
            time.sleep(0.05)
        t_deliver = time.perf_counter() - committed
    finally:
        stop_process_group(worker)

    received = len(
        re.findall(r"Task notifications\.send_notifications\[[^\]]+\] received", log.read_text(errors="replace"))
    )
    copies = collections.Counter()
    for path in MAIL_DIR.glob("*"):
        copies.update(HEADER.findall(path.read_bytes()))
    duplicates = sum(1 for c in copies.values() if c > 1)

    print(f"recipients:                     {args.recipients}")
    print(f"rows created:                   {created}")
    print(f"baseline (bulk insert only):    {t_base:.2f} s")
    print(f"fan-out (render+insert+commit): {t_fanout:.2f} s")
    print(f"delivery (commit → all sent):   {t_deliver:.2f} s  ({args.recipients / t_deliver:.0f} notices/s)")
    print(f"end to end:                     {t_fanout + t_deliver:.2f} s")
    print(f"tasks enqueued (publisher):     {published['notifications.send_notifications']}")
    print(f"tasks received (worker log):    {received}")
    print(f"messages written:               {sum(copies.values())} ({len(copies)} distinct, {duplicates} duplicated)")
    limits = f"{settings.NOTIFICATIONS_BATCH_SIZE} / {settings.NOTIFICATIONS_MAX_FANOUT_TASKS}"
    print(f"batch size / max tasks:         {limits}")
    print(f"load average (1, 5, 15 min):    {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")

    Notification.objects.filter(dedup_key__startswith=PREFIX).delete()
    User.objects.filter(username__startswith=PREFIX).delete()
    client.flushdb()
    for path in MAIL_DIR.glob("*"):
        path.unlink()
    MAIL_DIR.rmdir()
    log.unlink()


if __name__ == "__main__":
    main()
