import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, transaction

from contest.enums import RoundStatus
from contest.models import AuditEvent
from judging.enums import ReviewStatus
from judging.errors import (
    ConflictOfInterestError,
    CriterionNotInRubricError,
    JudgingClosedError,
    NotAssignedError,
    ReasonRequiredError,
    ReviewLockedError,
    ReviewNotSubmittedError,
    ScoreDuplicateError,
    ScoreNotANumberError,
    ScoreOutOfRangeError,
    ScoresIncompleteError,
    ScoreStepError,
)
from judging.models import ConflictOfInterest, Review, ReviewRevision, Score
from judging.services.scoring import judge_total, review_return, review_save_draft, review_submit, review_void
from notifications.models import Notification
from tests.factories.audit import chained_and_verified
from tests.factories.judging import CriterionFactory, RubricFactory
from tests.judging.helpers import full_scores

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


# --- the total formula -----------------------------------------------------------------------
def _crit(pk, weight, max_score):
    c = CriterionFactory.build(weight=Decimal(weight), max_score=Decimal(max_score))
    c.pk = pk
    return c


def test_judge_total_plain_100_point_sheet_is_the_sum():
    criteria = [_crit(1, "1", "40"), _crit(2, "1", "30"), _crit(3, "1", "30")]
    assert judge_total({1: Decimal("33.5"), 2: Decimal("25"), 3: Decimal("26.5")}, criteria) == Decimal("85")


def test_judge_total_weighted_exact_decimal():
    criteria = [_crit(1, "2", "10"), _crit(2, "1", "10"), _crit(3, "1", "20")]
    # (2*8 + 7.5 + 15) / (20 + 10 + 20) * 100 = 38.5 / 50 * 100 = 77
    assert judge_total({1: Decimal("8"), 2: Decimal("7.5"), 3: Decimal("15")}, criteria) == Decimal("77")
    # 84.625 stays 84.625: no binary float, no early rounding.
    criteria = [_crit(1, "1", "80")]
    assert judge_total({1: Decimal("67.70")}, criteria) == Decimal("84.625")


def test_judge_total_repeating_fraction_is_unrounded_with_28_digits():
    criteria = [_crit(1, "1", "3")]
    total = judge_total({1: Decimal("1")}, criteria)
    assert total == Decimal("33.33333333333333333333333333")
    assert isinstance(total, Decimal)


def test_judge_total_weights_need_not_sum_to_anything():
    criteria = [_crit(1, "0.3", "10"), _crit(2, "0.7", "10")]
    assert judge_total({1: Decimal("10"), 2: Decimal("5")}, criteria) == Decimal("65")


def test_judge_total_refuses_missing_criterion():
    with pytest.raises(ValueError):
        judge_total({1: Decimal("1")}, [_crit(1, "1", "10"), _crit(2, "1", "10")])


# --- drafts, submit, lock --------------------------------------------------------------------
def test_draft_may_be_incomplete_and_submit_locks(world):
    review = review_save_draft(judge=world.judge, assignment_id=world.assignment.pk, scores=full_scores(world)[:1])
    assert review.status == ReviewStatus.DRAFT
    assert Score.objects.filter(review=review).count() == 1
    review = review_submit(
        judge=world.judge, assignment_id=world.assignment.pk, scores=full_scores(world), comment="好"
    )
    assert review.status == ReviewStatus.SUBMITTED
    assert review.submitted_at is not None
    assert {str(s.criterion_id): str(s.value) for s in review.scores.all()} == {
        str(world.criteria[0].pk): "8.00",
        str(world.criteria[1].pk): "7.50",
        str(world.criteria[2].pk): "15.00",
    }
    with pytest.raises(ReviewLockedError):
        review_save_draft(judge=world.judge, assignment_id=world.assignment.pk, comment="改")
    with pytest.raises(ReviewLockedError):
        review_submit(judge=world.judge, assignment_id=world.assignment.pk)
    assert list(ReviewRevision.objects.filter(review=review).values_list("number", "status")) == [(1, "submitted")]


def test_draft_replaces_scores(world):
    review_save_draft(judge=world.judge, assignment_id=world.assignment.pk, scores=full_scores(world))
    review = review_save_draft(
        judge=world.judge, assignment_id=world.assignment.pk, scores=[(world.criteria[1].pk, "3")]
    )
    assert [(s.criterion_id, s.value) for s in review.scores.all()] == [(world.criteria[1].pk, Decimal("3.00"))]


