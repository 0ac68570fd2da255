"""Aggregation's arithmetic: a round's raw scores to exact per-solution values.

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

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db import connection, transaction

from contest.enums import AggregationMethod
from contest.models import Round
from judging.enums import ReviewStatus
from judging.models import Criterion

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
