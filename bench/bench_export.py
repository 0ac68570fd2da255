"""Benchmark: stream the results CSV of 100,000 rows through the real export endpoint.

Usage (PostgreSQL; the data is seeded inside a transaction that is rolled back at the end, so
the database is left as it was; the script migrates the database first):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiebang_bench \
        .venv/bin/python bench/bench_export.py [--rows 100000] [--small 10000]

Seeds one contest with 1,000 teams × 100 scenarios = 100,000 solutions, a round with a
RoundResult for each of them and a second round with results for the first 10,000. Then, as an
organizer, it calls the real export view for GET /api/v1/rounds/<id>/exports/results.csv
(DRF view: authentication, permission, throttle, the export service, StreamingHttpResponse;
not the middleware, which the seeding transaction would not survive) and reads the streamed
body chunk by chunk, in-process, under tracemalloc:
  * time to the first byte and to the last byte (a run without tracemalloc);
  * peak traced Python memory while streaming 100,000 rows, against the same at 10,000 rows
    (two more runs under tracemalloc);
  * baseline: the same rows fetched with a bare cursor and written by `csv.writer` into a
    discarding sink (no ORM, no view) — the floor for producing this CSV in Python.
Goals: ≤ 5 s for 100,000 rows, first byte ≤ 500 ms, peak memory at 100,000 ≤ 1.5 × at 10,000.
"""

import argparse
import csv
import os
import random
import sys
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from _common import emit  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.signals import request_finished  # noqa: E402
from django.db import close_old_connections, connection, transaction  # noqa: E402
from django.test import RequestFactory  # noqa: E402

from contest.enums import Role, RoundKind, RoundStatus  # noqa: E402
from contest.models import Contest, ContestRole, Organization, Round, Scenario, Track, User  # noqa: E402
from judging.results.api.views import ExportApi  # noqa: E402
from judging.results.models import RoundResult  # noqa: E402
from submissions.enums import MemberRole, SolutionStatus  # noqa: E402
from submissions.models import Solution, Team, TeamMembership  # noqa: E402


class Rollback(Exception):
    pass


def seed(rows: int, small: int) -> tuple[User, Round, Round]:
    rng = random.Random(20211109)
    org = Organization.objects.create(name="导出基准单位", short_name="导出单位")
    contest = Contest.objects.create(name="导出基准大赛", slug="bench-export", status="published")
    organizer = User.objects.create(username="bench-export-organizer", password="!", full_name="组委会")
    ContestRole.objects.create(user=organizer, contest=contest, role=Role.ORGANIZER)
    track = Track.objects.create(contest=contest, name="赛道", host=org, order=1)
    n_scenarios = 100
    n_teams = -(-rows // n_scenarios)
    scenarios = Scenario.objects.bulk_create(
        [
            Scenario(contest=contest, track=track, publisher=org, title=f"场景{i}：数字化转型", status="published")
            for i in range(n_scenarios)
        ]
    )
    users = User.objects.bulk_create(
        [User(username=f"bench-export-{i}", password="!", full_name=f"队长{i}") for i in range(n_teams)],
        batch_size=5000,
    )
    teams = Team.objects.bulk_create(
        [Team(contest=contest, name=f"导出队伍{i}", captain=users[i], lead_unit=org) for i in range(n_teams)],
        batch_size=5000,
    )
    TeamMembership.objects.bulk_create(
        [
            TeamMembership(team=t, contest=contest, user=users[i], role=MemberRole.CAPTAIN, organization=org)
            for i, t in enumerate(teams)
        ],
        batch_size=5000,
    )
    solutions = Solution.objects.bulk_create(
        [
            Solution(contest=contest, team=t, scenario=s, title=f"方案{t.pk}-{s.pk}", status=SolutionStatus.QUALIFIED)
            for t in teams
            for s in scenarios
        ][:rows],
        batch_size=10000,
    )
    big = Round.objects.create(
        contest=contest, sequence=1, name="初赛", kind=RoundKind.QUALIFICATION, status=RoundStatus.AGGREGATED
    )
    small_round = Round.objects.create(
        contest=contest, sequence=2, name="复赛", kind=RoundKind.SCORED, status=RoundStatus.AGGREGATED
    )

    def results(round_, sols):
        ordered = sorted(sols, key=lambda s: s.pk)
        scores = sorted((Decimal(rng.randint(3000, 9500)) / 100 for _ in ordered), reverse=True)
        RoundResult.objects.bulk_create(
            [
                RoundResult(
                    round=round_,
                    solution=s,
                    group_key=f"scenario:{s.scenario_id}",
                    score=score,
                    total_sum=score * 7,
                    judge_count=7,
                    method_note="去掉一个最高分和一个最低分后取平均",
                    rank=i + 1,
                )
                for i, (s, score) in enumerate(zip(ordered, scores, strict=True))
            ],
            batch_size=10000,
        )

    results(big, solutions)
    results(small_round, solutions[:small])
    return organizer, big, small_round


def stream(organizer: User, round_: Round, *, traced: bool = False) -> dict:
    if traced:
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
    start = time.perf_counter()
    request = RequestFactory().get(f"/api/v1/rounds/{round_.pk}/exports/results.csv")
    request.user = organizer  # what the session middleware would set for a logged-in organizer
    response = ExportApi.as_view()(request, round_id=round_.pk, kind="results", fmt="csv")
    assert response.status_code == 200, response.status_code
    first = None
    size = 0
    lines = 0
    for chunk in response.streaming_content:
        if first is None and chunk:
            first = time.perf_counter() - start
        size += len(chunk)
        lines += chunk.count(b"\n")
    total = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] - base if traced else None
    response.close()
    return {"first_byte_s": first, "total_s": total, "bytes": size, "rows": lines - 1, "peak_bytes": peak}