def test_submit_requires_every_criterion(world):
    with pytest.raises(ScoresIncompleteError) as exc:
        review_submit(judge=world.judge, assignment_id=world.assignment.pk, scores=full_scores(world)[:2])
    assert exc.value.extra == {"missing": [world.criteria[2].pk]}
    assert not Review.objects.exists()  # the failed submit changed nothing


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ("NaN", ScoreNotANumberError),
        ("nan", ScoreNotANumberError),
        ("sNaN", ScoreNotANumberError),
        (float("nan"), ScoreNotANumberError),
        ("Infinity", ScoreNotANumberError),
        ("-inf", ScoreNotANumberError),
        (float("inf"), ScoreNotANumberError),
        ("abc", ScoreNotANumberError),
        ("", ScoreNotANumberError),
        (None, ScoreNotANumberError),
        (True, ScoreNotANumberError),
        ([1], ScoreNotANumberError),
        ({"v": 1}, ScoreNotANumberError),
        ("1" * 60, ScoreNotANumberError),
        ("-0.5", ScoreOutOfRangeError),
        (-1, ScoreOutOfRangeError),
        ("10.5", ScoreOutOfRangeError),
        ("1e9", ScoreOutOfRangeError),
        ("7.3", ScoreStepError),
        ("7.25", ScoreStepError),
        (0.1, ScoreStepError),
        ("7.005", ScoreStepError),
    ],
)
def test_bad_score_input_refused_with_code(world, raw, error):
    with pytest.raises(error):
        review_save_draft(judge=world.judge, assignment_id=world.assignment.pk, scores=[(world.criteria[0].pk, raw)])
    assert not Score.objects.exists()


@pytest.mark.parametrize("raw", ["0", 0, "10", 10, "9.5", 9.5, "-0", " 4.5 ", "4.50", "1E+1"])
def test_good_score_inputs_accepted(world, raw):
    review = review_save_draft(
        judge=world.judge, assignment_id=world.assignment.pk, scores=[(world.criteria[0].pk, raw)]
    )
    assert review.scores.get().value == Decimal(str(raw).strip())


def test_score_step_follows_the_rubric(world):
    world.rubric.score_step = Decimal("0.25")
    world.rubric.save()
    review = review_save_draft(
        judge=world.judge, assignment_id=world.assignment.pk, scores=[(world.criteria[0].pk, "7.25")]
    )
    assert review.scores.get().value == Decimal("7.25")
    world.rubric.score_step = Decimal("2")
    world.rubric.save()
    Score.objects.all().delete()
    with pytest.raises(ScoreStepError):
        review_save_draft(judge=world.judge, assignment_id=world.assignment.pk, scores=[(world.criteria[0].pk, "3")])


def test_criterion_of_another_rubric_refused(world):
    other = CriterionFactory(rubric=RubricFactory(), max_score=Decimal("10"))
    with pytest.raises(CriterionNotInRubricError) as exc:
        review_save_draft(judge=world.judge, assignment_id=world.assignment.pk, scores=[(other.pk, "5")])
    assert exc.value.extra == {"criterion": other.pk}
    with pytest.raises(CriterionNotInRubricError):
        review_save_draft(judge=world.judge, assignment_id=world.assignment.pk, scores=[(999999, "5")])


def test_rubric_without_criteria_cannot_be_scored(world):
    from judging.errors import RubricMissingError
    from judging.models import Criterion

    Criterion.objects.all().delete()
    with pytest.raises(RubricMissingError):
        review_submit(judge=world.judge, assignment_id=world.assignment.pk, scores=[])


def test_duplicate_criterion_refused(world):
    c = world.criteria[0].pk
    with pytest.raises(ScoreDuplicateError):
        review_save_draft(judge=world.judge, assignment_id=world.assignment.pk, scores=[(c, "5"), (c, "6")])


def test_track_rubric_overrides_round_default(world):
    track_rubric = RubricFactory(round=world.round, track=world.solution.scenario.track, score_step=Decimal("1"))
    own = CriterionFactory(rubric=track_rubric, max_score=Decimal("100"))
    with pytest.raises(CriterionNotInRubricError):
        review_save_draft(judge=world.judge, assignment_id=world.assignment.pk, scores=[(world.criteria[0].pk, "5")])
    review = review_submit(judge=world.judge, assignment_id=world.assignment.pk, scores=[(own.pk, "88")])
    assert review.status == ReviewStatus.SUBMITTED


# --- who may score ---------------------------------------------------------------------------
def test_unassigned_judge_cannot_score(world):
    with pytest.raises(NotAssignedError):
        review_save_draft(judge=world.unassigned_judge, assignment_id=world.assignment.pk, scores=full_scores(world))


def test_conflicted_judge_cannot_score_even_when_assigned(world):
    ConflictOfInterest.objects.create(
        contest=world.contest, judge=world.judge, team=world.team, source="manual", reason="亲属"
    )
    with pytest.raises(ConflictOfInterestError):
        review_save_draft(judge=world.judge, assignment_id=world.assignment.pk, scores=full_scores(world))


# --- the judging window ----------------------------------------------------------------------
def _window(world, opens, closes):
    world.round.judging_opens_at = opens
    world.round.judging_closes_at = closes
    world.round.save()


