import datetime as dt

import pytest

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
