"""Judging errors. Each has a stable `code` that API clients and tests rely on."""

from django.utils.translation import gettext_lazy as _

from config.api import ApplicationError, NotAllowedError, StateConflictError
from contest.errors import NotOrganizerError, ReasonRequiredError  # noqa: F401 - shared codes, re-exported


class RubricFrozenError(StateConflictError):
    code = "rubric_frozen"
    default_detail = _("The rubric is frozen: scores already exist in this round.")


class RubricMissingError(StateConflictError):
    code = "rubric_missing"
    default_detail = _("No rubric applies to this solution in this round.")


class RubricExistsError(StateConflictError):
    code = "rubric_exists"
    default_detail = _("A rubric for this round and track already exists.")


class CriterionKeyTakenError(StateConflictError):
    code = "criterion_key_taken"
    default_detail = _("Another criterion of this rubric already uses this key.")


class TrackNotInContestError(ApplicationError):
    code = "track_not_in_contest"
    default_detail = _("The track does not belong to the round's contest.")


class JudgeAlreadyInPoolError(StateConflictError):
    code = "judge_already_in_pool"
    default_detail = _("The judge is already in this round's pool.")


class JudgeNotInPoolError(ApplicationError):
    code = "judge_not_in_pool"
    default_detail = _("The judge is not in the pool of this solution's track for this round.")


class SolutionNotInRoundError(ApplicationError):
    code = "solution_not_in_round"
    default_detail = _("The solution is not an active entry of this round.")


class ConflictOfInterestError(NotAllowedError):
    code = "conflict_of_interest"
    default_detail = _("The judge has a conflict of interest with this solution.")


class ConflictTargetError(ApplicationError):
    code = "conflict_target_invalid"
    default_detail = _("Name exactly one of a solution, a team or an organization of this contest.")


class LoadCapReachedError(StateConflictError):
    code = "load_cap_reached"
    default_detail = _("The judge has reached their load cap in this round.")


class AlreadyAssignedError(StateConflictError):
    code = "already_assigned"
    default_detail = _("The judge is already assigned to this solution.")


class AssignmentHasReviewError(StateConflictError):
    code = "review_submitted"
    default_detail = _("The judge has submitted a review for this assignment; void it first.")


class RoundFinishedError(StateConflictError):
    code = "round_finished"
    default_detail = _("Judging in this round is over; assignments can no longer change.")


class JudgingClosedError(StateConflictError):
    code = "judging_closed"
    default_detail = _("The round's judging window is not open.")


class JudgingWindowInvalidError(ApplicationError):
    code = "judging_window_invalid"
    default_detail = _("The judging window must close after it opens and after now.")


class LaterRoundEnteredError(StateConflictError):
    code = "later_round_entered"
    default_detail = _("The next round already has entries: this round's results were applied and cannot be reopened.")


class RoundStatusError(StateConflictError):
    code = "round_status_invalid"
    default_detail = _("The round is not in a status that allows this.")


class ReviewLockedError(StateConflictError):
    code = "review_locked"
    default_detail = _("The review is locked.")


class ReviewNotSubmittedError(StateConflictError):
    code = "review_not_submitted"
    default_detail = _("Only a submitted review can be returned.")


class ReviewVoidedError(StateConflictError):
    code = "review_voided"
    default_detail = _("The review is already void.")


class ScoreNotANumberError(ApplicationError):
    code = "score_not_a_number"
    default_detail = _("A score must be a finite number.")


class ScoreOutOfRangeError(ApplicationError):
    code = "score_out_of_range"
    default_detail = _("A score must lie between 0 and the criterion's maximum.")


class ScoreStepError(ApplicationError):
    code = "score_step"
    default_detail = _("A score must be a multiple of the rubric's step.")


class CriterionNotInRubricError(ApplicationError):
    code = "criterion_not_in_rubric"
    default_detail = _("The criterion does not belong to the rubric of this solution.")


class ScoreDuplicateError(ApplicationError):
    code = "score_duplicate"
    default_detail = _("A criterion is scored twice.")


class ScoresIncompleteError(ApplicationError):
    code = "scores_incomplete"
    default_detail = _("Every criterion must be scored before submitting.")


class NotAssignedError(NotAllowedError):
    code = "not_assigned"
    default_detail = _("You are not assigned to this solution.")


# Raised by judging (a round with confirmed awards is not reopened) as well as by results.
class AwardsConfirmedError(StateConflictError):
    code = "awards_confirmed"
    default_detail = _(
        "The awards of this contest are confirmed and cannot be confirmed again. "
        "Revoke an award and re-issue it, with a reason, to correct it."
    )


class JudgeHasAssignmentsError(StateConflictError):
    code = "judge_has_assignments"
    default_detail = _("The judge still has active assignments in this round; end them before removing the judge.")


class JudgeIsCompetingError(StateConflictError):
    code = "judge_is_competing"
    default_detail = _("A member of a competing team cannot be a judge in the same contest.")


class ConflictFlagResolvedError(StateConflictError):
    code = "conflict_flag_resolved"
    default_detail = _("This conflict flag has already been resolved.")
