"""Errors of the contest domain. Each has a stable `code` the API returns."""

from django.utils.translation import gettext_lazy as _
from rest_framework import status

from config.api import ApplicationError, NotAllowedError, StateConflictError


class InvalidTransitionError(StateConflictError):
    code = "invalid_transition"
    default_detail = _("This action is not allowed in the scenario's current status.")


class NotPublisherError(NotAllowedError):
    code = "not_publisher"
    default_detail = _("Only a scenario publisher of this organization may do this.")


class NotOrganizerError(NotAllowedError):
    code = "not_organizer"
    default_detail = _("Only an organizer of this contest may do this.")


class NotStaffError(NotAllowedError):
    code = "not_staff"
    default_detail = _("Only site staff may create contests.")


class ReasonRequiredError(ApplicationError):
    code = "reason_required"
    default_detail = _("A reason is required.")


class TrackMismatchError(ApplicationError):
    code = "track_mismatch"
    default_detail = _("The track does not belong to this contest.")


class InvalidWindowError(ApplicationError):
    code = "invalid_window"
    default_detail = _("A window must open before it closes.")


class InvalidRoundSettingsError(ApplicationError):
    code = "invalid_round_settings"
    default_detail = _("The round's judging settings are not consistent.")


class DuplicateError(ApplicationError):
    code = "duplicate"
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("An object with these values already exists.")


class UnknownFieldError(ApplicationError):
    code = "unknown_field"
    default_detail = _("This field cannot be changed here.")


class EmailLinkInvalidError(ApplicationError):
    code = "email_link_invalid"
    default_detail = _("This confirmation link is invalid, expired or already used.")


class EmailTakenError(StateConflictError):
    code = "email_taken"
    default_detail = _("Another account has already confirmed this e-mail address.")
