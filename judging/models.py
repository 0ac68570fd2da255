from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from contest.models import BaseModel, Contest, Organization, Round, Track
from submissions.models import Solution, Team

from .enums import AssignmentSource, ConflictFlagStatus, ConflictSource, ReviewStatus


class Rubric(BaseModel):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="rubrics")
    track = models.ForeignKey(Track, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    score_step = models.DecimalField(
        _("score step"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.5"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "track"], name="one_rubric_per_round_track", nulls_distinct=False)
        ]


class Criterion(BaseModel):
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="criteria")
    key = models.SlugField(max_length=40)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    guidance = models.TextField(_("guidance"), blank=True)
    guidance_en = models.TextField(_("English guidance"), blank=True)
    weight = models.DecimalField(
        _("weight"),
        max_digits=7,
        decimal_places=3,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.001"))],
    )
    max_score = models.DecimalField(
        _("maximum score"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["rubric_id", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["rubric", "key"], name="criterion_key_unique")]


class JudgePoolMember(BaseModel):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="judge_pool")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pool_memberships")
    tracks = models.ManyToManyField(Track, blank=True, help_text=_("Empty means every track."))
    group = models.CharField(_("judge group"), max_length=50, blank=True)
    load_cap = models.PositiveIntegerField(_("load cap"), null=True, blank=True)
    # The judge's organization as recorded when they joined the pool; only organizers change it.
    # Conflict checks read this, never the judge's own profile.
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "judge"], name="one_pool_entry_per_judge")]


class ConflictOfInterest(BaseModel):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="conflicts")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="conflicts")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    solution = models.ForeignKey(Solution, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=20, choices=ConflictSource.choices)
    reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )


class JudgeAssignment(BaseModel):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="assignments")
    solution = models.ForeignKey(Solution, on_delete=models.PROTECT, related_name="assignments")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments")
    source = models.CharField(max_length=10, choices=AssignmentSource.choices, default=AssignmentSource.HAND)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "solution", "judge"], name="one_assignment_per_judge_solution")
        ]
        indexes = [models.Index(fields=["round", "judge"])]


class Review(BaseModel):
    assignment = models.OneToOneField(JudgeAssignment, on_delete=models.PROTECT, related_name="review")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="reviews")
    solution = models.ForeignKey(Solution, on_delete=models.PROTECT, related_name="reviews")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews")
    status = models.CharField(max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT)
    # Two comments, as in HotCRP: the team reads `team_comment` (anonymised) once the round is
    # published; `comment` is confidential, for the organizers only.
    comment = models.TextField(_("confidential comment for the organizers"), blank=True)
    team_comment = models.TextField(_("comment for the team"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(blank=True)
    void_reason = models.TextField(blank=True)
    revision = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "solution", "judge"], name="one_review_per_judge")]
        indexes = [models.Index(fields=["round", "status"])]


class ConflictFlag(BaseModel):
    """A conflict found after the judge scored: shown to the organizers, who void the review or
    keep it, with a reason. One per assignment; nothing voids a submitted review by itself."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="conflict_flags")
    assignment = models.OneToOneField(JudgeAssignment, on_delete=models.PROTECT, related_name="conflict_flag")
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="+")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    solution = models.ForeignKey(Solution, on_delete=models.PROTECT, related_name="+")
    reasons = models.JSONField(default=list)
    detail = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=ConflictFlagStatus.choices, default=ConflictFlagStatus.OPEN)
    resolution_reason = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["round_id", "id"]


class Score(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    value = models.DecimalField(max_digits=6, decimal_places=2)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "criterion"], name="one_score_per_criterion")]


class ReviewRevision(models.Model):
    """Every submitted, returned or voided state of a review's scores is kept here."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=ReviewStatus.choices)
    scores = models.JSONField()
    comment = models.TextField(blank=True)
    team_comment = models.TextField(blank=True)
    reason = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["review_id", "number"]
        constraints = [models.UniqueConstraint(fields=["review", "number"], name="review_revision_unique")]
