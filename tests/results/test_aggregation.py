from decimal import Decimal
from fractions import Fraction

import pytest

from judging.enums import ReviewStatus
from judging.results.enums import TieRule
from judging.results.models import RoundResult
from judging.results.services.aggregation import results_aggregate
from judging.results.services.exact import round_half_up

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

TOTALS = [92, 85, 88, 70, 95]


def _result(round_, solution):
    return RoundResult.objects.get(round=round_, solution=solution)


@pytest.mark.parametrize(
    ("method", "expected", "note"),
    [
        ("mean", Decimal("86.00"), "mean of 5"),
        ("trimmed_mean", Decimal("88.33"), "trimmed mean: dropped 1 highest and 1 lowest of 5"),
        ("median", Decimal("88.00"), "median of 5"),
    ],
)
def test_hand_built_five_judges(builder, method, expected, note):
    b = builder(aggregation_method=method)
    solution = b.scored(TOTALS)

    results_aggregate(round_=b.round)

    result = _result(b.round, solution)
    assert result.score == expected
    assert result.method_note == note
    assert result.judge_count == 5
    assert result.total_sum == Decimal("430.0000")
    assert result.rank == 1 and not result.incomplete


def test_trimmed_mean_drops_one_instance_of_equal_extremes(builder):
    b = builder(aggregation_method="trimmed_mean")
    solution = b.scored([90, 90, 80, 70, 70])  # drop one 90 and one 70: (90+80+70)/3

    results_aggregate(round_=b.round)

    assert _result(b.round, solution).score == Decimal("80.00")


def test_trimmed_mean_below_threshold_is_plain_mean(builder):
    b = builder(aggregation_method="trimmed_mean")
    solution = b.scored([92, 85, 88, 70])

    results_aggregate(round_=b.round)

    result = _result(b.round, solution)
    assert result.score == Decimal("83.75")
    assert result.method_note == "mean of 4 (fewer than 5, not trimmed)"


def test_trim_threshold_configurable(builder):
    b = builder(aggregation_method="trimmed_mean", trim_threshold=4)
    solution = b.scored([92, 85, 88, 70])

    results_aggregate(round_=b.round)

    assert _result(b.round, solution).score == Decimal("86.50")


def test_median_of_even_count(builder):
    b = builder(aggregation_method="median")
    solution = b.scored([92, 85, 88, 70])

    results_aggregate(round_=b.round)

    assert _result(b.round, solution).score == Decimal("86.50")


def test_half_up_rounding_once_at_the_end(builder):
    # Totals 84.5, 84.5, 84.75, 84.75 → mean 84.625 exactly → 84.63 (binary floats give 84.62).
    b = builder(aggregation_method="mean")
    solution = b.scored([Decimal("84.5"), Decimal("84.5"), Decimal("84.75"), Decimal("84.75")])

    results_aggregate(round_=b.round)

    assert _result(b.round, solution).score == Decimal("84.63")
    assert round(84.625, 2) == 84.62  # what float arithmetic would have published


def test_round_half_up_helper():
    assert round_half_up(Fraction(84625, 1000)) == Decimal("84.63")
    assert round_half_up(Fraction(84624999, 1000000)) == Decimal("84.62")
    assert round_half_up(Fraction(265, 3)) == Decimal("88.33")


def test_weighted_criteria_total(builder):
    # Σ w·s / Σ w·max × 100 = (2·20 + 1·10) / (2·25 + 1·25) × 100 = 50/75×100 = 66.666…
    b = builder(aggregation_method="mean")
    b.use_criteria([("innovation", "创新性", 2, 25), ("team", "团队", 1, 25)])
    solution = b.solution()
    for name in ("a", "b", "c"):
        b.review(solution, name, [20, 10])

    results_aggregate(round_=b.round)

    assert _result(b.round, solution).score == Decimal("66.67")


def test_fewer_than_min_reviews_is_incomplete_and_unranked(builder):
    b = builder(aggregation_method="mean")
    complete = b.scored([80, 80, 80])
    short = b.scored([99, 99])
    none = b.solution()

    results_aggregate(round_=b.round)

    assert _result(b.round, complete).rank == 1
    for solution, count in ((short, 2), (none, 0)):
        result = _result(b.round, solution)
        assert result.incomplete and result.rank is None and result.score is None and not result.advanced
        assert result.judge_count == count
        assert result.method_note.startswith("incomplete")


