"""Results errors: aggregation, ties, advancement, publication, objections and awards. Each has a
stable `code` that API clients and tests rely on."""

from django.utils.translation import gettext_lazy as _

from config.api import ApplicationError, NotAllowedError, StateConflictError


class ResultsNotAggregatedError(StateConflictError):
    code = "results_not_aggregated"
    default_detail = _("The round has no aggregated results yet.")


class TieDecisionInvalidError(ApplicationError):
    code = "tie_decision_invalid"
    default_detail = _("A committee decision orders two or more solutions that currently share one rank.")


class ResultNotFoundError(ApplicationError):
    code = "result_not_found"
    default_detail = _("The solution has no result in this round.")


class AdvancementConfirmedError(StateConflictError):
    code = "advancement_confirmed"
    default_detail = _("The final list of this round is already confirmed.")


class AlreadyPublishedError(StateConflictError):
    code = "already_published"
    default_detail = _("The round's results are already published.")


class NotPublishedError(StateConflictError):
    code = "not_published"
    default_detail = _("The round's results are not published.")


class PublicityWindowInvalidError(ApplicationError):
    code = "publicity_window_invalid"
    default_detail = _("The publicity period must end after it starts.")


class PublicityNotEndedError(StateConflictError):
    code = "publicity_not_ended"
    default_detail = _("The publicity period has not ended yet.")


class ObjectionsOpenError(StateConflictError):
    code = "objections_open"
    default_detail = _("Objections are still open; decide them before confirming the final list.")


class ObjectionWindowClosedError(StateConflictError):
    code = "objection_window_closed"
    default_detail = _("Objections are accepted only during the publicity period.")


class AnonymousObjectionError(NotAllowedError):
    code = "anonymous_objection"
    default_detail = _("Anonymous objections are not accepted; sign in and object under your real name.")


class RealNameRequiredError(ApplicationError):
    code = "real_name_required"
    default_detail = _(
        "An individual gives their real name, organization and phone; an organization attaches its sealed letter."
    )


class ObjectionTargetError(ApplicationError):
    code = "objection_target_invalid"
    default_detail = _("The solution is not in this published result.")


class ObjectionDecidedError(StateConflictError):
    code = "objection_decided"
    default_detail = _("The objection has already been decided.")


class ResponseRequiredError(ApplicationError):
    code = "response_required"
    default_detail = _("A response to the objector is required.")


class AwardRangesInvalidError(ApplicationError):
    code = "award_ranges_invalid"
    default_detail = _("Award ranges must be valid levels with 1 <= from <= to and must not overlap.")


class FinalRoundNotReadyError(StateConflictError):
    code = "final_round_not_ready"
    default_detail = _("Awards need the final round published and its publicity period over.")


class AwardRevokedError(StateConflictError):
    code = "award_revoked"
    default_detail = _("This award has been revoked.")


class AwardNotRevokedError(StateConflictError):
    code = "award_not_revoked"
    default_detail = _("Only a revoked award can be re-issued; revoke it first.")


class AwardReissuedError(StateConflictError):
    code = "award_reissued"
    default_detail = _("This revoked award has already been re-issued.")
