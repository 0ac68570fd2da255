"""Property tests: which round a solution submits to (`submission_round_for`) against a plain
reference, and the deadline decisions of submissions against `contest.clock` at the boundary
second.

Run on both backends (SQLite default and PostgreSQL via DATABASE_URL)."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contest import clock as server_clock
from contest.selectors import first_round_of, first_rounds_of
from submissions.enums import EntryStatus, SolutionStatus
from submissions.errors import DeadlinePassedError
from submissions.models import Solution
from submissions.selectors import (
    solution_list_for_user,
    solution_visible_to,
    submission_round_for,
    team_facts_frozen,
    upload_limit_for,
)
from submissions.services._common import _require_accepting
from submissions.views import _first_round_deadline_passed
from tests.factories.contest import ContestFactory, RoundFactory
from tests.factories.submissions import RoundEntryFactory, SolutionFactory

from .conftest import DEADLINE

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

# --- which round -----------------------------------------------------------------------------


@st.composite
def contest_data(draw):
    """Rounds (distinct sequences, created in any order, each with its own upload limit), a
    solution status and, per round, maybe an entry of the solution with some status."""
    sequences = draw(st.lists(st.integers(1, 9), unique=True, max_size=4))
    entries = {seq: draw(st.none() | st.sampled_from(EntryStatus.values)) for seq in sequences}
    status = draw(st.sampled_from(SolutionStatus.values))
    return sequences, entries, status


def _reference(sequences, entries, status):
    """The rule as written in the handbook, with nothing but lists: the sequence of the round."""
    if status in ("draft", "submitted", "withdrawn"):
        return min(sequences, default=None)
    if status in ("qualified", "advanced"):
        return max((seq for seq, entry in entries.items() if entry == "active"), default=None)
    return None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=contest_data())
def test_submission_round_for_agrees_with_a_plain_reference(data):
    sequences, entries, status = data
    contest = ContestFactory()
    rounds = {seq: RoundFactory(contest=contest, sequence=seq, max_upload_bytes=1000 + seq) for seq in sequences}
    solution = SolutionFactory(contest=contest, scenario__track__contest=contest, status=status)
    for seq, entry_status in entries.items():
        if entry_status is not None:
            RoundEntryFactory(solution=solution, round=rounds[seq], status=entry_status)
    expected = _reference(sequences, entries, status)

    found = submission_round_for(solution)
    assert (found.sequence if found else None) == expected
    # The same solution read again, and a contest (taking up, transfer): its first round.
    assert submission_round_for(Solution.objects.get(pk=solution.pk)) == found
    first = submission_round_for(contest)
    assert (first.sequence if first else None) == min(sequences, default=None)
    assert first_round_of(contest.pk) == first
    assert first_rounds_of([contest.pk]).get(contest.pk) == first
    # The early size check reads the limit of that same round (the first round's when none).
    fallback = rounds[min(sequences)].max_upload_bytes if sequences else 7
    assert upload_limit_for(solution.pk, default=7) == (found.max_upload_bytes if found else fallback)


# --- the deadline, at its boundary second ----------------------------------------------------


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    fraction=st.integers(0, 999_999),
    offset=st.integers(-2_000_000, 2_000_000),  # microseconds around the deadline
)
def test_deadline_decisions_agree_with_the_clock_at_the_boundary(fraction, offset, round1, submitted, publisher):
    """Every deadline decision rewired onto `contest.clock` says what the clock says, to the
    microsecond around the last second of the first round (deadline with any fraction)."""
    deadline = DEADLINE.replace(microsecond=fraction)
    type(round1).objects.filter(pk=round1.pk).update(submission_deadline=deadline)
    round1.refresh_from_db()
    at = deadline + dt.timedelta(microseconds=offset)
    passed = server_clock.deadline_passed(deadline, at)

    assert team_facts_frozen(round1.contest_id, at) is passed
    # The publisher sees the handed-in solution from the deadline on, one row or in the list.
    assert solution_visible_to(publisher, submitted, at=at) is passed
    assert solution_list_for_user(publisher, at=at).filter(pk=submitted.pk).exists() is passed
    # Uploads and submissions are refused from the same instant.
    if passed:
        with pytest.raises(DeadlinePassedError):
            _require_accepting(round1, at)
    else:
        _require_accepting(round1, at)


@pytest.mark.parametrize(
    ("offset", "passed"),
    [(dt.timedelta(microseconds=999_999), False), (dt.timedelta(seconds=1), True)],
)
def test_solution_page_says_late_from_the_boundary_second(clock, submitted, offset, passed):
    """The solution page's "after the deadline" (withdrawal means retiring) follows the clock."""
    clock(DEADLINE.replace(microsecond=0) + offset)
    assert _first_round_deadline_passed(submitted) is passed
    assert server_clock.deadline_passed(DEADLINE, server_clock.now()) is passed