def test_voided_and_draft_reviews_never_count(builder):
    b = builder(aggregation_method="mean")
    solution = b.scored([80, 80, 80])
    b.review(solution, "void", 10, status=ReviewStatus.VOIDED)
    b.review(solution, "draft", 10, status=ReviewStatus.DRAFT)
    b.review(solution, "returned", 10, status=ReviewStatus.RETURNED)

    results_aggregate(round_=b.round)

    result = _result(b.round, solution)
    assert result.score == Decimal("80.00") and result.judge_count == 3


def test_min_reviews_configurable(builder):
    b = builder(aggregation_method="mean", min_reviews=2)
    solution = b.scored([90, 80])

    results_aggregate(round_=b.round)

    assert _result(b.round, solution).score == Decimal("85.00")


def test_zscore_cancels_severe_and_lenient_judges(builder):
    # Judge S is severe (−10), judge L lenient (+10), judge M neutral: after standardising each
    # judge over the three solutions they all scored, every judge ranks A > B > C identically,
    # so each solution's normalised totals coincide and the result is the overall scale.
    b = builder(aggregation_method="zscore")
    raw = {"A": (80, 100, 90), "B": (70, 90, 80), "C": (60, 80, 70)}
    solutions = {}
    for key, (s, lenient, m) in raw.items():
        solution = b.solution()
        b.review(solution, "S", s)
        b.review(solution, "L", lenient)
        b.review(solution, "M", m)
        solutions[key] = solution

    results_aggregate(round_=b.round)

    totals = [t for triple in raw.values() for t in triple]
    mean = sum(totals) / 9
    sd = (sum((t - mean) ** 2 for t in totals) / 9) ** 0.5
    z = 1.224744871391589  # (x − m_j)/sd_j for the top solution of each judge (pop. SD of 3 values 10 apart)
    expected = {"A": mean + z * sd, "B": mean, "C": mean - z * sd}
    for key, solution in solutions.items():
        result = _result(b.round, solution)
        assert result.score == Decimal(str(expected[key])).quantize(Decimal("0.01")), key
        assert "z-score mean of 3" in result.method_note
    assert [_result(b.round, solutions[k]).rank for k in "ABC"] == [1, 2, 3]
    # Overall mean 80, overall SD sqrt(1200/9); each judge's own SD sqrt(200/3): A = 80 + 10·√2.
    # The plain mean would give 90.00 / 80.00 / 70.00.
    assert _result(b.round, solutions["A"]).score == Decimal("94.14")
    assert _result(b.round, solutions["B"]).score == Decimal("80.00")
    assert _result(b.round, solutions["C"]).score == Decimal("65.86")


def test_zscore_judge_with_one_score_keeps_raw_total(builder):
    b = builder(aggregation_method="zscore")
    first = b.solution()
    second = b.solution()
    for name, (x, y) in {"a": (80, 60), "b": (90, 70), "c": (70, 50)}.items():
        b.review(first, name, x)
        b.review(second, name, y)
    b.review(first, "once", 55)

    results_aggregate(round_=b.round)

    result = _result(b.round, first)
    assert "raw totals kept for 1" in result.method_note
    assert _result(b.round, second).method_note == "z-score mean of 3"


def test_zscore_judge_with_zero_spread_keeps_raw_total(builder):
    b = builder(aggregation_method="zscore")
    first = b.solution()
    second = b.solution()
    for name, (x, y) in {"a": (80, 60), "b": (90, 70), "flat": (75, 75)}.items():
        b.review(first, name, x)
        b.review(second, name, y)

    results_aggregate(round_=b.round)

    assert "raw totals kept for 1" in _result(b.round, first).method_note


def test_judge_group_weights(builder):
    b = builder(aggregation_method="mean", judge_group_weights={"企业代表": "0.3", "外部专家": "0.7"})
    solution = b.solution()
    for name, group, total in [
        ("e1", "企业代表", 90),
        ("e2", "企业代表", 80),
        ("x1", "外部专家", 70),
        ("x2", "外部专家", 60),
        ("x3", "外部专家", 65),
    ]:
        b.judge(name, group=group)
        b.review(solution, name, total)

    results_aggregate(round_=b.round)

    # 0.3 × 85 + 0.7 × 65 = 25.5 + 45.5 = 71.00
    result = _result(b.round, solution)
    assert result.score == Decimal("71.00")
    assert "企业代表" in result.method_note and "外部专家" in result.method_note


