"""Contract with the results code: the SQL aggregate agrees with `judge_total`, and a voided
(or returned) review is out of every aggregate."""

from decimal import Decimal
from fractions import Fraction

import pytest

from contest.enums import AggregationMethod
from judging.services.scoring import judge_total, review_return, review_submit, review_void
from tests.factories.judging import JudgeAssignmentFactory
from tests.judging.helpers import full_scores

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


def _totals(world, values):
    return [
        judge_total({c.pk: Decimal(v) for c, v in zip(world.criteria, vals, strict=True)}, world.criteria)
        for vals in values
    ]


def test_sql_aggregate_matches_judge_total_and_excludes_void_and_returned(world):
    from judging.results.services.exact import compute_round_exact

    world.round.aggregation_method = AggregationMethod.MEAN
    world.round.min_reviews = 1
    world.round.save()
    third = JudgeAssignmentFactory(round=world.round, solution=world.solution, judge=world.unassigned_judge)
    values = [("8", "7.5", "15"), ("9.5", "3", "20"), ("1", "0.5", "12.5")]
    reviews = [
        review_submit(judge=a.judge, assignment_id=a.pk, scores=full_scores(world, v))
        for a, v in zip((world.assignment, world.other_assignment, third), values, strict=True)
    ]
    totals = _totals(world, values)
    assert totals == [Decimal("77"), Decimal("84"), Decimal("30")]

    agg = compute_round_exact(world.round)[world.solution.pk]
    assert agg.judge_count == 3
    assert agg.exact == Fraction(sum(totals)) / 3

    review_void(actor=world.organizer, review=reviews[2], reason="利益冲突")
    agg = compute_round_exact(world.round)[world.solution.pk]
    assert agg.judge_count == 2
    assert agg.exact == Fraction(totals[0] + totals[1]) / 2

    review_return(actor=world.organizer, review=reviews[1], reason="请复核")
    agg = compute_round_exact(world.round)[world.solution.pk]
    assert agg.judge_count == 1
    assert agg.exact == Fraction(totals[0])
