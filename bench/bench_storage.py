"""Benchmark: the same uploads to the media folder and to an S3-compatible object store, one run.

Usage (PostgreSQL; moto's standalone S3 server from requirements-dev.txt is started here on a
free loopback port and stopped at the end; the Redis database is flushed at the end):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiebang_bench \\
    BENCH_REDIS_URL=redis://127.0.0.1:6379/7 \\
        .venv/bin/python bench/bench_storage.py [--uploads 200] [--clients 20]

Two gunicorn servers with the production settings, one after the other: the first stores in a
temporary media folder, the second in a bucket of the S3 server (`FILE_STORAGE_URL`). Each gets
the same PDFs (64 KiB–2 MiB, the deadline rush's sizes), uploaded and submitted by its own teams
through the real endpoints (bench/bench_deadline_rush.py's client), after a warm-up that is not
timed. Afterwards every stored file is read back from where it went and its SHA-256 compared
with the bytes sent. The line compares the upload request's p50 and the uploads per second.

The S3 server is a Python process on the same two cores: its CPU is taken from gunicorn and
PostgreSQL, which a real object store on other machines would not do. The figure is therefore
an upper bound of what object storage costs the upload path here.
"""

import argparse
import asyncio
import hashlib
import random
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import redis  # noqa: E402
from _common import Gunicorn, emit, process_tree_cpu_seconds, server_env  # noqa: E402
from bench_deadline_rush import (  # noqa: E402  (sets up Django)
    REDIS_URL,
    Stats,
    make_job,
    make_pdf,
    pct,
    run_phase,
    seed,
)
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from submissions.models import SolutionFile, SubmissionReceipt  # noqa: E402
from tests import s3server  # noqa: E402


def run_one(
    label: str, env: dict, jobs: list, warm: list, *, store_pid: int, clients: int, workers: int, threads: int
) -> dict:
    stats = Stats()
    with Gunicorn(workers=workers, threads=threads, env=env) as server:
        asyncio.run(run_phase(server.url, warm, clients=clients, stats=Stats(), seed_value=3))
        cpu, store_cpu = server.cpu_seconds(), process_tree_cpu_seconds(store_pid)
        wall = asyncio.run(run_phase(server.url, jobs, clients=clients, stats=stats, seed_value=1))
        cpu, store_cpu = server.cpu_seconds() - cpu, process_tree_cpu_seconds(store_pid) - store_cpu
        describe = server.describe
    return {
        "label": label,
        "server": describe,
        "rate": len(jobs) / wall,
        "p50_ms": pct(stats.upload_ms, 50),
        "p99_ms": pct(stats.upload_ms, 99),
        "server_cpu_ms": cpu / len(jobs) * 1000,
        "store_cpu_ms": store_cpu / len(jobs) * 1000,
        "failures": stats.failures,
        "server_errors": sum(n for code, n in stats.status.items() if code >= 500),
    }


def check(jobs: list, sent: dict, read) -> tuple[int, int]:
    """(lost, SHA-256 mismatched) of the uploads of `jobs`; `read(name)` gives the stored bytes."""
    ids = {j.solution_id for j in jobs}
    receipted = set(SubmissionReceipt.objects.filter(solution_id__in=ids).values_list("solution_id", flat=True))
    files = SolutionFile.objects.filter(version__solution_id__in=ids).values_list(
        "version__solution_id", "file", "sha256"
    )
    mismatched = sum(1 for sid, name, sha in files if not (sha == hashlib.sha256(read(name)).hexdigest() == sent[sid]))
    return len(ids - receipted), mismatched


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database.")
    call_command("migrate", verbosity=0, interactive=False)
    rng = random.Random(20211231)
    pdfs = [make_pdf(rng.randint(64 * 1024, 2 * 1024 * 1024), rng) for _ in range(args.uploads + args.warmup)]
    tag = timezone.now().strftime("%Y%m%d%H%M%S")
    plans, sent = {}, {}
    for label in ("local", "s3"):
        _round, teams = seed(args.uploads + args.warmup, f"{tag}{label}")
        jobs = []
        for (sid, token), pdf in zip(teams, pdfs, strict=True):
            sent[sid] = hashlib.sha256(pdf).hexdigest()
            jobs.append(make_job(sid, token, pdf, "plain"))
        plans[label] = (jobs[args.warmup :], jobs[: args.warmup])
    connection.close()

    work = Path(tempfile.mkdtemp(prefix="jiebang-bench-storage-"))
    server = s3server.start(work / "moto.log")
    try:
        bucket = server.new_bucket()
        base = server_env(REDIS_URL=REDIS_URL, EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend")
        envs = {
            "local": base | {"MEDIA_ROOT": str(work / "media")},
            "s3": base | {"MEDIA_ROOT": str(work / "spool"), "FILE_STORAGE_URL": server.storage_url(bucket)},
        }
        sizes = {
            "clients": args.clients,
            "workers": args.workers,
            "threads": args.threads,
            "store_pid": server.proc.pid,
        }
        results = {label: run_one(label, envs[label], *plans[label], **sizes) for label in ("local", "s3")}
        s3 = server.client()
        results["local"]["lost"], results["local"]["mismatched"] = check(
            plans["local"][0], sent, lambda name: (work / "media" / name).read_bytes()
        )
        results["s3"]["lost"], results["s3"]["mismatched"] = check(
            plans["s3"][0], sent, lambda name: s3.get_object(Bucket=bucket, Key=name)["Body"].read()
        )
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
        redis.Redis.from_url(REDIS_URL).flushdb()

    local, obj = results["local"], results["s3"]
    mib = sum(len(p) for p in pdfs[args.warmup :]) / 2**20
    print(
        f"server:                     {local['server']}, {args.clients} clients, {args.uploads} uploads + submits each"
    )
    print(f"bytes per run:              {mib:.0f} MiB ({args.warmup} uploads of warm-up before each, not timed)")
    for r, name in ((local, "media folder"), (obj, "object store")):
        print(
            f"{name + ':':<27} {r['rate']:.1f} uploads/s, upload p50 {r['p50_ms']:.0f} ms, p99 {r['p99_ms']:.0f} ms; "
            f"CPU per upload + submit: server {r['server_cpu_ms']:.0f} ms, S3 server {r['store_cpu_ms']:.0f} ms; "
            f"lost {r['lost']}, "
            f"SHA-256 mismatched {r['mismatched']}, 5xx {r['server_errors']}"
        )
        for failure in r["failures"][:5]:
            print("FAILURE:", failure)
    ratio = obj["p50_ms"] / local["p50_ms"]
    print(f"object store / media folder: p50 × {ratio:.2f}, rate × {obj['rate'] / local['rate']:.2f}")
    clean = all(
        not r["lost"] and not r["mismatched"] and not r["server_errors"] and not r["failures"] for r in (local, obj)
    )
    emit(
        {
            "bench": "storage",
            "uploads": args.uploads,
            "clients": args.clients,
            "local": {k: v for k, v in local.items() if k != "failures"} | {"failures": len(local["failures"])},
            "s3": {k: v for k, v in obj.items() if k != "failures"} | {"failures": len(obj["failures"])},
            "p50_ratio": ratio,
            "clean": clean,
        }
    )


if __name__ == "__main__":
    main()