def test_window_boundaries(world):
    opens = dt.datetime(2026, 9, 1, 0, 0, tzinfo=dt.UTC)
    closes = dt.datetime(2026, 9, 10, 0, 0, tzinfo=dt.UTC)
    _window(world, opens, closes)
    args = {"judge": world.judge, "assignment_id": world.assignment.pk, "scores": full_scores(world)[:1]}
    with time_machine.travel(opens - dt.timedelta(microseconds=1), tick=False), pytest.raises(JudgingClosedError):
        review_save_draft(**args)
    with time_machine.travel(opens, tick=False):
        review_save_draft(**args)
    with time_machine.travel(closes - dt.timedelta(microseconds=1), tick=False):
        review_save_draft(**args)
    with time_machine.travel(closes, tick=False), pytest.raises(JudgingClosedError):
        review_save_draft(**args)


@pytest.mark.parametrize("status", [RoundStatus.PENDING, RoundStatus.OPEN, RoundStatus.AGGREGATED])
def test_scoring_needs_round_in_judging(world, status):
    world.round.status = status
    world.round.save()
    with pytest.raises(JudgingClosedError):
        review_save_draft(judge=world.judge, assignment_id=world.assignment.pk, scores=full_scores(world))


# --- return, resubmit, void ------------------------------------------------------------------
def test_return_with_reason_then_resubmit(world, django_capture_on_commit_callbacks):
    review = review_submit(judge=world.judge, assignment_id=world.assignment.pk, scores=full_scores(world))
    with pytest.raises(ReasonRequiredError):
        review_return(actor=world.organizer, review=review, reason="  ")
    review = review_return(actor=world.organizer, review=review, reason="评语过于简单")
    assert review.status == ReviewStatus.RETURNED
    assert review.return_reason == "评语过于简单"
    notice = Notification.objects.filter(recipient=world.judge, kind="review_reopened").first()
    assert notice is not None and "评语过于简单" in notice.body
    with pytest.raises(ReviewNotSubmittedError):
        review_return(actor=world.organizer, review=review, reason="again")
    review_save_draft(
        judge=world.judge, assignment_id=world.assignment.pk, scores=full_scores(world, ("9", "7.5", "15"))
    )
    review = review_submit(judge=world.judge, assignment_id=world.assignment.pk, comment="已补充")
    assert review.status == ReviewStatus.SUBMITTED
    assert review.return_reason == ""
    revisions = list(ReviewRevision.objects.filter(review=review).values_list("number", "status", "reason"))
    assert revisions == [(1, "submitted", ""), (2, "returned", "评语过于简单"), (3, "submitted", "")]
    first, _returned, last = ReviewRevision.objects.filter(review=review)
    assert first.scores[str(world.criteria[0].pk)] == "8.00"
    assert last.scores[str(world.criteria[0].pk)] == "9.00"
    actions = list(
        AuditEvent.objects.filter(object_id=str(review.pk), object_type="judging.review").values_list(
            "action", flat=True
        )
    )
    assert actions.count("judging.review_submitted") == 2 and "judging.review_returned" in actions
    assert chained_and_verified().ok


def test_void_with_reason_keeps_scores_and_locks(world):
    review = review_submit(judge=world.judge, assignment_id=world.assignment.pk, scores=full_scores(world))
    with pytest.raises(ReasonRequiredError):
        review_void(actor=world.organizer, review=review, reason="")
    review = review_void(actor=world.organizer, review=review, reason="评分后发现利益冲突")
    assert review.status == ReviewStatus.VOIDED
    assert review.void_reason == "评分后发现利益冲突"
    assert review.scores.count() == 3  # kept for the record, excluded from aggregates by status
    assert not Review.objects.filter(round=world.round, status=ReviewStatus.SUBMITTED).exists()
    with pytest.raises(ReviewLockedError):
        review_save_draft(judge=world.judge, assignment_id=world.assignment.pk, comment="x")
    event = AuditEvent.objects.get(action="judging.review_voided")
    assert event.after["reason"] == "评分后发现利益冲突"
    assert event.after["scores"] == {
        str(c.pk): v for c, v in zip(world.criteria, ["8.00", "7.50", "15.00"], strict=True)
    }


def test_one_review_per_round_solution_judge_enforced_by_database(world):
    Review.objects.create(assignment=world.assignment, round=world.round, solution=world.solution, judge=world.judge)
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(
            assignment=world.other_assignment, round=world.round, solution=world.solution, judge=world.judge
        )


def test_every_write_is_audited(world):
    review_save_draft(judge=world.judge, assignment_id=world.assignment.pk, scores=full_scores(world)[:1])
    review_submit(judge=world.judge, assignment_id=world.assignment.pk, scores=full_scores(world))
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions == ["judging.review_draft_saved", "judging.review_submitted"]
    assert chained_and_verified().ok