def test_judge_group_weights_use_the_round_method_within_each_group(builder):
    b = builder(aggregation_method="trimmed_mean", judge_group_weights={"A": "0.5", "B": "0.5"})
    solution = b.solution()
    for i, total in enumerate([92, 85, 88, 70, 95]):
        b.judge(f"a{i}", group="A")
        b.review(solution, f"a{i}", total)
    for i, total in enumerate([60, 70, 80]):
        b.judge(f"b{i}", group="B")
        b.review(solution, f"b{i}", total)

    results_aggregate(round_=b.round)

    # A: trimmed 88.333…, B: plain mean 70 → 79.1666… → 79.17
    assert _result(b.round, solution).score == Decimal("79.17")


def test_carry_over_combines_unrounded_earlier_scores(builder):
    from tests.factories.contest import RoundFactory
    from tests.factories.judging import CriterionFactory, RubricFactory

    b = builder(aggregation_method="mean", sequence=1)
    solution = b.scored([80, 81, 81])  # 80.666… unrounded
    roadshow = RoundFactory(
        contest=b.contest, sequence=2, aggregation_method="mean", carry_over=[{"round": 1, "weight": "0.4"}]
    )
    CriterionFactory(rubric=RubricFactory(round=roadshow), key="overall", name="总分", max_score=Decimal("100"))
    for i, total in enumerate([90, 90, 91]):  # 90.333…
        b.review(solution, f"r{i}", total, round_=roadshow)

    results_aggregate(round_=roadshow)

    # 0.4 × 80.666… + 0.6 × 90.333… = 32.2666… + 54.2 = 86.4666… → 86.47
    # (rounding each round first would give 0.4 × 80.67 + 0.6 × 90.33 = 86.466 → 86.47 too, so
    # check the exact note and value)
    result = RoundResult.objects.get(round=roadshow, solution=solution)
    assert result.score == Decimal("86.47")
    assert "carry-over" in result.method_note


def test_carry_over_missing_earlier_score_is_incomplete(builder):
    from tests.factories.contest import RoundFactory
    from tests.factories.judging import CriterionFactory, RubricFactory

    b = builder(aggregation_method="mean", sequence=1)
    solution = b.scored([80, 80])  # incomplete in round 1
    roadshow = RoundFactory(
        contest=b.contest, sequence=2, aggregation_method="mean", carry_over=[{"round": 1, "weight": "0.4"}]
    )
    CriterionFactory(rubric=RubricFactory(round=roadshow), key="overall", name="总分", max_score=Decimal("100"))
    for i in range(3):
        b.review(solution, f"r{i}", 90, round_=roadshow)

    results_aggregate(round_=roadshow)

    assert RoundResult.objects.get(round=roadshow, solution=solution).incomplete


def test_idempotent_rerun_gives_identical_rows(builder):
    b = builder(aggregation_method="trimmed_mean")
    for totals in ([92, 85, 88, 70, 95], [80, 80, 80], [80, 80, 80], [50]):
        b.scored(totals)
    fields = [
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
        "computation_id",
        "id",
        "created_at",
    ]

    results_aggregate(round_=b.round)
    first = list(RoundResult.objects.filter(round=b.round).order_by("solution_id").values(*fields))
    results_aggregate(round_=b.round)
    second = list(RoundResult.objects.filter(round=b.round).order_by("solution_id").values(*fields))

    assert first == second
    assert RoundResult.objects.filter(round=b.round).count() == 4
    assert first[1]["tie_rule"] == TieRule.SHARED


def test_retired_and_withdrawn_solutions_get_no_result(builder):
    b = builder(aggregation_method="mean")
    kept = b.scored([80, 80, 80])
    retired = b.scored([90, 90, 90])
    results_aggregate(round_=b.round)
    assert RoundResult.objects.filter(round=b.round).count() == 2

    type(retired).objects.filter(pk=retired.pk).update(status="retired")
    results_aggregate(round_=b.round)

    assert list(RoundResult.objects.filter(round=b.round).values_list("solution_id", "rank")) == [(kept.pk, 1)]
