from django.db import models
from django.utils.translation import gettext_lazy as _


class ConflictSource(models.TextChoices):
    AUTOMATIC = "automatic", _("Automatic")
    DECLARED = "declared", _("Declared by the judge")
    MANUAL = "manual", _("Added by an organizer")


class AssignmentSource(models.TextChoices):
    HAND = "hand", _("By hand")
    AUTO = "auto", _("Automatic")


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned to the judge")
    VOIDED = "voided", _("Voided")


class ConflictFlagStatus(models.TextChoices):
    OPEN = "open", _("Open")
    VOIDED = "voided", _("Review voided")
    DISMISSED = "dismissed", _("Review kept")
