from django.db import models
from django.utils.translation import gettext_lazy as _


class TieRule(models.TextChoices):
    NONE = "none", _("No tie")
    TOTAL_SUM = "total_sum", _("Higher sum of valid judge totals")
    CRITERION = "criterion", _("Higher mean on a criterion")
    SUBMISSION_TIME = "submission_time", _("Earlier final submission")
    SHARED = "shared", _("Shared rank (awaiting committee)")
    COMMITTEE = "committee", _("Committee decision")


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DISMISSED = "dismissed", _("Dismissed")
    UPHELD = "upheld", _("Upheld")


class ObjectorKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    ORGANIZATION = "organization", _("Organization (sealed letter)")


class AwardLevel(models.TextChoices):
    GRAND = "grand", _("Grand prize (特等奖)")
    FIRST = "first", _("First prize (一等奖)")
    SECOND = "second", _("Second prize (二等奖)")
    THIRD = "third", _("Third prize (三等奖)")
    MERIT = "merit", _("Merit award (优胜奖)")
