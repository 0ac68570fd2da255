"""Judging progress per round, per track and per judge, from one grouped query."""

from collections import defaultdict

from django.db.models import Count, Q

from contest.models import Round
from judging.enums import ReviewStatus
from judging.models import JudgeAssignment
from judging.selectors import round_solutions


def _row() -> dict:
    return {"assigned": 0, "submitted": 0, "missing": 0, "returned": 0, "voided": 0}


def round_progress(*, round_: Round, track_ids: set[int] | None = None) -> dict:
    """{"round": {...}, "tracks": [...], "judges": [...]} with assigned / submitted / missing counts.

    One query groups the round's active assignments (of solutions still judged) by (track, judge)
    and counts their reviews by status; the three views are sums over those groups. `missing` is
    assigned minus submitted (drafts, returned and voided reviews are missing). With
    `track_ids` (a track host) only those tracks' assignments are counted."""
    assignments = JudgeAssignment.objects.filter(round=round_, active=True, solution__in=round_solutions(round_=round_))
    if track_ids is not None:
        assignments = assignments.filter(solution__scenario__track_id__in=track_ids)
    groups = (
        assignments.values("solution__scenario__track_id", "judge_id", "judge__username", "judge__full_name")
        .annotate(
            assigned=Count("id"),
            submitted=Count("id", filter=Q(review__status=ReviewStatus.SUBMITTED)),
            returned=Count("id", filter=Q(review__status=ReviewStatus.RETURNED)),
            voided=Count("id", filter=Q(review__status=ReviewStatus.VOIDED)),
        )
        .order_by("solution__scenario__track_id", "judge_id")
    )
    total = _row()
    tracks: dict[int, dict] = defaultdict(_row)
    judges: dict[int, dict] = {}
    for g in groups:
        track_id, judge_id = g["solution__scenario__track_id"], g["judge_id"]
        judge = judges.setdefault(
            judge_id, {**_row(), "username": g["judge__username"], "full_name": g["judge__full_name"]}
        )
        for target in (total, tracks[track_id], judge):
            for key in ("assigned", "submitted", "returned", "voided"):
                target[key] += g[key]
    for target in (total, *tracks.values(), *judges.values()):
        target["missing"] = target["assigned"] - target["submitted"]
    return {
        "round": {"id": round_.pk, **total},
        "tracks": [{"track_id": t, **row} for t, row in sorted(tracks.items())],
        "judges": [{"judge_id": j, **row} for j, row in sorted(judges.items())],
    }
