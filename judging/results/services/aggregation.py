"""Aggregation, the service: a round's results computed (`exact`), ranked, marked for
advancement and stored as `RoundResult` rows, with the progress an organizer follows.
The arithmetic and why it is exact on both databases: `judging/results/services/exact.py`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import uuid
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from contest.audit import audit_record
from contest.enums import AdvancementScope, RoundStatus
from contest.models import Round
from judging.results.models import RoundResult
from judging.results.services.exact import SolutionAggregate, compute_round_exact, criterion_sums, fraction_to_decimal
from judging.results.services.rows import ResultRow
from submissions.enums import EntryStatus, SolutionStatus
from submissions.models import RoundEntry, Solution

logger = logging.getLogger(__name__)

# --- the service ---------------------------------------------------------------------------------


def _group_key(round_: Round, scenario_id: int, track_id: int) -> str:
    if round_.advancement_scope == AdvancementScope.SCENARIO:
        return f"scenario:{scenario_id}"
    if round_.advancement_scope == AdvancementScope.CONTEST:
        return "contest"
    return f"track:{track_id}"


GONE_STATUSES = (
    SolutionStatus.WITHDRAWN,
    SolutionStatus.RETIRED,
    SolutionStatus.VOID,
    SolutionStatus.ENDED,
    SolutionStatus.PENDING_TRANSFER,
)

RESULT_FIELDS = [
    "group_key",
    "score",
    "total_sum",
    "judge_count",
    "criterion_means",
    "method_note",
    "incomplete",
    "rank",
    "tie_rule",
    "tie_detail",
    "advanced",
    "computation_id",
    "updated_at",
]


_COPY_COLUMNS = [
    "created_at",
    "updated_at",
    "round_id",
    "solution_id",
    "group_key",
    "score",
    "total_sum",
    "judge_count",
    "criterion_means",
    "method_note",
    "incomplete",
    "rank",
    "tie_rule",
    "tie_detail",
    "advanced",
    "override_reason",
    "disqualified",
    "computation_id",
]


def _upsert_results(*, round_id: int, rows: list[ResultRow], computation_id: str, now) -> None:
    """Insert or update one row per (round, solution).

    PostgreSQL: COPY into a temporary table, then one INSERT … ON CONFLICT DO UPDATE (10,000
    rows in ~0.1 s; building model instances and Django's bulk_create cost seconds). Elsewhere:
    bulk_create with update_conflicts, which SQLite ≥ 3.24 supports.
    """
    values = [
        (
            now,
            now,
            round_id,
            r.solution_id,
            r.group_key,
            r.score,
            r.total_sum,
            r.judge_count,
            r.criterion_means,
            r.method_note,
            r.incomplete,
            r.rank,
            r.tie_rule,
            r.tie_detail,
            r.advanced,
            r.override_reason,
            r.disqualified,
            computation_id,
        )
        for r in rows
    ]
    if connection.vendor != "postgresql":
        objs = [RoundResult(**dict(zip(_COPY_COLUMNS, v, strict=True))) for v in values]
        RoundResult.objects.bulk_create(
            objs,
            batch_size=500,
            update_conflicts=True,
            unique_fields=["round", "solution"],
            update_fields=RESULT_FIELDS,
        )
        return
    columns = ", ".join(_COPY_COLUMNS)
    updates = ", ".join(
        f"{c} = EXCLUDED.{c}" for c in _COPY_COLUMNS if c not in ("created_at", "round_id", "solution_id")
    )
    means_index = _COPY_COLUMNS.index("criterion_means")
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS results_in AS SELECT {columns} FROM judging_roundresult WITH NO DATA"  # noqa: S608  # nosec B608
        )
        cursor.execute("TRUNCATE results_in")
        with cursor.connection.cursor().copy(f"COPY results_in ({columns}) FROM STDIN") as copy:
            for v in values:
                v = list(v)
                v[means_index] = json.dumps(v[means_index], ensure_ascii=False)
                copy.write_row(v)
        cursor.execute(
            f"INSERT INTO judging_roundresult ({columns}) SELECT {columns} FROM results_in "  # noqa: S608  # nosec B608
            f"ON CONFLICT (round_id, solution_id) DO UPDATE SET {updates}"
        )
        cursor.execute("TRUNCATE results_in")


@dataclass(frozen=True)
class AggregationSummary:
    round_id: int
    computation_id: str
    results: int


def results_aggregate(*, round_: Round, actor=None) -> AggregationSummary:
    """Recompute every result of a round from the raw scores, rank and apply the advancement rule.

    Preconditions: none (an organizer or the aggregation task calls it). Holds a row lock on the
    round for the duration so that two runs never interleave their writes.
    Side effects: upserts one RoundResult per (round, solution), deletes results of solutions no
    longer in the round, sets the round status to aggregated (unless already published), audits.
    Idempotent: it never increments anything; a second run on the same scores writes identical
    rows (computation_id is a digest of the rows' content). Keeps what people decided by hand:
    disqualification and advancement overrides (with their reasons).
    """
    # ranking and advancement import ResultRow and results_aggregate from here: a cycle.
    from judging.results.services.advancement import advancement_compute
    from judging.results.services.ranking import rank_results

    with transaction.atomic():
        # Serialises aggregation runs of one round (and publication, which takes the same lock).
        round_ = Round.objects.select_for_update().get(pk=round_.pk)
        aggregates = compute_round_exact(round_)
        # Entries that left the contest (withdrawn, retired, void, ended, pending transfer) get
        # no result; disqualified ones keep theirs, flagged, so the list shows why. The round's
        # entries come through a subquery; solutions scored without an entry (rare) are added.
        fields = ("id", "scenario_id", "scenario__track_id", "submitted_at")
        entries = RoundEntry.objects.filter(round=round_).exclude(status=EntryStatus.WITHDRAWN).values("solution_id")
        solutions = {
            s["id"]: s
            for s in Solution.objects.filter(pk__in=entries).exclude(status__in=GONE_STATUSES).values(*fields)
        }
        unentered = set(aggregates) - set(solutions)
        if unentered:
            solutions.update(
                (s["id"], s)
                for s in Solution.objects.filter(pk__in=unentered).exclude(status__in=GONE_STATUSES).values(*fields)
            )
        existing = {
            row[0]: row
            for row in RoundResult.objects.filter(round=round_).values_list(
                "solution_id", "disqualified", "override_reason", "advanced"
            )
        }

        built = []
        for solution_id in sorted(solutions):
            agg = aggregates.get(solution_id) or SolutionAggregate(
                solution_id=solution_id,
                incomplete=True,
                notes=[f"incomplete: 0 valid reviews, {round_.min_reviews} required"],
            )
            built.append((solutions[solution_id], agg, existing.get(solution_id)))
        # Exact integer keys for the sum of totals (one common denominator), so ranking sorts
        # integers rather than fractions.
        common = math.lcm(*{agg.total_sum.denominator for _info, agg, _old in built}) if built else 1
        rows = [
            ResultRow(
                solution_id=info["id"],
                group_key=_group_key(round_, info["scenario_id"], info["scenario__track_id"]),
                score=agg.score,
                total_sum=fraction_to_decimal(agg.total_sum),
                total_key=agg.total_sum.numerator * (common // agg.total_sum.denominator),
                judge_count=agg.judge_count,
                incomplete=agg.incomplete or agg.exact is None,
                method_note="; ".join(agg.notes)[:200],
                submitted_at=info["submitted_at"],
                disqualified=bool(old and old[1]),
                override_reason=old[2] if old else "",
                override_advanced=old[3] if old else False,
            )
            for info, agg, old in built
        ]
        rows = rank_results(round_=round_, rows=rows, load_criterion_means=lambda ids: criterion_sums(round_, ids))
        rows = advancement_compute(round_=round_, rows=rows)

        payload = [
            [
                r.solution_id,
                r.group_key,
                str(r.score),
                str(r.total_sum),
                r.judge_count,
                r.incomplete,
                r.rank,
                r.tie_rule,
                r.tie_detail,
                r.advanced,
                r.method_note,
                r.criterion_means,
            ]
            for r in rows
        ]
        computation_id = hashlib.sha256(
            json.dumps([round_.pk, payload], sort_keys=True, ensure_ascii=False, default=str).encode()
        ).hexdigest()
        now = timezone.now()
        stale = [sid for sid in existing if sid not in solutions]
        # While the judging window is still open a run is a preview: the round stays in judging
        # (scores keep coming); once it has closed, aggregation moves the round on.
        still_judging = round_.status == RoundStatus.JUDGING and (
            round_.judging_closes_at is not None and round_.judging_closes_at > now
        )
        moves_on = (
            round_.status not in (RoundStatus.PUBLISHED, RoundStatus.CLOSED, RoundStatus.AGGREGATED)
            and not still_judging
        )
        previous = set(
            RoundResult.objects.filter(round=round_).order_by().values_list("computation_id", flat=True).distinct()
        )
        if previous == {computation_id} and not stale and not moves_on:
            # A re-run over unchanged scores (e.g. a redelivered task): nothing to write, no audit event.
            return AggregationSummary(round_id=round_.pk, computation_id=computation_id, results=len(rows))
        _upsert_results(round_id=round_.pk, rows=rows, computation_id=computation_id, now=now)
        if stale:
            RoundResult.objects.filter(round=round_, solution_id__in=stale).delete()
        if moves_on:
            round_.status = RoundStatus.AGGREGATED
            round_.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            action="results.aggregate",
            obj=round_,
            after={"computation_id": computation_id, "results": len(rows), "method": round_.aggregation_method},
        )
    return AggregationSummary(round_id=round_.pk, computation_id=computation_id, results=len(rows))


# --- enqueueing and progress ---------------------------------------------------------------------


def _status_key(round_id: int) -> str:
    return f"judging:aggregation:{round_id}"


def aggregation_status_set(*, round_id: int, state: str, **extra) -> None:
    """Progress of the latest aggregation run, kept in the cache (Redis in production)."""
    current = cache.get(_status_key(round_id)) or {}
    current.update({"state": state, "updated_at": timezone.now().isoformat(), **extra})
    cache.set(_status_key(round_id), current, timeout=7 * 24 * 3600)


def aggregation_status_get(*, round_: Round) -> dict:
    status = cache.get(_status_key(round_.pk))
    if status is None:
        last = RoundResult.objects.filter(round=round_).values("computation_id", "updated_at").first()
        if last is None:
            return {"state": "none", "task_id": None, "computation_id": None, "updated_at": None, "error": ""}
        return {
            "state": "done",
            "task_id": None,
            "computation_id": last["computation_id"],
            "updated_at": last["updated_at"].isoformat(),
            "error": "",
        }
    return {
        "state": status.get("state"),
        "task_id": status.get("task_id"),
        "computation_id": status.get("computation_id"),
        "updated_at": status.get("updated_at"),
        "error": status.get("error", ""),
    }


def aggregation_enqueue(*, round_: Round, actor) -> str:
    """Ask a worker to (re)aggregate the round after the current transaction commits.

    Side effects: an audit event; the task enqueued on commit; the progress marked queued.
    Returns the task id (chosen here, so the organizer can follow it before the worker starts).
    """
    from judging.results.tasks import aggregate_round_task  # tasks import this module: a cycle

    task_id = str(uuid.uuid4())
    with transaction.atomic():
        audit_record(actor=actor, action="results.aggregate_requested", obj=round_, after={"task_id": task_id})
        aggregation_status_set(round_id=round_.pk, state="queued", task_id=task_id, error="")
        transaction.on_commit(lambda: aggregate_round_task.apply_async(kwargs={"round_id": round_.pk}, task_id=task_id))
    return task_id
