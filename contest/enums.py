from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    SOE = "soe", _("State-owned enterprise")
    GOVERNMENT = "government", _("Government body")
    ENTERPRISE = "enterprise", _("Enterprise")
    UNIVERSITY = "university", _("University")
    RESEARCH = "research", _("Research institute")
    OTHER = "other", _("Other")


class ContestStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CLOSED = "closed", _("Closed")


class OrganizingRole(models.TextChoices):
    ORGANIZER = "organizer", _("Organizer (主办)")
    HOST = "host", _("Host (承办)")
    CO_ORGANIZER = "co_organizer", _("Co-organizer (协办)")


class Role(models.TextChoices):
    ORGANIZER = "organizer", _("Organizer")
    PUBLISHER = "publisher", _("Scenario publisher")
    JUDGE = "judge", _("Judge")
    TRACK_HOST = "track_host", _("Track host (承办)")


class ScenarioStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING_REVIEW = "pending_review", _("Pending review")
    PUBLISHED = "published", _("Published")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class RoundKind(models.TextChoices):
    QUALIFICATION = "qualification", _("Qualification review")
    SCORED = "scored", _("Scored round")


class RoundStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    OPEN = "open", _("Open for submissions")
    JUDGING = "judging", _("Judging")
    AGGREGATED = "aggregated", _("Aggregated")
    PUBLISHED = "published", _("Published")
    CLOSED = "closed", _("Closed")


class AggregationMethod(models.TextChoices):
    TRIMMED_MEAN = "trimmed_mean", _("Trimmed mean (drop one highest and one lowest)")
    MEAN = "mean", _("Mean")
    MEDIAN = "median", _("Median")
    ZSCORE = "zscore", _("Z-score normalised mean")


class AdvancementScope(models.TextChoices):
    TRACK = "track", _("Per track")
    SCENARIO = "scenario", _("Per scenario")
    CONTEST = "contest", _("Whole contest")


class AdvancementKind(models.TextChoices):
    TOP_N = "top_n", _("Top N")
    TOP_PERCENT = "top_percent", _("Top percent")
    SCORE_FLOOR = "score_floor", _("Score threshold")
    NONE = "none", _("No advancement (final round)")


class DocumentKind(models.TextChoices):
    PROPOSAL = "proposal", _("Proposal document (方案书)")
    COMMITMENT = "commitment", _("Signed commitment letter (承诺书)")
    LICENSE = "license", _("Lead unit business licence (营业执照)")
    SLIDES = "slides", _("Roadshow slides (路演PPT)")
    VIDEO = "video", _("Demo video")
    ATTACHMENT = "attachment", _("Other attachment")
