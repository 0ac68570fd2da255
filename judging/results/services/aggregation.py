"""Aggregation: turn a round's raw scores into one result per solution.

How the arithmetic stays exact and identical on SQLite and PostgreSQL
--------------------------------------------------------------------
SQLite has no decimal type, so the database works in scaled integers only:

* every score is taken as an integer number of hundredths (``value * 100``), every criterion
  weight as thousandths (``weight * 1000``), every maximum as hundredths;
* a judge's total is ``T = 100 * N / D`` with ``N = Σ w·s`` over the review's scores and
  ``D = Σ w·max`` over the criteria of the solution's rubric (both integers; ``D`` is computed
  exactly in Python from the rubric, so a criterion a review left unscored counts as zero —
  submitted reviews score every criterion anyway);
* because ``D`` is shared within a solution, ordering the totals of a solution is ordering the
  integers ``N``: the window functions (``ROW_NUMBER``/``COUNT`` over the judge totals of each
  solution) pick the trimmed set and the median rows exactly, and ``SUM`` returns exact
  integers.

One statement returns, per solution (and per judge group), the integer sums of the selected
totals; the exact value of each method is then a fraction ``100 * ΣN / (k * D)``. The few
thousand per-solution rows are combined (judge groups, carry-over) with ``fractions.Fraction``
and rounded half-up to 2 places once, at the very end. No score row ever reaches Python.

The z-score method needs square roots, which are not rational: it is computed in the
database in double precision (population standard deviation, i.e. divided by n), and the
per-solution value is quantised to 1e-9 before the single 2-place rounding so that the
summation order of either database cannot change the published figure.

Integer ranges: with weights up to 100 and scores up to 1,000 the largest sums stay below
10^15, well inside 64-bit integers on both databases.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import math
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from contest.audit import audit_record
from contest.enums import AdvancementScope, AggregationMethod, RoundStatus
from contest.models import Round
from judging.enums import ReviewStatus
from judging.models import Criterion
from judging.results.enums import TieRule
from judging.results.models import RoundResult
from submissions.enums import EntryStatus, SolutionStatus
from submissions.models import RoundEntry, Solution

logger = logging.getLogger(__name__)

TWO_PLACES = Decimal("0.01")
ZSCORE_QUANTUM = Decimal("1e-9")
# A judge whose totals vary by less than this (variance) is treated as having no spread.
ZERO_SPREAD = 1e-9


def round_half_up(value: Fraction) -> Decimal:
    """Round an exact fraction half-up (away from zero) to 2 places: 84.625 → 84.63."""
    sign = -1 if value < 0 else 1
    value = abs(value)
    cents = (value.numerator * 200 + value.denominator) // (2 * value.denominator)
    return Decimal(sign * cents).scaleb(-2)


def fraction_to_decimal(value: Fraction, places: int = 4) -> Decimal:
    """Half-up to `places` decimals, in integers (no Decimal context involved)."""
    sign = -1 if value < 0 else 1
    value = abs(value)
    scale = 10**places
    units = (value.numerator * 2 * scale + value.denominator) // (2 * value.denominator)
    return Decimal(sign * units).scaleb(-places)


# --- the database part ------------------------------------------------------------------------

# Per-review totals for the z-score statement (D per review: Σ w·max of the scored criteria).
# On SQLite each value is rounded to its integer of hundredths/thousandths before summing,
# because SQLite stores decimals as binary floats (0.5 * 100 may be 49.999…); PostgreSQL's
# numeric is exact and is scaled once per review (see _SUM_EXPR).
_REVIEW_TOTALS = """
rt AS (
    SELECT r.id AS review_id, r.solution_id, r.judge_id, x.n, x.d
    FROM (
        SELECT s.review_id, {n_expr} AS n, {d_expr} AS d
        FROM judging_score s
        JOIN judging_criterion c ON c.id = s.criterion_id
        JOIN judging_rubric rb ON rb.id = c.rubric_id
        WHERE rb.round_id = %(round_id)s
        GROUP BY s.review_id
    ) x
    JOIN judging_review r ON r.id = x.review_id
    WHERE r.round_id = %(round_id)s AND r.status = %(submitted)s
),
g AS (
    SELECT rt.review_id, rt.solution_id, rt.judge_id, rt.n, rt.d, {group_expr} AS grp
    FROM rt {group_join}
)
"""

# The exact methods' statement. Scores are summed per review (weighted, as scaled integers) in
# one pass over judging_score joined to the round's criteria — the same shape as a plain
# GROUP BY — then joined to their valid reviews; one sort feeds the window functions, and the
# outer GROUP BY returns, per (solution, judge group), the integer sums each method needs.
_EXACT_SQL = """
WITH x AS (
    SELECT s.review_id, {n_expr} AS n, MAX(c.rubric_id) AS rubric_id
    FROM judging_score s
    JOIN judging_criterion c ON c.id = s.criterion_id
    WHERE s.criterion_id IN ({criterion_ids})
    GROUP BY s.review_id
),
g AS (
    SELECT r.id AS review_id, r.solution_id, {group_expr} AS grp, x.n, x.rubric_id
    FROM x JOIN judging_review r ON r.id = x.review_id {group_join}
    WHERE r.round_id = %(round_id)s AND r.status = %(submitted)s
),
w AS (
    SELECT g.solution_id, g.grp, g.n, g.rubric_id,
           ROW_NUMBER() OVER (PARTITION BY g.solution_id, g.grp ORDER BY g.n, g.review_id) AS rn,
           COUNT(*) OVER (PARTITION BY g.solution_id, g.grp) AS cnt
    FROM g
)
SELECT w.solution_id, w.grp, MAX(w.cnt) AS cnt, SUM(w.n) AS sum_all,
       SUM(CASE WHEN w.rn > 1 AND w.rn < w.cnt THEN w.n ELSE 0 END) AS sum_trim,
       SUM(CASE WHEN w.rn = (w.cnt + 1) / 2 OR w.rn = (w.cnt + 2) / 2 THEN w.n ELSE 0 END) AS sum_med,
       MAX(w.rubric_id) AS dsol