def baseline(round_: Round) -> float:
    class Sink:
        def write(self, value):
            return len(value)

    start = time.perf_counter()
    writer = csv.writer(Sink())
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT r.group_key, r.rank, r.solution_id, t.name, s.title, r.score, r.judge_count, r.total_sum,
                   r.tie_rule, r.tie_detail, r.method_note, r.incomplete, r.advanced, r.disqualified
            FROM judging_roundresult r
            JOIN submissions_solution so ON so.id = r.solution_id
            JOIN submissions_team t ON t.id = so.team_id
            JOIN contest_scenario s ON s.id = so.scenario_id
            WHERE r.round_id = %s
            ORDER BY r.group_key, r.rank NULLS LAST, r.solution_id
            """,
            [round_.pk],
        )
        while batch := cursor.fetchmany(2000):
            for row in batch:
                writer.writerow(row)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database.")
    call_command("migrate", verbosity=0, interactive=False)
    # response.close() would close the connection, and with it the seeding transaction.
    request_finished.disconnect(close_old_connections)
    out = {}
    try:
        with transaction.atomic():
            start = time.perf_counter()
            organizer, big, small = seed(args.rows, args.small)
            print(f"seeded {args.rows:,} + {args.small:,} results in {time.perf_counter() - start:.1f} s", flush=True)
            stream(organizer, small)  # warm-up: imports, translations, caches
            out["big"] = stream(organizer, big)  # timed without tracemalloc (it slows every allocation)
            tracemalloc.start()
            out["small_mem"] = stream(organizer, small, traced=True)
            out["big_mem"] = stream(organizer, big, traced=True)
            tracemalloc.stop()
            out["baseline_s"] = baseline(big)
            raise Rollback
    except Rollback:
        pass
    big, small = out["big"] | {"peak_bytes": out["big_mem"]["peak_bytes"]}, out["small_mem"]
    ratio = big["peak_bytes"] / small["peak_bytes"]
    print(f"rows streamed:                 {big['rows']:,} ({big['bytes'] / 2**20:.1f} MiB)")
    print(f"first byte:                    {big['first_byte_s'] * 1000:.0f} ms")
    print(f"whole CSV:                     {big['total_s']:.2f} s")
    print(f"baseline (cursor + csv.writer): {out['baseline_s']:.2f} s")
    print(f"peak Python memory at {small['rows']:,}:   {small['peak_bytes'] / 2**20:.2f} MiB")
    print(f"peak Python memory at {big['rows']:,}:  {big['peak_bytes'] / 2**20:.2f} MiB  = {ratio:.2f} ×")
    ok = big["rows"] == args.rows and big["total_s"] <= 5 and big["first_byte_s"] <= 0.5 and ratio <= 1.5
    print("goal met" if ok else "goal NOT met")
    emit(
        {
            "bench": "export",
            **{f"big_{k}": v for k, v in big.items()},
            "small_peak_bytes": small["peak_bytes"],
            "small_rows": small["rows"],
            "memory_ratio": ratio,
            "baseline_s": out["baseline_s"],
            "ok": ok,
        }
    )


if __name__ == "__main__":
    main()
