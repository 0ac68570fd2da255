"""Scoring: the judge total, score validation, drafts, submission, return and void.

A review's life: (no row) -> draft -> submitted (locked) -> returned (editable again, with the
organizer's reason) -> submitted ...; any state -> voided (terminal, with a reason). Only
SUBMITTED reviews count in aggregates; DRAFT, RETURNED and VOIDED never do. Every submit,
return and void appends a ReviewRevision holding the scores as they were, and an audit event.

Locking: every write locks the JudgeAssignment row first (then the Review row), so two
concurrent submits of one review serialise: the first wins, the second sees a locked review.
"""

import math
from collections.abc import Iterable, Mapping, Sequence
from decimal import Context, Decimal, InvalidOperation, localcontext

from django.db import connection, transaction
from django.utils import timezone

from contest.audit import audit_record
from contest.enums import RoundStatus
from contest.models import Round, User
from judging.enums import ReviewStatus
from judging.errors import (
    ConflictOfInterestError,
    CriterionNotInRubricError,
    JudgingClosedError,
    NotAssignedError,
    ReasonRequiredError,
    ReviewLockedError,
    ReviewNotSubmittedError,
    ReviewVoidedError,
    RoundStatusError,
    RubricMissingError,
    ScoreDuplicateError,
    ScoreNotANumberError,
    ScoreOutOfRangeError,
    ScoresIncompleteError,
    ScoreStepError,
)
from judging.models import Criterion, JudgeAssignment, Review, ReviewRevision, Rubric, Score
from judging.selectors import rubric_for_track
from judging.services.conflicts import judge_conflicts_with
from notifications.services import notify

# Precision of the judge total. 28 significant digits (Python's default context), half-even on the
# last digit. The total is NOT rounded to 2 places here: the final score is rounded once, at the end
# of aggregation. A SQL implementation must compute (Σ w·s × 100) / Σ (w·max) with at least this
# precision; the two agree whenever the division is exact (e.g. a plain 100-point sheet).
TOTAL_CONTEXT = Context(prec=28)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def judge_total(scores: Mapping[int, Decimal], criteria: Iterable[Criterion]) -> Decimal:
    """A judge's total for one solution: Σ weight·score / Σ (weight·max) × 100, unrounded.

    `scores` maps criterion id -> value and must hold every criterion (ValueError otherwise).
    With unit weights and maxima summing to 100 this is the plain sum of the scores.
    """
    criteria = list(criteria)
    if not criteria:
        raise ValueError("a rubric without criteria has no total")
    with localcontext(TOTAL_CONTEXT):
        weighted = Decimal(0)
        weighted_max = Decimal(0)
        for criterion in criteria:
            if criterion.pk not in scores:
                raise ValueError(f"criterion {criterion.pk} is not scored")
            weighted += criterion.weight * Decimal(scores[criterion.pk])
            weighted_max += criterion.weight * criterion.max_score
        return weighted * HUNDRED / weighted_max


def parse_score(raw) -> Decimal:
    """Turn a raw JSON value into a finite Decimal, or raise ScoreNotANumberError."""
    if isinstance(raw, bool) or raw is None:
        raise ScoreNotANumberError()
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise ScoreNotANumberError()
        value = Decimal(repr(raw))
    elif isinstance(raw, int | Decimal):
        value = Decimal(raw)
    elif isinstance(raw, str):
        if len(raw) > 50:
            raise ScoreNotANumberError()
        try:
            value = Decimal(raw.strip())
        except InvalidOperation:
            raise ScoreNotANumberError() from None
    else:
        raise ScoreNotANumberError()
    if not value.is_finite():
        raise ScoreNotANumberError()
    return value


def validate_score(*, criterion: Criterion, raw, step: Decimal) -> Decimal:
    value = parse_score(raw)
    extra = {"criterion": criterion.pk, "max": str(criterion.max_score), "step": str(step)}
    if value < 0 or value > criterion.max_score:
        raise ScoreOutOfRangeError(extra=extra)
    if value % step != 0:
        raise ScoreStepError(extra=extra)
    return value.quantize(CENT) + 0  # + 0 turns -0 into 0


def validate_scores(*, rubric: Rubric, criteria: list[Criterion], entries: Sequence[tuple[int, object]]) -> dict:
    by_id = {c.pk: c for c in criteria}
    values: dict[int, Decimal] = {}
    for criterion_id, raw in entries:
        criterion = by_id.get(criterion_id)
        if criterion is None:
            raise CriterionNotInRubricError(extra={"criterion": criterion_id})
        if criterion_id in values:
            raise ScoreDuplicateError(extra={"criterion": criterion_id})
        values[criterion_id] = validate_score(criterion=criterion, raw=raw, step=rubric.score_step)
    return values


