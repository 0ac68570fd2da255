"""Advancement as data: who goes on to the next round.

Rules (`Round.advancement_kind` / `advancement_value`, applied per group of
`Round.advancement_scope`):

* top_n: every ranked result with rank <= N. Ranks are competition ranks, so everything tied at
  the cut (sharing rank N or a rank above N's position) advances;
* top_percent: N = ceil(ranked results in the group × percent / 100), then as top_n (ceil, so a
  group of 7 with 50 % sends 4 on; a positive percent always sends at least one);
* score_floor: every ranked result whose final score >= the floor;
* none: nobody (final round).

Incomplete and disqualified results never advance. A hand override (with its reason) wins
over the rule and survives re-aggregation.
"""

from __future__ import annotations

import math
from dataclasses import replace
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from contest.audit import audit_record
from contest.enums import AdvancementKind
from contest.models import Round
from judging.errors import ReasonRequiredError
from judging.results.errors import AdvancementConfirmedError, AlreadyPublishedError, ResultNotFoundError
from judging.results.models import Publication, RoundResult, audit_label
from judging.results.services.rows import ResultRow
from submissions.enums import EntryStatus, SolutionStatus
from submissions.models import RoundEntry, Solution


def _cut(round_: Round, ranked_count: int) -> int:
    value = Decimal(round_.advancement_value)
    if round_.advancement_kind == AdvancementKind.TOP_N:
        return int(value)
    if round_.advancement_kind == AdvancementKind.TOP_PERCENT:
        return math.ceil(Decimal(ranked_count) * value / 100)
    return 0


def advancement_compute(*, round_: Round, rows: list[ResultRow]) -> list[ResultRow]:
    """The rows (same order) with `advanced` set by the round's rule, then the hand overrides."""
    counts: dict[str, int] = {}
    for row in rows:
        if row.rank is not None:
            counts[row.group_key] = counts.get(row.group_key, 0) + 1
    floor = Decimal(round_.advancement_value)
    out = []
    for row in rows:
        advanced = False
        if row.rank is not None:
            if round_.advancement_kind == AdvancementKind.SCORE_FLOOR:
                advanced = row.score >= floor
            elif round_.advancement_kind in (AdvancementKind.TOP_N, AdvancementKind.TOP_PERCENT):
                advanced = row.rank <= _cut(round_, counts[row.group_key])
        if row.override_reason and not row.disqualified:
            advanced = bool(row.override_advanced)
        out.append(replace(row, advanced=advanced and not row.disqualified))
    return out


def _final_confirmed(round_: Round) -> bool:
    return Publication.objects.filter(round=round_, superseded=False, final_confirmed_at__isnull=False).exists()


def advancement_override(*, round_: Round, solution_id: int, advanced: bool, reason: str, actor) -> RoundResult:
    """An organizer adds a solution to, or removes it from, the advancing list by hand.

    Preconditions: a reason; the round not yet published; a (non-disqualified) result.
    Side effects: the result's advanced flag and override reason; audit event with before/after.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequiredError()
    with transaction.atomic():
        # Same lock as aggregation: an override never interleaves with a re-run.
        round_ = Round.objects.select_for_update().get(pk=round_.pk)
        if _final_confirmed(round_):
            raise AdvancementConfirmedError()
        if Publication.objects.filter(round=round_, superseded=False).exists():
            # The published table (and its digest) names who advances: after publication only an
            # upheld objection changes it, followed by a supplementary publication.
            raise AlreadyPublishedError()
        result = RoundResult.objects.select_for_update().filter(round=round_, solution_id=solution_id).first()
        if result is None or result.disqualified:
            raise ResultNotFoundError()
        before = {"advanced": result.advanced, "override_reason": result.override_reason}
        result.advanced = advanced
        result.override_reason = reason
        result.save(update_fields=["advanced", "override_reason", "updated_at"])
        audit_record(
            actor=actor,
            action="results.advancement_override",
            obj=result,
            object_type=audit_label(result),
            before=before,
            after={"advanced": advanced, "override_reason": reason, "solution_id": solution_id},
        )
    return result


def advancement_apply(*, round_: Round, actor) -> dict:
    """Carry the round's advancement into the entries and solutions.

    Preconditions: caller holds the round's row lock (publication_confirm_final does).
    Side effects: RoundEntry of this round → advanced / eliminated; Solution status → advanced /
    eliminated (disqualified ones stay disqualified); RoundEntry(next round) for the advanced
    ones (get_or_create). Idempotent.
    """
    results = list(RoundResult.objects.filter(round=round_).values("solution_id", "advanced", "disqualified"))
    advanced_ids = [r["solution_id"] for r in results if r["advanced"] and not r["disqualified"]]
    eliminated_ids = [r["solution_id"] for r in results if not r["advanced"] and not r["disqualified"]]
    next_round = (
        Round.objects.filter(contest_id=round_.contest_id, sequence__gt=round_.sequence).order_by("sequence").first()
    )
    now = timezone.now()
    RoundEntry.objects.filter(round=round_, solution_id__in=advanced_ids).update(
        status=EntryStatus.ADVANCED, updated_at=now
    )
    RoundEntry.objects.filter(round=round_, solution_id__in=eliminated_ids).update(
        status=EntryStatus.ELIMINATED, updated_at=now
    )
    if next_round is not None and round_.advancement_kind != AdvancementKind.NONE:
        Solution.objects.filter(pk__in=advanced_ids).update(status=SolutionStatus.ADVANCED, updated_at=now)
        existing = set(RoundEntry.objects.filter(round=next_round).values_list("solution_id", flat=True))
        RoundEntry.objects.bulk_create(
            [RoundEntry(round=next_round, solution_id=sid) for sid in advanced_ids if sid not in existing],
            batch_size=1000,
        )
        # Only a round that sends entries on eliminates the others; the final round's entries
        # keep their status until awards are confirmed.
        Solution.objects.filter(pk__in=eliminated_ids).exclude(status=SolutionStatus.AWARDED).update(
            status=SolutionStatus.ELIMINATED, updated_at=now
        )
    summary = {
        "advanced": len(advanced_ids),
        "eliminated": len(eliminated_ids),
        "next_round": getattr(next_round, "pk", None),
    }
    audit_record(actor=actor, action="results.advancement_apply", obj=round_, after=summary)
    return summary
