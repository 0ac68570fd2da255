"""The single place that reads the server clock, and the one rule that decides every deadline.

A deadline is the last second shown to users (e.g. 23:59:59): the whole of that second is still
on time, so a request received at 23:59:59.999 is accepted and one at 00:00:00 is late. The
submission deadline, the supplement (补正) deadline, the end of a publicity (objection) window
and the transfer deadline (the first round's) are all decided by `deadline_passed` (in Python)
or `deadline_passed_q` / `deadline_open_q` (in SQL, the same rule), nothing else.
"""

import datetime as dt

from django.db.models import Q
from django.utils import timezone

ONE_SECOND = dt.timedelta(seconds=1)


def now() -> dt.datetime:
    """Current server time (aware, UTC). Tests move it with time-machine."""
    return timezone.now()


def deadline_cutoff(deadline: dt.datetime) -> dt.datetime:
    """The first instant that is late: the deadline's second (fractions dropped) + 1 s."""
    return deadline.replace(microsecond=0) + ONE_SECOND


def deadline_passed(deadline: dt.datetime | None, at: dt.datetime) -> bool:
    """True once `at` is past the whole last second of `deadline`; no deadline never passes."""
    return deadline is not None and at >= deadline_cutoff(deadline)


def within_window(opens: dt.datetime | None, deadline: dt.datetime | None, at: dt.datetime) -> bool:
    """True while `opens <= at` and the deadline has not passed; a missing bound is closed."""
    return opens is not None and deadline is not None and opens <= at and not deadline_passed(deadline, at)


def _second_of(at: dt.datetime) -> dt.datetime:
    return at.replace(microsecond=0)


def deadline_passed_q(field: str, at: dt.datetime) -> Q:
    """`deadline_passed(row.<field>, at)` as a filter.

    at >= floor(d) + 1 s  ⇔  floor(d) < floor(at)  ⇔  d < floor(at): whole seconds are the same
    in every time zone (offsets are whole minutes), so the database compares plain instants.
    """
    return Q(**{f"{field}__lt": _second_of(at)})


def deadline_open_q(field: str, at: dt.datetime) -> Q:
    """Rows whose deadline (in `field`, not null) has not passed at `at`."""
    return Q(**{f"{field}__gte": _second_of(at)})


def round_accepts_submissions(round_, at: dt.datetime) -> bool:
    """True while `submission_opens_at <= at` and the submission deadline has not passed."""
    return within_window(round_.submission_opens_at, round_.submission_deadline, at)
