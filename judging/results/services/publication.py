"""Publication of a round's results, its digest, the publicity period and the final list.

Until a round is published its results are visible to organizers only (see
judging/results/selectors.py) and no notice about them goes out. Publishing fixes the table
(rank, solution id, team, scenario, score per group) and its SHA-256 over a canonical JSON
(sorted keys, no whitespace, UTF-8), which `manage.py verify_publication ROUND_ID` recomputes,
and each team's feedback. Teams and the public read only the current publication (embargo): a
re-aggregation reaches them when it is published again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.db import transaction
from django.utils import timezone

from config.api import ApplicationError
from contest import clock
from contest.audit import audit_record
from contest.enums import AdvancementKind, RoundStatus
from contest.models import Round
from judging.enums import ReviewStatus
from judging.models import Criterion, Review
from judging.results.enums import ObjectionStatus
from judging.results.errors import (
    AlreadyPublishedError,
    NotPublishedError,
    ObjectionsOpenError,
    PublicityNotEndedError,
    PublicityWindowInvalidError,
    ResultsNotAggregatedError,
)
from judging.results.models import Objection, Publication, RoundResult, audit_label
from judging.results.services.advancement import advancement_apply
from judging.results.services.exact import criterion_sums
from notifications.services import NoticeSpec, local_time, notify_many
from submissions.models import TeamMembership


def build_table(round_: Round) -> list[dict]:
    """The publishable table: ranked (complete, not disqualified) results, by group and rank."""
    rows = (
        RoundResult.objects.filter(round=round_, rank__isnull=False, disqualified=False)
        .order_by("group_key", "rank", "solution_id")
        .values(
            "group_key",
            "rank",
            "solution_id",
            "score",
            "advanced",
            "solution__team__name",
            "solution__scenario__title",
            "solution__scenario__track_id",
            "solution__scenario__track__name",
        )
    )
    return [
        {
            "group": r["group_key"],
            "rank": r["rank"],
            "solution_id": r["solution_id"],
            "team": r["solution__team__name"],
            "scenario": r["solution__scenario__title"],
            "track_id": r["solution__scenario__track_id"],
            "track": r["solution__scenario__track__name"],
            "score": f"{r['score']:.2f}",
            "advanced": r["advanced"],
        }
        for r in rows
    ]


def build_feedback(round_: Round) -> dict[str, dict]:
    """What each team is shown with a publication, keyed by solution id (as text, JSON's keys):
    score, rank, advancement, per-criterion means over the valid reviews and the judges'
    comments for the team, anonymised (评委 1, 2, … in a fixed order that names nobody). The
    confidential comments for the organizers are never part of it."""

    results = list(RoundResult.objects.filter(round=round_).select_related("solution").order_by("solution_id"))
    if not results:
        return {}
    criteria = {c.pk: c for c in Criterion.objects.filter(rubric__round=round_)}
    sums = criterion_sums(round_)
    comments_of: dict[int, list[str]] = {}
    for solution_id, comment in (
        Review.objects.filter(round=round_, status=ReviewStatus.SUBMITTED)
        .exclude(team_comment="")
        .order_by("solution_id", "id")
        .values_list("solution_id", "team_comment")
    ):
        comments_of.setdefault(solution_id, []).append(comment)
    feedback = {}
    for result in results:
        means = [
            {
                "criterion": criteria[cid].name,
                "max_score": f"{criteria[cid].max_score:.2f}",
                "mean": f"{total / (100 * count):.2f}",
            }
            for cid, (total, count) in sorted(
                sums.get(result.solution_id, {}).items(), key=lambda kv: (criteria[kv[0]].order, kv[0])
            )
        ]
        feedback[str(result.solution_id)] = {
            "solution_id": result.solution_id,
            "solution_title": result.solution.title,
            "score": None if result.score is None or result.disqualified else f"{result.score:.2f}",
            "rank": result.rank,
            "advanced": result.advanced,
            "incomplete": result.incomplete,
            "disqualified": result.disqualified,
            "criterion_means": means,
            "comments": [
                {"judge": f"评委 {i}", "comment": c} for i, c in enumerate(comments_of.get(result.solution_id, []), 1)
            ],
        }
    return feedback


def table_digest(table: list[dict]) -> str:
    canonical = json.dumps(table, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def current_publication(round_: Round) -> Publication | None:
    return Publication.objects.filter(round=round_, superseded=False).order_by("-number").first()


def publication_publish(
    *,
    round_: Round,
    actor=None,
    publicity_starts_at: dt.datetime | None = None,
    publicity_ends_at: dt.datetime | None = None,
    supplementary: bool = False,
) -> Publication:
    """Publish the round's current results (or re-publish them after an upheld objection).

    Preconditions: aggregated results; not yet published unless `supplementary`. The publicity
    window (both ends inclusive) defaults to now … now + round.publicity_days.
    Locks: the round row (the same lock aggregation takes, so the table is never half-written).
    Side effects: a Publication (the previous one marked superseded and kept), round status
    published, audit event, and the round_results notices (one per team member) written in this
    same transaction with `notify_many`, which enqueues their sending on commit in at most
    NOTIFICATIONS_MAX_FANOUT_TASKS tasks (10,000 teams → ≤ 100 tasks). A broker outage at
    commit time is logged and the unsent notices are picked up by the sweep; nothing is lost.
    """
    now = timezone.now()
    starts = publicity_starts_at or now
    ends = publicity_ends_at or (starts + dt.timedelta(days=round_.publicity_days))
    if ends <= starts:
        raise PublicityWindowInvalidError()
    with transaction.atomic():
        round_ = Round.objects.select_for_update().get(pk=round_.pk)
        if not RoundResult.objects.filter(round=round_).exists():
            raise ResultsNotAggregatedError()
        previous = current_publication(round_)
        if previous is not None and not supplementary:
            raise AlreadyPublishedError()
        table = build_table(round_)
        number = (previous.number + 1) if previous else 1
        if previous is not None:
            previous.superseded = True
            previous.save(update_fields=["superseded", "updated_at"])
        publication = Publication.objects.create(
            round=round_,
            number=number,
            published_at=now,
            publicity_starts_at=starts,
            publicity_ends_at=ends,
            table=table,
            digest=table_digest(table),
            feedback=build_feedback(round_),
            supplementary=supplementary,
            published_by=actor if actor is not None and actor.is_authenticated else None,
        )
        round_.status = RoundStatus.PUBLISHED
        round_.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            action="results.publish",
            obj=publication,
            object_type=audit_label(publication),
            after={
                "round_id": round_.pk,
                "number": number,
                "digest": publication.digest,
                "publicity_starts_at": starts,
                "publicity_ends_at": ends,
                "supplementary": supplementary,
            },
        )
        round_results_notify(publication=publication)
    return publication


def round_results_notify(*, publication: Publication, solution_ids: list[int] | None = None) -> int:
    """Create the round_results notices for the teams of these solutions (default: every result
    of the round), one per member.

    Called by `publication_publish` inside its transaction (the rows commit or roll back with
    the publication). Idempotent: the de-duplication key names the publication and the member,
    so running it again (e.g. from `notify_round_results_task`) creates nothing new.
    """

    round_ = publication.round
    next_round = (
        Round.objects.filter(contest_id=round_.contest_id, sequence__gt=round_.sequence).order_by("sequence").first()
    )
    # Who the entries' teams are comes from the database; every figure in the notice comes
    # from the publication, so a later run (the repair task) never tells unpublished results.
    result_rows = RoundResult.objects.filter(round=round_)
    if solution_ids is not None:
        result_rows = result_rows.filter(solution_id__in=solution_ids)
    results = {r.solution_id: r for r in result_rows.select_related("solution").order_by("solution_id")}
    group_of = {row["solution_id"]: row["group"] for row in publication.table}
    group_sizes: dict[str, int] = {}
    for row in publication.table:
        group_sizes[row["group"]] = group_sizes.get(row["group"], 0) + 1
    # A subquery, not a list of ids: a round may have 10,000 teams.
    team_ids = result_rows.values("solution__team_id")
    members: dict[int, list] = {}
    for membership in TeamMembership.objects.filter(team_id__in=team_ids).select_related("user"):
        members.setdefault(membership.team_id, []).append(membership.user)
    specs = []
    for result in results.values():
        shown = publication.feedback.get(str(result.solution_id))
        if shown is None:
            continue  # not part of this publication
        context = {
            "contest_name": round_.contest.name,
            "round_name": round_.name,
            "solution_title": shown["solution_title"],
            "rank": shown["rank"] or "",
            "group_size": group_sizes.get(group_of.get(result.solution_id), "") if shown["rank"] else "",
            "score": shown["score"] or "",
            "advanced": bool(shown["advanced"] and not shown["disqualified"]),
            "next_round_name": next_round.name if next_round else "",
            "final": round_.advancement_kind == AdvancementKind.NONE or next_round is None,
            "publicity_ends_at": local_time(publication.publicity_ends_at, round_.contest.time_zone),
        }
        for user in members.get(result.solution.team_id, []):
            specs.append(
                NoticeSpec(recipient=user, dedup_key=f"round_results:{publication.pk}:{user.pk}", context=context)
            )
    with transaction.atomic():
        return notify_many(kind="round_results", notices=specs)


def publish_due_rounds(*, now: dt.datetime | None = None) -> list[int]:
    """Publish every aggregated round whose scheduled time (Round.publish_at) has come."""
    now = now or timezone.now()
    published = []
    due = Round.objects.filter(publish_at__lte=now, status=RoundStatus.AGGREGATED).exclude(publications__isnull=False)
    for round_ in due:
        publication_publish(round_=round_, actor=None)
        published.append(round_.pk)
    return published


def publication_differs(*, publication: Publication) -> bool:
    """Whether the results now stored differ from what this (current) publication showed, in
    the public table or in any team's feedback: a re-aggregation not yet re-published. Teams
    and the public keep seeing the publication; this is for organizers."""
    if publication.superseded:
        return False
    if table_digest(build_table(publication.round)) != publication.digest:
        return True
    return build_feedback(publication.round) != publication.feedback


def publication_verify(*, publication: Publication, include_current: bool = True) -> dict:
    """Recompute the digest of the stored table and, with `include_current` (organizers), say
    whether the results now in the database still match the current publication. The public
    answer is only whether the stored table is intact, and costs no rebuild of the round."""
    report = {"digest": publication.digest, "stored_table_ok": table_digest(publication.table) == publication.digest}
    if include_current:
        report["current_results_ok"] = publication.superseded or (
            table_digest(build_table(publication.round)) == publication.digest
        )
    return report


def _confirm_final_check(*, round_: Round, publication: Publication | None) -> None:
    """Raise the coded error that stops confirming the final list now; return when nothing does.

    A confirmed list passes (confirming it again is a no-op)."""
    if publication is None:
        raise NotPublishedError()
    if publication.final_confirmed_at is not None:
        return
    if not clock.deadline_passed(publication.publicity_ends_at, clock.now()):
        raise PublicityNotEndedError(extra={"publicity_ends_at": publication.publicity_ends_at.isoformat()})
    open_count = Objection.objects.filter(publication__round=round_, status=ObjectionStatus.OPEN).count()
    if open_count:
        raise ObjectionsOpenError(extra={"open": open_count})


def confirm_final_blocker(*, round_: Round, publication: Publication | None) -> ApplicationError | None:
    """Why `publication_confirm_final` would refuse now (the coded error it would raise), or None.

    Read-only and without locks, for showing the organizer whether the action is possible; the
    service repeats the same check under the round lock."""
    try:
        _confirm_final_check(round_=round_, publication=publication)
    except ApplicationError as exc:
        return exc
    return None


def publication_confirm_final(*, round_: Round, actor) -> Publication:
    """Confirm the final list once the publicity period is over and no objection is open.

    Locks: the round row. Side effects: final_confirmed_at on the current publication;
    advancement applied (entries and solutions, next-round entries); audit event. Idempotent on
    a confirmed list.
    """

    with transaction.atomic():
        round_ = Round.objects.select_for_update().get(pk=round_.pk)
        publication = current_publication(round_)
        _confirm_final_check(round_=round_, publication=publication)
        if publication.final_confirmed_at is not None:
            return publication
        publication.final_confirmed_at = timezone.now()
        publication.save(update_fields=["final_confirmed_at", "updated_at"])
        advancement_apply(round_=round_, actor=actor)
        audit_record(
            actor=actor,
            action="results.confirm_final",
            obj=publication,
            object_type=audit_label(publication),
            after={"round_id": round_.pk},
        )
    return publication
