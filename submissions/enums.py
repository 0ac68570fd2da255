from django.db import models
from django.utils.translation import gettext_lazy as _


class MemberRole(models.TextChoices):
    CAPTAIN = "captain", _("Captain")
    MEMBER = "member", _("Member")


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REVOKED = "revoked", _("Revoked")


class SolutionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Supplement requested")
    QUALIFIED = "qualified", _("Qualified")
    DISQUALIFIED = "disqualified", _("Disqualified")
    ADVANCED = "advanced", _("Advanced")
    ELIMINATED = "eliminated", _("Eliminated")
    AWARDED = "awarded", _("Awarded")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    RETIRED = "retired", _("Retired (退赛)")
    PENDING_TRANSFER = "pending_transfer", _("Pending transfer")
    VOID = "void", _("Void")
    ENDED = "ended", _("Ended without judging")


# Statuses that do not count against the team's entry cap.
UNCOUNTED_STATUSES = (
    SolutionStatus.WITHDRAWN,
    SolutionStatus.PENDING_TRANSFER,
    SolutionStatus.VOID,
    SolutionStatus.ENDED,
)


class EligibilityOutcome(models.TextChoices):
    QUALIFIED = "qualified", _("Qualified")
    DISQUALIFIED = "disqualified", _("Disqualified")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Supplement requested (补正)")


class EntryStatus(models.TextChoices):
    ACTIVE = "active", _("In this round")
    ADVANCED = "advanced", _("Advanced")
    ELIMINATED = "eliminated", _("Eliminated")
    WITHDRAWN = "withdrawn", _("Left the round")


class FactChangeStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
