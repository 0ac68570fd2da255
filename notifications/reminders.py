"""Deadline reminders, run by Celery beat (`notifications.send_reminders`, every 5 minutes).

The outbox knows no contest: each app that has deadlines registers a reminder function at start-up
(`register_reminders`, from its AppConfig.ready) and `reminders_send` runs them all. Today:

* `submissions.reminders`: every member of a team with an unsubmitted solution, 24 hours and
  1 hour before a round's submission deadline.
* `judging.reminders`: every judge with an active assignment whose review is not submitted,
  24 hours before the judging window closes.

A reminder's de-duplication key is `<kind>:<round id>:<deadline as Unix time>:<window>:<user id>`,
so however often the beat runs each person gets each reminder once per deadline (a moved
deadline is a new deadline). The window is the narrowest one the deadline falls into
(`reminder_window`): when the beat first sees a deadline 30 minutes ahead only the 1-hour reminder
goes out.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.utils import timezone

Reminders = Callable[[datetime], int]
_REGISTERED: list[Reminders] = []


def register_reminders(reminders: Reminders) -> None:
    """Add a function `(now) -> notices created` to every beat run (once, however often called)."""
    if reminders not in _REGISTERED:
        _REGISTERED.append(reminders)


def reminder_window(
    deadline: datetime, now: datetime, windows: tuple[tuple[str, timedelta], ...], *, open_now: bool
) -> tuple[str, int] | None:
    """The narrowest (name, hours) window `deadline` falls into, or None (windows: narrowest first)."""
    for name, span in windows:
        if open_now and deadline <= now + span:
            return name, int(span.total_seconds() // 3600)
    return None


def reminders_send(*, now: datetime | None = None) -> int:
    """Create the due reminders of every registered app. Returns the number of notice rows created.

    Side effects: Notification rows (in-app + e-mail) and send tasks on commit. Idempotent per
    (round, deadline, window, person) through the de-duplication key.
    """
    now = now or timezone.now()
    return sum(reminders(now) for reminders in _REGISTERED)
