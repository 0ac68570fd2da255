"""`ResultRow`: what aggregation hands ranking and advancement, and they hand back."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from judging.results.enums import TieRule


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
