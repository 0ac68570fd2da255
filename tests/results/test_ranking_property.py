"""Property test: `tie_key` orders results, and `tie_level` names the deciding rule, exactly as
the documented tie-break chain does.

The chain (DESIGN.md "Judging rules", ranking module docstring): the higher final score; the
higher sum of all valid judge totals; the higher mean on the highest-weighted criterion, then
the next (equal weights in rubric order); the earlier final submission (none: last); otherwise
the results share the rank. The reference below compares two results rule by rule, as a
person reading that list would."""

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from judging.results.enums import TieRule
from judging.results.services.ranking import ordered_criteria, tie_key, tie_level
from judging.results.services.rows import ResultRow

pytestmark = [pytest.mark.unit]

BASE = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC)


@dataclass
class FakeCriterion:
    pk: int
    weight: Decimal
    order: int
    name: str


@st.composite
def cases(draw):
    n_criteria = draw(st.integers(1, 3))
    criteria = [
        FakeCriterion(
            pk=10 + i, weight=draw(st.sampled_from([Decimal("1"), Decimal("2"), Decimal("0.5")])), order=o, name=f"c{i}"
        )
        for i, o in enumerate(draw(st.permutations(range(n_criteria))))
    ]
    rows, means = [], {}
    for solution_id in range(1, draw(st.integers(2, 6)) + 1):
        rows.append(
            ResultRow(
                solution_id=solution_id,
                group_key="track:1",
                # Few distinct values, so that every rule of the chain gets to decide.
                score=draw(st.sampled_from([Decimal("80.00"), Decimal("80.01"), Decimal("79.99")])),
                total_sum=Decimal("0"),
                total_key=draw(st.integers(0, 2)),
                judge_count=3,
                incomplete=False,
                method_note="",
                submitted_at=draw(st.none() | st.integers(0, 2).map(lambda m: BASE + dt.timedelta(minutes=m))),
            )
        )
        means[solution_id] = {
            c.pk: (draw(st.integers(0, 3)), draw(st.integers(1, 2))) for c in criteria if draw(st.booleans())
        }
    return criteria, rows, means


def _mean(sums, criterion):
    total, count = sums.get(criterion.pk, (0, 1))
    return Fraction(total, 100 * count)


def _reference(a, b, criteria, means):
    """(-1: a ranks higher, 1: b does, 0: shared; the rule that decided; the criterion's name)."""
    if a.score != b.score:
        return (-1 if a.score > b.score else 1), TieRule.NONE, None
    if a.total_key != b.total_key:
        return (-1 if a.total_key > b.total_key else 1), TieRule.TOTAL_SUM, None
    by_weight = sorted(criteria, key=lambda c: (-c.weight, c.order))
    for criterion in by_weight:
        ma, mb = _mean(means[a.solution_id], criterion), _mean(means[b.solution_id], criterion)
        if ma != mb:
            return (-1 if ma > mb else 1), TieRule.CRITERION, criterion.name
    ta, tb = a.submitted_at, b.submitted_at
    if ta != tb:
        if ta is None or tb is None:
            return (1 if ta is None else -1), TieRule.SUBMISSION_TIME, None
        return (-1 if ta < tb else 1), TieRule.SUBMISSION_TIME, None
    return 0, TieRule.SHARED, None


@settings(max_examples=300, deadline=None)
@given(case=cases())
def test_tie_key_orders_and_explains_like_the_documented_chain(case):
    criteria, rows, means = case
    chain = ordered_criteria(criteria)

    def key(row):
        return tie_key(row, chain, means[row.solution_id])

    def reference_order(a, b):
        return _reference(a, b, criteria, means)[0] or (a.solution_id - b.solution_id)

    by_key = sorted(rows, key=lambda r: (key(r), r.solution_id))
    by_reference = sorted(rows, key=functools.cmp_to_key(reference_order))
    assert [r.solution_id for r in by_key] == [r.solution_id for r in by_reference]

    for a in rows:
        for b in rows:
            sign, rule, criterion_name = _reference(a, b, criteria, means)
            ka, kb = key(a), key(b)
            assert (ka > kb) - (ka < kb) == sign
            _depth, found_rule, position = tie_level(ka, kb)
            assert found_rule == rule
            assert (chain[position].name if found_rule == TieRule.CRITERION else None) == criterion_name
