"""Benchmark: auto-assign 2,000 solutions × 60 judges × 5 judges per solution (10,000 assignments).

Usage (PostgreSQL; the data is seeded inside a transaction that is rolled back at the end, so
the database is left as it was; the script migrates the database first):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiebang_bench \
        .venv/bin/python bench/bench_assignment.py [--solutions 2000] [--judges 60] [--per-solution 5] [--repeat 3]

The seeded contest is realistic for conflicts: 400 organizations in 40 groups; every team has a
lead unit, up to two co-units and two members with their own organizations; judges belong to
organizations of the same groups, so roughly one solution in ten conflicts with a given judge.
Five tracks; a sixth of the judges are limited to one or two tracks.

It times, in the same run and on the same data:
  * baseline: bulk_create of the same JudgeAssignment rows, precomputed (no reads, no planning,
    no conflicts, no audit, no notices) — what writing the rows the ordinary ORM way costs (the
    service itself writes them with COPY on PostgreSQL, so it may come close to this figure);
  * plan: `plan_assignments` alone (pure Python, data already in memory);
  * run: `assignment_auto_run` end to end — loading the round, bulk conflict computation,
    planning, bulk insert, audit event, one notice per judge;
  * top-up: a second run on the complete round (must create nothing).
Goal: run ≤ 5 s.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from contest.enums import RoundStatus  # noqa: E402
from contest.models import Contest, Organization, Round, Scenario, Track, User  # noqa: E402
from judging.models import JudgeAssignment, JudgePoolMember  # noqa: E402
from judging.selectors import round_solutions  # noqa: E402
from judging.services.assignment import _pool, assignment_auto_run, plan_assignments  # noqa: E402
from judging.services.conflicts import ConflictIndex  # noqa: E402
from submissions.enums import MemberRole, SolutionStatus  # noqa: E402
from submissions.models import RoundEntry, Solution, Team, TeamMembership  # noqa: E402


class Rollback(Exception):
    pass


def seed(*, n_solutions: int, n_judges: int, per_solution: int, tag: str) -> tuple[Round, Round]:
    rng = random.Random(20211012)
    roots = Organization.objects.bulk_create(
        [Organization(name=f"基准集团{tag}-{g}", short_name=f"集团{g}") for g in range(40)]
    )
    children = Organization.objects.bulk_create(
        [
            Organization(name=f"基准单位{tag}-{g}-{c}", short_name=f"单位{g}-{c}", parent=roots[g])
            for g in range(40)
            for c in range(9)
        ]
    )
    orgs = roots + children
    contest = Contest.objects.create(name=f"基准大赛{tag}", slug=f"bench-assign-{tag}", status="published")
    tracks = [Track.objects.create(contest=contest, name=f"赛道{t}", host=roots[t], order=t) for t in range(5)]
    scenarios = Scenario.objects.bulk_create(
        [
            Scenario(
                contest=contest,
                track=tracks[i % 5],
                publisher=rng.choice(roots),
                title=f"场景{i}",
                status="published",
            )
            for i in range(100)
        ]
    )
    now = timezone.now()
    users = User.objects.bulk_create(
        [
            User(username=f"b{tag}-{kind}{i}", password="!", full_name=f"{kind}{i}", organization=rng.choice(orgs))
            for kind, count in (("cap", n_solutions), ("mem", n_solutions), ("judge", n_judges))
            for i in range(count)
        ],
        batch_size=2000,
    )
    captains = users[:n_solutions]
    members = users[n_solutions : 2 * n_solutions]
    judges = users[2 * n_solutions :]
    teams = Team.objects.bulk_create(
        [
            Team(contest=contest, name=f"队{tag}-{i}", captain=captains[i], lead_unit=rng.choice(orgs))
            for i in range(n_solutions)
        ],
        batch_size=2000,
    )
    through = Team.co_units.through
    through.objects.bulk_create(
        [
            through(team_id=t.pk, organization_id=o.pk)
            for t in teams
            for o in rng.sample(orgs, rng.randint(0, 2))
            if o.pk != t.lead_unit_id
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )
    TeamMembership.objects.bulk_create(
        [
            TeamMembership(
                team=t, contest=contest, user=captains[i], role=MemberRole.CAPTAIN, organization_id=t.lead_unit_id
            )
            for i, t in enumerate(teams)
        ]
        + [
            TeamMembership(team=t, contest=contest, user=members[i], organization=rng.choice(orgs))
            for i, t in enumerate(teams)
        ],
        batch_size=2000,
    )
    solutions = Solution.objects.bulk_create(
        [
            Solution(
                contest=contest,
                team=t,
                scenario=scenarios[i % 100],
                title=f"方案{i}",
                status=SolutionStatus.QUALIFIED,
                submitted_at=now,
            )
            for i, t in enumerate(teams)
        ],
        batch_size=2000,
    )
    rounds = []
    for sequence in (1, 2):
        round_ = Round.objects.create(
            contest=contest,
            sequence=sequence,
            name=f"第{sequence}轮",
            status=RoundStatus.JUDGING,
            judges_per_solution=per_solution,
            judging_opens_at=now,
            judging_closes_at=now + timezone.timedelta(days=10),
        )
        RoundEntry.objects.bulk_create([RoundEntry(round=round_, solution=s) for s in solutions], batch_size=2000)
        members_ = JudgePoolMember.objects.bulk_create([JudgePoolMember(round=round_, judge=j) for j in judges])
        limited = JudgePoolMember.tracks.through
        limited.objects.bulk_create(
            [
                limited(judgepoolmember_id=m.pk, track_id=t.pk)
                for i, m in enumerate(members_)
                if i % 6 == 0
                for t in rng.sample(tracks, rng.randint(1, 2))
            ]
        )
        rounds.append(round_)
    return rounds[0], rounds[1]


def timed(fn, /, **kwargs):
    start = time.perf_counter()
    result = fn(**kwargs)
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--solutions", type=int, default=2000)
    parser.add_argument("--judges", type=int, default=60)
    parser.add_argument("--per-solution", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database.")
    call_command("migrate", verbosity=0)
    runs, baselines, plans, topups = [], [], [], []
    report = None
    for attempt in range(args.repeat):
        tag = f"{os.getpid()}-{attempt}"
        try:
            with transaction.atomic():
                t_seed, (round_, baseline_round) = timed(
                    seed, n_solutions=args.solutions, n_judges=args.judges, per_solution=args.per_solution, tag=tag
                )
                # Plan only (inputs loaded outside the timer).
                solution_rows = list(round_solutions(round_=round_).values_list("id", "scenario__track_id", "team_id"))
                judges, caps, orgs = _pool(round_)
                index = ConflictIndex(
                    contest_id=round_.contest_id, judges=orgs, solutions={s: t for s, _tr, t in solution_rows}
                )
                conflicts = index.conflicted_pairs()
                t_plan, plan = timed(
                    plan_assignments,
                    solutions={s: tr for s, tr, _t in solution_rows},
                    judges=judges,
                    caps=caps,
                    per_solution=args.per_solution,
                    conflicts=conflicts,
                    seed=1,
                )
                # Baseline: insert the same number of rows, precomputed, into the other round.
                rows = [
                    JudgeAssignment(round=baseline_round, solution_id=s, judge_id=j, source="auto") for s, j in plan.new
                ]
                t_base, _ = timed(JudgeAssignment.objects.bulk_create, objs=rows, batch_size=2000)
                t_run, report = timed(assignment_auto_run, actor=None, round_=round_, seed=1)
                t_top, again = timed(assignment_auto_run, actor=None, round_=round_, seed=1)
                assert again.created == 0, "top-up created rows on a complete round"
                assert report.created == len(plan.new)
                loads = list(report.loads.values())
                print(
                    f"attempt {attempt + 1}: seed {t_seed:.2f} s | baseline insert {t_base:.3f} s | "
                    f"plan {t_plan:.3f} s | run {t_run:.3f} s | top-up {t_top:.3f} s | "
                    f"created {report.created}, short {len(report.short)} {report.reasons}, "
                    f"conflicted pairs {len(conflicts)}, loads {min(loads)}..{max(loads)}"
                )
                runs.append(t_run)
                baselines.append(t_base)
                plans.append(t_plan)
                topups.append(t_top)
                raise Rollback
        except Rollback:
            pass
    print()
    print(
        f"{args.solutions} solutions × {args.judges} judges × {args.per_solution} per solution "
        f"({report.created} assignments), median of {args.repeat}:"
    )
    print(f"  baseline (bulk insert of the same rows): {statistics.median(baselines):.3f} s")
    print(f"  plan only:                               {statistics.median(plans):.3f} s")
    print(f"  assignment_auto_run (end to end):        {statistics.median(runs):.3f} s  (goal ≤ 5 s)")
    print(f"  top-up re-run on the complete round:     {statistics.median(topups):.3f} s")
    run = statistics.median(runs)
    verdict = "pass" if run <= 5 else "FAIL"
    print(
        f"RESULT | assignment 2,000 × 60 × 5 | target ≤ 5 s | measured {run:.2f} s | "
        f"baseline {statistics.median(baselines):.2f} s (bulk insert) | {verdict} | {os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()
