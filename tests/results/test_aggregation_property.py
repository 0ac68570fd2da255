"""Property test: the SQL aggregation equals a plain-Python Decimal reference on random data.

Run on both backends (SQLite default and PostgreSQL via DATABASE_URL)."""

from decimal import ROUND_HALF_UP, Decimal, localcontext

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from judging.results.models import RoundResult
from judging.results.services.aggregation import results_aggregate

from .conftest import Builder

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

criterion_st = st.tuples(
    st.decimals(min_value=Decimal("0.1"), max_value=Decimal("5"), places=3),  # weight
    st.sampled_from([Decimal("10"), Decimal("15"), Decimal("20"), Decimal("25"), Decimal("33.5"), Decimal("100")]),
)


@st.composite
def round_data(draw):
    criteria = draw(st.lists(criterion_st, min_size=1, max_size=3))
    solutions = []
    for _ in range(draw(st.integers(1, 3))):
        judges = draw(st.integers(1, 7))
        reviews = []
        for _ in range(judges):
            reviews.append([Decimal(draw(st.integers(0, int(maximum * 2)))) / 2 for _, maximum in criteria])
        solutions.append(reviews)
    method = draw(st.sampled_from(["mean", "median", "trimmed_mean"]))
    groups = draw(st.booleans())
    return criteria, solutions, method, groups


def _reference(criteria, reviews, method, groups, min_reviews=3, trim_threshold=5):
    """Plain Decimal arithmetic, as a person with a calculator would do it."""
    with localcontext() as ctx:
        ctx.prec = 60
        totals = []
        for scores in reviews:
            num = sum(w * s for (w, _), s in zip(criteria, scores, strict=True))
            den = sum(w * m for w, m in criteria)
            totals.append(num / den * 100)
        if len(totals) < min_reviews:
            return None

        def aggregate(values):
            values = sorted(values)
            n = len(values)
            if method == "median":
                mid = n // 2
                return values[mid] if n % 2 else (values[mid - 1] + values[mid]) / 2
            if method == "trimmed_mean" and n >= trim_threshold:
                return sum(values[1:-1]) / (n - 2)
            return sum(values) / n

        if not groups:
            value = aggregate(totals)
        else:
            weights = {"A": Decimal("0.3"), "B": Decimal("0.7")}
            by_group = {"A": totals[0::2], "B": totals[1::2]}
            present = {g: v for g, v in by_group.items() if v}
            value = sum(weights[g] * aggregate(v) for g, v in present.items()) / sum(weights[g] for g in present)
        return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=round_data())
def test_sql_aggregation_matches_decimal_reference(data):
    criteria, solutions, method, groups = data
    weights = {"A": "0.3", "B": "0.7"} if groups else {}
    b = Builder(aggregation_method=method, judge_group_weights=weights)
    b.use_criteria([(f"c{i}", f"指标{i}", w, m) for i, (w, m) in enumerate(criteria)])
    built = []
    for reviews in solutions:
        solution = b.solution()
        for j, scores in enumerate(reviews):
            b.judge(f"p{j}", group="AB"[j % 2])
            b.review(solution, f"p{j}", scores)
        built.append(solution)

    results_aggregate(round_=b.round)

    for solution, reviews in zip(built, solutions, strict=True):
        expected = _reference(criteria, reviews, method, groups)
        assert RoundResult.objects.get(round=b.round, solution=solution).score == expected


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    totals=st.lists(st.lists(st.integers(0, 200), min_size=3, max_size=3), min_size=2, max_size=4),
)
def test_zscore_matches_float_reference(totals):
    """z-score (irrational: square roots) against a float reference, to the cent."""
    b = Builder(aggregation_method="zscore")
    built = []
    for row in totals:
        solution = b.solution()
        for j, value in enumerate(row):
            b.review(solution, f"z{j}", Decimal(value) / 2)
        built.append(solution)

    results_aggregate(round_=b.round)

    values = [[v / 2 for v in row] for row in totals]
    flat = [v for row in values for v in row]
    om = sum(flat) / len(flat)
    osd = (sum((v - om) ** 2 for v in flat) / len(flat)) ** 0.5
    stats = []
    for j in range(3):
        column = [row[j] for row in values]
        m = sum(column) / len(column)
        var = sum((v - m) ** 2 for v in column) / len(column)
        stats.append((m, var))
    for solution, row in zip(built, values, strict=True):
        normalised = [
            v if var < 1e-9 else om + (v - m) / var**0.5 * osd for v, (m, var) in zip(row, stats, strict=True)
        ]
        expected = Decimal(repr(sum(normalised) / 3))
        got = RoundResult.objects.get(round=b.round, solution=solution).score
        assert abs(got - expected) <= Decimal("0.0051")