FROM w
GROUP BY w.solution_id, w.grp
"""

_ZSCORE_TAIL = """,
sd AS (
    SELECT solution_id, MAX(d) AS dsol FROM rt GROUP BY solution_id
),
t AS (
    SELECT g.solution_id, g.judge_id, g.grp, g.n,
           CAST(g.n AS DOUBLE PRECISION) * 100.0 / CAST(sd.dsol AS DOUBLE PRECISION) AS total
    FROM g JOIN sd ON sd.solution_id = g.solution_id
),
js AS (
    SELECT judge_id, AVG(total) AS jm, COUNT(*) AS jn FROM t GROUP BY judge_id
),
jv AS (
    SELECT t.judge_id, AVG((t.total - js.jm) * (t.total - js.jm)) AS jvar
    FROM t JOIN js ON js.judge_id = t.judge_id GROUP BY t.judge_id
),
om AS (SELECT AVG(total) AS m FROM t),
ov AS (SELECT AVG((t.total - om.m) * (t.total - om.m)) AS v FROM t CROSS JOIN om),
z AS (
    SELECT t.solution_id, t.grp, t.n,
           CASE WHEN js.jn < 2 OR jv.jvar < %(zero_spread)s THEN 1 ELSE 0 END AS raw,
           CASE WHEN js.jn < 2 OR jv.jvar < %(zero_spread)s THEN t.total
                ELSE om.m + (t.total - js.jm) / SQRT(jv.jvar) * SQRT(ov.v) END AS zt
    FROM t JOIN js ON js.judge_id = t.judge_id JOIN jv ON jv.judge_id = t.judge_id
    CROSS JOIN om CROSS JOIN ov
)
SELECT z.solution_id, z.grp, COUNT(*) AS cnt, SUM(z.n) AS sum_all, AVG(z.zt) AS zmean,
       SUM(z.raw) AS raw_kept, MAX(sd.dsol) AS dsol