def judging_window_open(round_: Round, at=None) -> bool:
    at = at or timezone.now()
    return (
        round_.status == RoundStatus.JUDGING
        and round_.judging_opens_at is not None
        and round_.judging_closes_at is not None
        and round_.judging_opens_at <= at < round_.judging_closes_at
    )


def _snapshot(review: Review) -> dict:
    return {str(s.criterion_id): str(s.value) for s in review.scores.order_by("criterion_id")}


def _revision(*, review: Review, actor: User, status: str, reason: str = "") -> ReviewRevision:
    review.revision += 1
    review.save(update_fields=["revision", "updated_at"])
    return ReviewRevision.objects.create(
        review=review,
        number=review.revision,
        status=status,
        scores=_snapshot(review),
        comment=review.comment,
        team_comment=review.team_comment,
        reason=reason,
        created_by=actor,
    )


def _share_lock_rubric(rubric_id: int) -> Rubric:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM judging_rubric WHERE id = %s FOR SHARE", [rubric_id])
    return Rubric.objects.get(pk=rubric_id)


def _locked_for_judge(*, judge: User, assignment_id: int) -> tuple[JudgeAssignment, Review | None, Rubric, list]:
    # Lock the assignment: the guard row of its one review (two submits serialise here).
    assignment = (
        JudgeAssignment.objects.select_for_update(of=("self",))
        .select_related("solution", "solution__scenario")
        .filter(pk=assignment_id)
        .first()
    )
    if assignment is None or assignment.judge_id != judge.pk or not assignment.active:
        raise NotAssignedError()
    # Read the window only now, in a statement after the lock: closing the window locks every
    # assignment of the round before it commits, so a score either holds its assignment first
    # (and the close waits for it) or waits for the close and then reads the closed window.
    assignment.round = Round.objects.get(pk=assignment.round_id)
    if judge_conflicts_with(judge=judge, solution=assignment.solution, round_id=assignment.round_id):
        raise ConflictOfInterestError()
    if not judging_window_open(assignment.round):
        raise JudgingClosedError()
    rubric = rubric_for_track(round_=assignment.round, track_id=assignment.solution.scenario.track_id)
    if rubric is None:
        raise RubricMissingError()
    # Share-lock the rubric until commit: a rubric edit (which locks the round's rubrics FOR UPDATE
    # and then looks for scores) either finishes first, and we read its result below, or waits
    # for this score and then finds the rubric frozen.
    rubric = _share_lock_rubric(rubric.pk)
    criteria = list(rubric.criteria.order_by("order", "id"))
    if not criteria:
        raise RubricMissingError()
    review = Review.objects.select_for_update().filter(assignment=assignment).first()
    if review is not None and review.status in (ReviewStatus.SUBMITTED, ReviewStatus.VOIDED):
        raise ReviewLockedError(extra={"status": review.status})
    return assignment, review, rubric, criteria


def _apply(*, assignment, review, rubric, criteria, entries, comment, team_comment) -> tuple[Review, dict, dict]:
    values = validate_scores(rubric=rubric, criteria=criteria, entries=entries) if entries is not None else None
    if review is None:
        review = Review.objects.create(
            assignment=assignment,
            round_id=assignment.round_id,
            solution_id=assignment.solution_id,
            judge_id=assignment.judge_id,
        )
    before = {
        "status": review.status,
        "scores": _snapshot(review),
        "comment": review.comment,
        "team_comment": review.team_comment,
    }
    if values is not None:
        Score.objects.filter(review=review).exclude(criterion_id__in=list(values)).delete()
        current = {s.criterion_id: s for s in review.scores.all()}
        changed = []
        for criterion_id, value in values.items():
            score = current.get(criterion_id)
            if score is None:
                Score.objects.create(review=review, criterion_id=criterion_id, value=value)
            elif score.value != value:
                score.value = value
                changed.append(score)
        if changed:
            Score.objects.bulk_update(changed, ["value"])
    changed_comments = []
    if comment is not None:
        review.comment = comment
        changed_comments.append("comment")
    if team_comment is not None:
        review.team_comment = team_comment
        changed_comments.append("team_comment")
    if changed_comments:
        review.save(update_fields=[*changed_comments, "updated_at"])
    after = {"scores": _snapshot(review), "comment": review.comment, "team_comment": review.team_comment}
    return review, before, after


@transaction.atomic
def review_save_draft(
    *,
    judge: User,
    assignment_id: int,
    scores: Sequence[tuple[int, object]] | None = None,
    comment: str | None = None,
    team_comment: str | None = None,
) -> Review:
    """Save the judge's working copy: `scores` (criterion id, raw value) replaces the scores
    entered so far (incomplete is fine); `team_comment` (shown to the team, anonymised, once
    published) and `comment` (confidential, for the organizers) replace the comments. None
    leaves any of them as is.

    Preconditions: the judge holds the active assignment, no conflict, the window is open, the
    review is not submitted or void. Audited.
    """
    assignment, review, rubric, criteria = _locked_for_judge(judge=judge, assignment_id=assignment_id)
    review, before, after = _apply(
        assignment=assignment,
        review=review,
        rubric=rubric,
        criteria=criteria,
        entries=scores,
        comment=comment,
        team_comment=team_comment,
    )
    audit_record(actor=judge, action="judging.review_draft_saved", obj=review, before=before, after=after)
    return review


