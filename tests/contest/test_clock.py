import datetime as dt
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contest import clock
from contest.clock import round_accepts_submissions
from contest.models import Round

pytestmark = [pytest.mark.unit]

UTC = dt.UTC
OPENS = dt.datetime(2021, 5, 20, 2, 0, tzinfo=UTC)
DEADLINE = dt.datetime(2021, 6, 20, 15, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize(
    ("at", "accepted"),
    [
        (OPENS - dt.timedelta(microseconds=1), False),
        (OPENS, True),
        (DEADLINE, True),
        (DEADLINE + dt.timedelta(microseconds=999_999), True),
        (DEADLINE + dt.timedelta(seconds=1), False),
    ],
)
def test_submission_window_boundaries(at, accepted):
    assert round_accepts_submissions(Round(submission_opens_at=OPENS, submission_deadline=DEADLINE), at) is accepted


def test_a_deadline_with_fractions_is_truncated_to_the_second():
    round_ = Round(submission_opens_at=OPENS, submission_deadline=DEADLINE + dt.timedelta(microseconds=500_000))
    assert not round_accepts_submissions(round_, DEADLINE + dt.timedelta(seconds=1))


def test_a_round_without_a_window_accepts_nothing():
    assert not round_accepts_submissions(Round(), OPENS)


# --- the one deadline rule, against a plain reference ---------------------------------------


def _reference_on_time(deadline: dt.datetime, at: dt.datetime) -> bool:
    """Plain reading of the rule: on time while the clock still shows the deadline's second (or earlier)."""
    return math.floor(at.timestamp()) <= math.floor(deadline.timestamp())


_instants = st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 1, 1), timezones=st.just(UTC))


@given(deadline=_instants, offset_us=st.integers(min_value=-3_000_000, max_value=3_000_000))
def test_deadline_passed_agrees_with_the_reference_near_the_deadline(deadline, offset_us):
    at = deadline + dt.timedelta(microseconds=offset_us)
    assert clock.deadline_passed(deadline, at) is not _reference_on_time(deadline, at)


@given(deadline=_instants, at=_instants)
def test_deadline_passed_agrees_with_the_reference_anywhere(deadline, at):
    assert clock.deadline_passed(deadline, at) is not _reference_on_time(deadline, at)


@given(opens=_instants, deadline=_instants, at=_instants)
def test_within_window_is_opened_and_not_passed(opens, deadline, at):
    expected = opens <= at and _reference_on_time(deadline, at)
    assert clock.within_window(opens, deadline, at) is expected
    round_ = Round(submission_opens_at=opens, submission_deadline=deadline)
    assert clock.round_accepts_submissions(round_, at) is expected


def test_no_deadline_never_passes_and_a_window_without_bounds_is_closed():
    assert clock.deadline_passed(None, DEADLINE + dt.timedelta(days=999)) is False
    assert clock.within_window(None, DEADLINE, DEADLINE) is False
    assert clock.within_window(OPENS, None, DEADLINE) is False


@pytest.mark.django_db
@settings(deadline=None)  # each example writes rows; a busy machine must not fail it on time
@given(
    fraction_us=st.integers(min_value=0, max_value=999_999),
    offset_us=st.integers(min_value=-2_000_000, max_value=2_000_000),
)
def test_the_sql_form_of_the_rule_agrees_with_the_python_one(fraction_us, offset_us):
    """`deadline_passed_q` / `deadline_open_q` pick exactly the rows `deadline_passed` says."""
    from tests.factories.contest import ContestFactory, RoundFactory

    deadline = DEADLINE + dt.timedelta(microseconds=fraction_us)
    round_ = RoundFactory(contest=ContestFactory(), submission_opens_at=OPENS, submission_deadline=deadline)
    at = deadline + dt.timedelta(microseconds=offset_us)
    rows = Round.objects.filter(pk=round_.pk)
    passed = clock.deadline_passed(deadline, at)
    assert rows.filter(clock.deadline_passed_q("submission_deadline", at)).exists() is passed
    assert rows.filter(clock.deadline_open_q("submission_deadline", at)).exists() is not passed
    round_.delete()
