"""Domain errors of teams and solutions. Each has a stable `code` clients can rely on."""

from django.utils.translation import gettext_lazy as _
from rest_framework import status

from config.api import ApplicationError, NotAllowedError, StateConflictError
from contest.errors import ReasonRequiredError  # noqa: F401 - shared code, re-exported


class CaptainOnlyError(NotAllowedError):
    code = "captain_only"
    default_detail = _("Only the team captain may do this.")


class NotTeamMemberError(NotAllowedError):
    code = "not_team_member"
    default_detail = _("Only members of the team may do this.")


class OrganizerOnlyError(NotAllowedError):
    code = "organizer_only"
    default_detail = _("Only the contest's organizers may do this.")


class ContestNotOpenError(StateConflictError):
    code = "contest_not_open"
    default_detail = _("The contest does not accept registrations.")


class AlreadyInTeamError(StateConflictError):
    code = "already_in_team"
    default_detail = _("You are already a member of a team in this contest.")


class TeamNameTakenError(StateConflictError):
    code = "team_name_taken"
    default_detail = _("Another team in this contest already has this name.")


class TooManyCoUnitsError(ApplicationError):
    code = "too_many_co_units"
    default_detail = _("The team has more co-units than the contest allows.")


class InvalidCoUnitError(ApplicationError):
    code = "invalid_co_unit"
    default_detail = _("The lead unit cannot also be a co-unit.")


class TeamFullError(StateConflictError):
    code = "team_full"
    default_detail = _("The team has reached the contest's maximum size.")


class AlreadyMemberError(StateConflictError):
    code = "already_member"
    default_detail = _("This person is already a member of the team.")


class InvitationExpiredError(ApplicationError):
    code = "invitation_expired"
    status_code = status.HTTP_410_GONE
    default_detail = _("This invitation has expired. Ask the captain for a new one.")


class InvitationUsedError(StateConflictError):
    code = "invitation_used"
    default_detail = _("This invitation has already been used.")


class InvitationRevokedError(StateConflictError):
    code = "invitation_revoked"
    default_detail = _("This invitation was revoked by the captain.")


class InvitationNotYoursError(NotAllowedError):
    code = "invitation_not_yours"
    default_detail = _("This invitation was sent to a different e-mail address.")


class EmailNotVerifiedError(NotAllowedError):
    code = "email_not_verified"
    default_detail = _("Confirm your e-mail address first: open the link we sent to it (see your profile).")


class CannotRemoveCaptainError(StateConflictError):
    code = "cannot_remove_captain"
    default_detail = _("The captain cannot be removed; hand the captaincy to another member first.")


class NotAMemberError(ApplicationError):
    code = "not_a_member"
    default_detail = _("This person is not a member of the team.")


class ScenarioNotOpenError(StateConflictError):
    code = "scenario_not_open"
    default_detail = _("This scenario does not take solutions (it is not published, or it was closed or withdrawn).")


class SolutionExistsError(StateConflictError):
    code = "solution_exists"
    default_detail = _("The team already has a solution for this scenario.")


class EntryCapReachedError(StateConflictError):
    code = "entry_cap_reached"
    default_detail = _("The team has reached the contest's maximum number of entries.")


class SubmissionClosedError(StateConflictError):
    code = "submission_closed"
    default_detail = _("No round currently accepts submissions for this solution.")


class DeadlinePassedError(StateConflictError):
    code = "deadline_passed"
    default_detail = _("The submission deadline has passed.")


class SolutionStateError(StateConflictError):
    code = "invalid_solution_state"
    default_detail = _("The solution's status does not allow this action.")


class MissingDocumentsError(ApplicationError):
    code = "missing_documents"
    default_detail = _("The version lacks documents this round requires.")


class VersionNotFoundError(ApplicationError):
    code = "version_not_found"
    status_code = status.HTTP_404_NOT_FOUND
    default_detail = _("The solution has no such version.")


class NoFilesError(ApplicationError):
    code = "no_files"
    default_detail = _("Upload at least one file.")


class FileTooLargeError(ApplicationError):
    code = "file_too_large"
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The upload is larger than this round allows.")


class FileTypeNotAllowedError(ApplicationError):
    code = "file_type_not_allowed"
    status_code = status.HTTP_415_UNSUPPORTED_MEDIA_TYPE
    default_detail = _("This kind of file is not accepted; its content was checked, not its name.")


class UnsafeArchiveError(ApplicationError):
    code = "unsafe_archive"
    default_detail = _("The archive was refused.")


class ConfirmationRequiredError(ApplicationError):
    code = "confirmation_required"
    default_detail = _("Retiring (退赛) after the deadline is irreversible; confirm it explicitly.")


class TransferNotAllowedError(StateConflictError):
    code = "transfer_not_allowed"
    default_detail = _("The solution cannot be moved to this scenario.")


class ReviewNotOpenError(StateConflictError):
    code = "review_not_open"
    default_detail = _("Qualification review starts after the qualification round's submission deadline.")


class SupplementDeadlinePassedError(StateConflictError):
    code = "supplement_deadline_passed"
    default_detail = _("The deadline for the supplement (补正) has passed.")


class SupplementChangesLockedContentError(ApplicationError):
    code = "supplement_changes_locked_content"
    default_detail = _("A supplement may only change attachments; the title, abstract and proposal must stay the same.")


class IdempotencyKeyReusedError(ApplicationError):
    code = "idempotency_key_reused"
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _("This Idempotency-Key was already used for a different request.")


class InvitationNotFoundError(ApplicationError):
    code = "invitation_not_found"
    status_code = status.HTTP_404_NOT_FOUND
    default_detail = _("No invitation matches this token.")


class IdempotencyInProgressError(StateConflictError):
    code = "idempotency_in_progress"
    default_detail = _("A request with this Idempotency-Key is still being processed; retry shortly.")


class IdempotencyKeyInvalidError(ApplicationError):
    code = "idempotency_key_invalid"
    default_detail = _("The Idempotency-Key header must be 1 to 100 printable characters.")


class StaffCannotCompeteError(NotAllowedError):
    code = "staff_cannot_compete"
    default_detail = _("Organizers and judges of a contest cannot register or join a team in it.")


class BlindCopyError(StateConflictError):
    code = "blind_copy_failed"
    default_detail = _("The file could not be prepared for blind review; please tell the organizer.")


class TeamFactsFrozenError(StateConflictError):
    code = "team_facts_frozen"
    default_detail = _(
        "The team's units and members are frozen since the first round's submission deadline; "
        "ask the organizers for a change."
    )


class PublisherStaffCannotCompeteError(NotAllowedError):
    code = "publisher_staff_cannot_compete"
    default_detail = _("Staff of a scenario's publisher cannot compete on their own organization's scenarios.")


class FactChangeDecidedError(StateConflictError):
    code = "fact_change_decided"
    default_detail = _("This change request has already been decided.")


class FactChangeEmptyError(ApplicationError):
    code = "fact_change_empty"
    default_detail = _("The change request changes nothing.")
