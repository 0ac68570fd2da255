"""The single place that reads the server clock, and the submission-window rule built on it."""

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    """Current server time (aware, UTC). Tests move it with time-machine."""
    return timezone.now()


def round_accepts_submissions(round_, at: dt.datetime) -> bool:
    """True while `submission_opens_at <= at < submission_deadline (to the second) + 1 s`.

    The deadline is the last second shown to users (e.g. 23:59:59), so a request received at
    23:59:59.999 is still on time and one at 00:00:00 is late.
    """
    opens, deadline = round_.submission_opens_at, round_.submission_deadline
    if opens is None or deadline is None:
        return False
    cutoff = deadline.replace(microsecond=0) + dt.timedelta(seconds=1)
    return opens <= at < cutoff
