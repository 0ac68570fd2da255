"""Opening and closing a round's judging window, and reopening a finished round."""

import datetime as dt

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from contest.audit import audit_record
from contest.enums import RoundStatus
from contest.errors import ReasonRequiredError
from contest.models import Round, User
from judging.errors import AwardsConfirmedError, JudgingWindowInvalidError, LaterRoundEnteredError, RoundStatusError
from judging.models import JudgeAssignment
from submissions.models import RoundEntry

OPENABLE = (RoundStatus.PENDING, RoundStatus.OPEN, RoundStatus.JUDGING)
# Finished rounds: nothing changes them by a side effect, only `round_reopen`.
REOPENABLE = (RoundStatus.AGGREGATED, RoundStatus.PUBLISHED, RoundStatus.CLOSED)


def _window(round_: Round) -> dict:
    return {
        "status": round_.status,
        "judging_opens_at": round_.judging_opens_at,
        "judging_closes_at": round_.judging_closes_at,
    }


@transaction.atomic
def round_open_judging(*, actor: User, round_: Round, closes_at: dt.datetime | None = None) -> Round:
    """Put the round into judging now (or re-open it with a new closing time).

    Locks the round row (status changes serialise with assignment runs). Sets judging_opens_at to
    now unless it is already in the past; `closes_at` replaces the closing time. The window must
    end in the future. Audited.
    """
    round_ = Round.objects.select_for_update(no_key=True).get(pk=round_.pk)
    if round_.status not in OPENABLE:
        raise RoundStatusError(extra={"status": round_.status})
    now = timezone.now()
    before = _window(round_)
    closes = closes_at or round_.judging_closes_at
    if closes is None or closes <= now:
        raise JudgingWindowInvalidError()
    if round_.judging_opens_at is None or round_.judging_opens_at > now:
        round_.judging_opens_at = now
    round_.judging_closes_at = closes
    round_.status = RoundStatus.JUDGING
    round_.save(update_fields=["status", "judging_opens_at", "judging_closes_at", "updated_at"])
    audit_record(actor=actor, action="judging.round_judging_opened", obj=round_, before=before, after=_window(round_))
    return round_


@transaction.atomic
def round_close_judging(*, actor: User, round_: Round) -> Round:
    """Close the judging window now: judging_closes_at = min(existing, now).

    The status stays `judging` (the window is what refuses scores) until aggregation moves the
    round on. Locks the round row. Audited. Closing an already closed window changes nothing.
    """
    round_ = Round.objects.select_for_update(no_key=True).get(pk=round_.pk)
    if round_.status != RoundStatus.JUDGING:
        raise RoundStatusError(extra={"status": round_.status})
    # Wait for the scores in flight: each holds its assignment row until it commits. Scores that
    # start now queue behind these locks and then read the closed window (see scoring).
    list(JudgeAssignment.objects.select_for_update().filter(round=round_).order_by("pk").values_list("pk", flat=True))
    now = timezone.now()
    before = _window(round_)
    if round_.judging_closes_at is None or round_.judging_closes_at > now:
        round_.judging_closes_at = now
        round_.save(update_fields=["judging_closes_at", "updated_at"])
        audit_record(
            actor=actor, action="judging.round_judging_closed", obj=round_, before=before, after=_window(round_)
        )
    return round_


@transaction.atomic
def round_reopen(*, actor: User, round_: Round, reason: str, closes_at: dt.datetime) -> Round:
    """An organizer's explicit step back: an aggregated, published or closed round returns to
    judging until `closes_at`, so flagged reviews can be voided and the round aggregated and
    published again.

    What was issued stays: the current publication remains what teams and the public see until
    a new one supersedes it. Refused once the next round has entries (advancement was applied)
    or the contest's awards are confirmed (those are revoked and re-issued instead). Locks the
    round row. Audited with the reason.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequiredError()
    round_ = Round.objects.select_for_update(no_key=True).get(pk=round_.pk)
    if round_.status not in REOPENABLE:
        raise RoundStatusError(extra={"status": round_.status})
    # Awards belong to judging.results, which depends on judging: looked up by label, not imported.
    if apps.get_model("results", "Award").objects.filter(contest_id=round_.contest_id, revoked_at=None).exists():
        raise AwardsConfirmedError()
    if RoundEntry.objects.filter(round__contest_id=round_.contest_id, round__sequence__gt=round_.sequence).exists():
        raise LaterRoundEnteredError()
    now = timezone.now()
    if closes_at is None or closes_at <= now:
        raise JudgingWindowInvalidError()
    before = _window(round_)
    round_.status = RoundStatus.JUDGING
    round_.judging_closes_at = closes_at
    if round_.judging_opens_at is None or round_.judging_opens_at > now:
        round_.judging_opens_at = now
    round_.save(update_fields=["status", "judging_opens_at", "judging_closes_at", "updated_at"])
    audit_record(
        actor=actor,
        action="judging.round_reopened",
        obj=round_,
        before=before,
        after={**_window(round_), "reason": reason},
    )
    return round_