FROM z JOIN sd ON sd.solution_id = z.solution_id
GROUP BY z.solution_id, z.grp
"""
# Built from module constants only; every value is a bound parameter.
_ZSCORE_SQL = "WITH " + _REVIEW_TOTALS + _ZSCORE_TAIL  # nosec B608

_CRITERION_SQL = """
SELECT r.solution_id, s.criterion_id, {v_expr}, COUNT(*)
FROM judging_score s JOIN judging_review r ON r.id = s.review_id
WHERE r.round_id = %(round_id)s AND r.status = %(submitted)s {solution_filter}
GROUP BY r.solution_id, s.criterion_id
"""


# The scaled-integer sums, per dialect. PostgreSQL's numeric is exact, so it sums first and
# scales once per review; SQLite holds decimals as binary floats, so each value is rounded to
# its integer of hundredths/thousandths before summing. Both give the same integers.
_SUM_EXPR = {
    "postgresql": {
        "n_expr": "CAST(SUM(c.weight * s.value) * 100000 AS BIGINT)",
        "d_expr": "CAST(SUM(c.weight * c.max_score) * 100000 AS BIGINT)",
        "v_expr": "CAST(SUM(s.value) * 100 AS BIGINT)",
    },
    "default": {
        "n_expr": "SUM(CAST(ROUND(c.weight * 1000) AS BIGINT) * CAST(ROUND(s.value * 100) AS BIGINT))",
        "d_expr": "SUM(CAST(ROUND(c.weight * 1000) AS BIGINT) * CAST(ROUND(c.max_score * 100) AS BIGINT))",
        "v_expr": "SUM(CAST(ROUND(s.value * 100) AS BIGINT))",
    },
}


def _rubric_denominators(round_: Round) -> dict[int, int]:
    """{rubric id: D = Σ (weight × 1000)·(maximum × 100)} over each rubric of the round, exact."""
    out: dict[int, int] = defaultdict(int)
    for rubric_id, weight, max_score in Criterion.objects.filter(rubric__round=round_).values_list(
        "rubric_id", "weight", "max_score"
    ):
        out[rubric_id] += int(weight * 1000) * int(max_score * 100)
    return dict(out)


def _sum_exprs() -> dict:
    return _SUM_EXPR.get(connection.vendor, _SUM_EXPR["default"])


def _group_sql(with_groups: bool, alias: str = "rt") -> dict:
    if not with_groups:
        return {"group_expr": "''", "group_join": "", **_sum_exprs()}
    return {
        **_sum_exprs(),
        "group_expr": "COALESCE(p.{col}, '')".format(col=connection.ops.quote_name("group")),
        "group_join": (
            f"LEFT JOIN judging_judgepoolmember p ON p.round_id = %(round_id)s AND p.judge_id = {alias}.judge_id"
        ),
    }


def _fetch(sql: str, params: dict) -> list[tuple]:
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The per-review hash aggregate of a large round spills to disk at the default 4 MB.
            cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(sql, params)
        return cursor.fetchall()


# --- exact per-solution values -----------------------------------------------------------------


@dataclass
class SolutionAggregate:
    solution_id: int
    judge_count: int = 0
    exact: Fraction | None = None  # unrounded final score (None: incomplete)
    total_sum: Fraction = Fraction(0)  # Σ of all valid judge totals (tie-break 1)
    notes: list[str] = field(default_factory=list)
    incomplete: bool = False

    @property
    def score(self) -> Decimal | None:
        return None if self.exact is None else round_half_up(self.exact)


def _group_value(method: str, row: dict, trim_threshold: int) -> tuple[Fraction, str]:
    """The exact value of one (solution, group) set of totals and a note naming the method used."""
    cnt, dsol = row["cnt"], row["dsol"]
    if method == AggregationMethod.ZSCORE:
        value = Fraction(Decimal(repr(float(row["zmean"]))).quantize(ZSCORE_QUANTUM, rounding=ROUND_HALF_UP))
        note = f"z-score mean of {cnt}"
        if row["raw_kept"]:
            note += f"; raw totals kept for {row['raw_kept']} (one score or no spread)"
        return value, note
    if method == AggregationMethod.MEDIAN:
        k = 1 if cnt % 2 else 2
        return Fraction(100 * row["sum_med"], k * dsol), f"median of {cnt}"
    if method == AggregationMethod.TRIMMED_MEAN and cnt >= trim_threshold and cnt > 2:
        return Fraction(
            100 * row["sum_trim"], (cnt - 2) * dsol
        ), f"trimmed mean: dropped 1 highest and 1 lowest of {cnt}"
    if method == AggregationMethod.TRIMMED_MEAN:
        return Fraction(100 * row["sum_all"], cnt * dsol), f"mean of {cnt} (fewer than {trim_threshold}, not trimmed)"
    return Fraction(100 * row["sum_all"], cnt * dsol), f"mean of {cnt}"


def _group_weights(round_: Round) -> dict[str, Fraction]:
    return {str(name): Fraction(Decimal(str(weight))) for name, weight in (round_.judge_group_weights or {}).items()}


def compute_round_exact(round_: Round, *, _depth: int = 0) -> dict[int, SolutionAggregate]:
    """Exact per-solution aggregates of one round, computed from the raw scores.

    Reads only; safe to call for earlier rounds (carry-over). Solutions with fewer valid
    reviews than `round_.min_reviews` come back incomplete (exact is None).
    """
    method = round_.aggregation_method
    weights = _group_weights(round_)
    params = {"round_id": round_.pk, "submitted": ReviewStatus.SUBMITTED, "zero_spread": ZERO_SPREAD}
    zscore = method == AggregationMethod.ZSCORE
    if zscore:
        denominators: dict[int, int] = {}
        sql = _ZSCORE_SQL.format(**_group_sql(bool(weights)))
    else:
        denominators = _rubric_denominators(round_)
        criterion_ids = list(Criterion.objects.filter(rubric__round=round_).values_list("pk", flat=True))
        if not criterion_ids:
            return {}
        sql = _EXACT_SQL.format(
            **_group_sql(bool(weights), alias="r"), criterion_ids=", ".join(str(int(c)) for c in criterion_ids)
        )
    rows = _fetch(sql, params)
    columns = (
        ["solution_id", "grp", "cnt", "sum_all", "zmean", "raw_kept", "dsol"]
        if zscore
        else ["solution_id", "grp", "cnt", "sum_all", "sum_trim", "sum_med", "dsol"]
    )
    per_solution: dict[int, list[dict]] = defaultdict(list)
    for raw in rows:
        row = dict(zip(columns, raw, strict=True))
        for key in ("cnt", "sum_all", "sum_trim", "sum_med", "raw_kept", "dsol"):
            if key in row and row[key] is not None:
                row[key] = int(row[key])
        if not zscore:
            # The exact statement returns the rubric; its denominator is known exactly here.
            row["dsol"] = denominators[row["dsol"]]
        per_solution[row["solution_id"]].append(row)

    results: dict[int, SolutionAggregate] = {}
    for solution_id, group_rows in per_solution.items():
        agg = SolutionAggregate(solution_id=solution_id)
        dsol = max(r["dsol"] for r in group_rows)
        for r in group_rows:
            r["dsol"] = dsol
        if weights:
            counted = [r for r in group_rows if r["grp"] in weights]
        else:
            counted = group_rows
        agg.judge_count = sum(r["cnt"] for r in counted)
        agg.total_sum = Fraction(100 * sum(r["sum_all"] for r in counted), dsol) if counted else Fraction(0)
        if agg.judge_count < round_.min_reviews:
            agg.incomplete = True
            agg.notes.append(f"incomplete: {agg.judge_count} valid review(s), {round_.min_reviews} required")
            results[solution_id] = agg
            continue
        if weights:
            numerator, weight_sum, parts = Fraction(0), Fraction(0), []
            for r in sorted(counted, key=lambda r: r["grp"]):
                value, note = _group_value(method, r, round_.trim_threshold)
                numerator += weights[r["grp"]] * value
                weight_sum += weights[r["grp"]]
                parts.append(f"{r['grp']} {weights[r['grp']]}: {note}")
            agg.exact = numerator / weight_sum
            if weight_sum != sum(weights.values()):
                parts.append("weights renormalised over the groups present")
            agg.notes.append("; ".join(parts))
        else:
            value, note = _group_value(method, counted[0], round_.trim_threshold)
            agg.exact = value
            agg.notes.append(note)
        results[solution_id] = agg

    if round_.carry_over and _depth < 10:
        _apply_carry_over(round_, results, _depth=_depth)
    return results


def _apply_carry_over(round_: Round, results: dict[int, SolutionAggregate], *, _depth: int) -> None:
    """final = Σ w_k · (earlier round k's unrounded score) + (1 − Σ w_k) · this round's."""
    earlier_rounds = {r.sequence: r for r in Round.objects.filter(contest_id=round_.contest_id)}
    carried = []
    for item in round_.carry_over:
        earlier = earlier_rounds.get(int(item["round"]))
        if earlier is None or earlier.sequence >= round_.sequence:
            continue
        carried.append((earlier, Fraction(Decimal(str(item["weight"])))))
    if not carried:
        return
    own_weight = 1 - sum(w for _, w in carried)
    earlier_values = [(earlier, w, compute_round_exact(earlier, _depth=_depth + 1)) for earlier, w in carried]
    for agg in results.values():
        if agg.exact is None:
            continue
        value = own_weight * agg.exact
        parts = [f"this round {own_weight}"]
        for earlier, w, values in earlier_values:
            previous = values.get(agg.solution_id)
            if previous is None or previous.exact is None:
                agg.exact = None
                agg.incomplete = True
                agg.notes.append(f"incomplete: no score carried over from round {earlier.sequence}")
                break
            value += w * previous.exact
            parts.append(f"round {earlier.sequence} {w}")
        else:
            agg.exact = value
            agg.notes.append("carry-over: " + " + ".join(parts))


def criterion_sums(round_: Round, solution_ids=None) -> dict[int, dict[int, tuple[int, int]]]:
    """Per solution and criterion over valid reviews: (sum of scores in hundredths, count)."""
    params = {"round_id": round_.pk, "submitted": ReviewStatus.SUBMITTED}
    solution_filter = ""
    if solution_ids is not None:
        ids = [int(i) for i in solution_ids]
        if not ids:
            return {}
        solution_filter = "AND r.solution_id IN (" + ",".join(str(i) for i in ids) + ")"
    out: dict[int, dict[int, tuple[int, int]]] = defaultdict(dict)
    for solution_id, criterion_id, total, count in _fetch(
        _CRITERION_SQL.format(solution_filter=solution_filter, v_expr=_sum_exprs()["v_expr"]), params
    ):
        out[solution_id][criterion_id] = (int(total), int(count))
    return out


# --- the service ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ResultRow:
    """One solution's result as aggregation hands it to ranking and advancement (and they back
    to it, as copies with their fields filled: `dataclasses.replace`). What is written to
    `RoundResult` (`_upsert_results`) and digested into the computation id is read from these
    fields, in `results_aggregate`: the one place they leave as plain values."""

    solution_id: int
    group_key: str
    score: Decimal | None  # the final score, rounded half-up to 2 places (None: incomplete)
    total_sum: Decimal  # Σ of the valid judge totals, 4 places (shown)
    total_key: int  # the same sum, exact, as an integer over the round's common denominator
    judge_count: int
    incomplete: bool
    method_note: str
    submitted_at: dt.datetime | None
    disqualified: bool = False
    override_reason: str = ""
    override_advanced: bool = False
    # Filled by ranking.
    rank: int | None = None
    tie_rule: str = TieRule.NONE
    tie_detail: str = ""
    criterion_means: dict[str, str] = field(default_factory=dict)
    # Filled by advancement.
    advanced: bool = False


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