@transaction.atomic
def review_submit(
    *,
    judge: User,
    assignment_id: int,
    scores: Sequence[tuple[int, object]] | None = None,
    comment: str | None = None,
    team_comment: str | None = None,
) -> Review:
    """Submit (and lock) the review; every criterion must be scored. Optional `scores`/`comment`
    are applied first, as in a draft save. Appends a revision; audited."""
    assignment, review, rubric, criteria = _locked_for_judge(judge=judge, assignment_id=assignment_id)
    review, before, _after = _apply(
        assignment=assignment,
        review=review,
        rubric=rubric,
        criteria=criteria,
        entries=scores,
        comment=comment,
        team_comment=team_comment,
    )
    scored = set(review.scores.values_list("criterion_id", flat=True))
    missing = [c.pk for c in criteria if c.pk not in scored]
    if missing:
        raise ScoresIncompleteError(extra={"missing": missing})
    review.status = ReviewStatus.SUBMITTED
    review.submitted_at = timezone.now()
    review.return_reason = ""
    review.save(update_fields=["status", "submitted_at", "return_reason", "updated_at"])
    revision = _revision(review=review, actor=judge, status=ReviewStatus.SUBMITTED)
    audit_record(
        actor=judge,
        action="judging.review_submitted",
        obj=review,
        before=before,
        after={
            "status": review.status,
            "scores": revision.scores,
            "comment": review.comment,
            "team_comment": review.team_comment,
            "revision": revision.number,
        },
    )
    return review


@transaction.atomic
def review_return(*, actor: User, review: Review, reason: str) -> Review:
    """An organizer returns a submitted review to its judge with a reason.

    The judge may edit and submit again while the judging window is open. Appends a revision,
    audits, notifies the judge (review_reopened)."""
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequiredError()
    JudgeAssignment.objects.select_for_update().filter(pk=review.assignment_id).first()
    review = (
        Review.objects.select_for_update(of=("self",))
        .select_related("round", "round__contest", "judge")
        .get(pk=review.pk)
    )
    if review.status != ReviewStatus.SUBMITTED:
        raise ReviewNotSubmittedError(extra={"status": review.status})
    if review.round.status != RoundStatus.JUDGING:
        raise RoundStatusError(extra={"status": review.round.status})
    review.status = ReviewStatus.RETURNED
    review.return_reason = reason
    review.save(update_fields=["status", "return_reason", "updated_at"])
    revision = _revision(review=review, actor=actor, status=ReviewStatus.RETURNED, reason=reason)
    audit_record(
        actor=actor,
        action="judging.review_returned",
        obj=review,
        before={"status": ReviewStatus.SUBMITTED},
        after={"status": review.status, "reason": reason, "revision": revision.number},
    )
    notify(
        kind="review_reopened",
        recipient=review.judge,
        dedup_key=f"review_reopened:{review.pk}:{revision.number}",
        context={
            "contest": review.round.contest.name,
            "round": review.round.name,
            "solution_id": review.solution_id,
            "reason": reason,
        },
    )
    return review


def review_void_locked(*, actor: User, review: Review, reason: str) -> Review:
    """Void a review whose row (and assignment) the caller has locked inside a transaction."""
    before = review.status
    review.status = ReviewStatus.VOIDED
    review.void_reason = reason
    review.save(update_fields=["status", "void_reason", "updated_at"])
    revision = _revision(review=review, actor=actor, status=ReviewStatus.VOIDED, reason=reason)
    audit_record(
        actor=actor,
        action="judging.review_voided",
        obj=review,
        before={"status": before},
        after={"status": review.status, "reason": reason, "revision": revision.number, "scores": revision.scores},
    )
    return review


@transaction.atomic
def review_void(*, actor: User, review: Review, reason: str) -> Review:
    """An organizer voids a review (e.g. a conflict found after scoring) with a reason.

    The review and its scores stay (with a revision and an audit event) but never count in an
    aggregate again. Refused once the round is closed."""
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequiredError()
    JudgeAssignment.objects.select_for_update().filter(pk=review.assignment_id).first()
    review = Review.objects.select_for_update(of=("self",)).select_related("round").get(pk=review.pk)
    if review.status == ReviewStatus.VOIDED:
        raise ReviewVoidedError()
    if review.round.status == RoundStatus.CLOSED:
        raise RoundStatusError(extra={"status": review.round.status})
    return review_void_locked(actor=actor, review=review, reason=reason)
