"""Benchmark: read load on the real server — gunicorn on loopback against PostgreSQL.

Usage (the database is migrated and filled with the demo contest via `load_demo`; if the demo
contest has fewer than 50 public scenarios, published copies titled “…（基准副本 n）” are added
to it so that a page of 50 is full):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiebang_bench \
        .venv/bin/python bench/bench_read_load.py [--duration 60] [--connections 16] \
        [--workers 2] [--threads 4] [--worker-class gthread]

The server runs the production settings (DEBUG off), Redis as the cache, persistent database
connections (DB_CONN_MAX_AGE=60). Load comes from `wrk` (one thread, keep-alive) if it is
installed, otherwise from an asyncio httpx client; both run on the same machine as the server
and take part of its CPU. Three scenarios, one after the other, each for the whole duration:
  * baseline: GET /health/ (the bare Django stack: middleware, no database);
  * detail:   GET /api/v1/scenarios/<id>/ (anonymous);
  * list:     GET /api/v1/scenarios/?page_size=50 (anonymous, 50 items).
Goals: detail ≥ 250 req/s, list ≥ 100 req/s, p99 ≤ 250 ms, zero errors.
"""

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from _common import Gunicorn, emit, server_env  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from contest.models import Contest, Scenario  # noqa: E402

DEMO_SLUG = "sh-soe-dx-2021"
PUBLIC = ("published", "closed", "withdrawn")


def prepare() -> int:
    call_command("migrate", verbosity=0, interactive=False)
    if not Contest.objects.filter(slug=DEMO_SLUG).exists():
        with open(os.devnull, "w") as devnull:
            call_command("load_demo", stdout=devnull)
    contest = Contest.objects.get(slug=DEMO_SLUG)
    public = list(Scenario.objects.filter(contest=contest, status="published").order_by("pk"))
    missing = 50 - Scenario.objects.filter(status__in=PUBLIC).count()
    for n in range(max(missing, 0)):
        source = public[n % len(public)]
        source.pk = None
        source.id = None
        source.code = ""
        source.title = f"{source.title[:180]}（基准副本 {n + 1}）"
        source.save()
    return public[0].pk


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * UNITS[unit]


def run_wrk(url: str, *, duration: int, connections: int) -> dict:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "5s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    latency = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)\s*$", out, re.M))
    if "50" not in latency or "99" not in latency:
        raise SystemExit("cannot read the latency distribution from wrk:\n" + out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (sum(int(x) for x in sockets.groups()) if sockets else 0)
    return {
        "rps": rps,
        "requests": total,
        "p50_ms": _ms(latency["50"]),
        "p99_ms": _ms(latency["99"]),
        "errors": errors,
    }


def run_httpx(url: str, *, duration: int, connections: int) -> dict:
    import httpx

    latencies: list[float] = []
    errors = 0

    async def client(http, stop):
        nonlocal errors
        while time.perf_counter() < stop:
            start = time.perf_counter()
            try:
                response = await http.get(url)
                if response.status_code >= 400:
                    errors += 1
            except httpx.HTTPError:
                errors += 1
            latencies.append((time.perf_counter() - start) * 1000)

    async def main():
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        async with httpx.AsyncClient(limits=limits, timeout=5) as http:
            stop = time.perf_counter() + duration
            await asyncio.gather(*(client(http, stop) for _ in range(connections)))

    start = time.perf_counter()
    asyncio.run(main())
    elapsed = time.perf_counter() - start
    q = statistics.quantiles(latencies, n=100)
    return {
        "rps": len(latencies) / elapsed,
        "requests": len(latencies),
        "p50_ms": q[49],
        "p99_ms": q[98],
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--worker-class", default="gthread")
    parser.add_argument("--conn-max-age", default="60")
    parser.add_argument("--only", choices=["health", "detail", "list"], action="append")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database.")
    scenario_id = prepare()
    connection.close()
    tool = "wrk" if shutil.which("wrk") else "httpx"
    load = run_wrk if tool == "wrk" else run_httpx
    paths = {
        "health": "/health/",
        "detail": f"/api/v1/scenarios/{scenario_id}/",
        "list": "/api/v1/scenarios/?page_size=50",
    }
    env = server_env(DB_CONN_MAX_AGE=args.conn_max_age)
    results = {}
    with Gunicorn(workers=args.workers, threads=args.threads, worker_class=args.worker_class, env=env) as server:
        import httpx

        for path in paths.values():  # warm every worker's imports, caches and connections
            for _ in range(20):
                response = httpx.get(server.url + path)
                response.raise_for_status()
        body = httpx.get(server.url + paths["list"]).json()
        items = len(body["results"])
        for name, path in paths.items():
            if args.only and name not in args.only:
                continue
            results[name] = load(server.url + path, duration=args.duration, connections=args.connections)
            r = results[name]
            print(
                f"{name:7} {path:40} {r['rps']:8.1f} req/s  p50 {r['p50_ms']:6.1f} ms  "
                f"p99 {r['p99_ms']:6.1f} ms  errors {r['errors']}  ({r['requests']} requests)",
                flush=True,
            )
        describe = server.describe
    base = results.get("health", {}).get("rps")
    for name in ("detail", "list"):
        if name in results and base:
            results[name]["ratio_to_health"] = results[name]["rps"] / base
            print(f"{name} / health throughput: {results[name]['rps'] / base:.2f}")
    ok = (
        results.get("detail", {}).get("rps", 0) >= 250
        and results.get("list", {}).get("rps", 0) >= 100
        and all(r["p99_ms"] <= 250 and r["errors"] == 0 for r in results.values())
    )
    print("goal met" if ok else "goal NOT met")
    emit(
        {
            "bench": "read_load",
            "tool": tool,
            "server": describe,
            "duration_s": args.duration,
            "connections": args.connections,
            "list_items": items,
            "results": results,
            "ok": ok,
        }
    )


if __name__ == "__main__":
    main()
