"""Results of a round and what follows from them: the aggregated table, committee tie decisions,
publications with their objections, and the contest's awards (certificates).

The tables keep the names they had when these models lived in `judging` (`db_table`).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from contest.models import BaseModel, Contest, Round
from submissions.models import Solution

from .enums import AwardLevel, ObjectionStatus, ObjectorKind, TieRule


def audit_label(obj: models.Model) -> str:
    """A results row's object type in the audit log: "judging.<model>", as recorded before these
    models moved into the results app, so the log names a row one way before and after."""
    return f"judging.{obj._meta.model_name}"


class RoundResult(BaseModel):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="results")
    solution = models.ForeignKey(Solution, on_delete=models.PROTECT, related_name="results")
    group_key = models.CharField(max_length=40, help_text="track:<id>, scenario:<id> or contest")
    score = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    total_sum = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    judge_count = models.PositiveSmallIntegerField(default=0)
    criterion_means = models.JSONField(default=dict, blank=True)
    method_note = models.CharField(max_length=200, blank=True)
    incomplete = models.BooleanField(default=False)
    rank = models.PositiveIntegerField(null=True, blank=True)
    tie_rule = models.CharField(max_length=20, choices=TieRule.choices, default=TieRule.NONE)
    tie_detail = models.CharField(max_length=200, blank=True)
    advanced = models.BooleanField(default=False)
    override_reason = models.TextField(blank=True)
    disqualified = models.BooleanField(default=False)
    computation_id = models.CharField(max_length=64, blank=True)

    class Meta:
        db_table = "judging_roundresult"
        ordering = ["round_id", "group_key", "rank", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "solution"], name="one_result_per_round_solution")]


class TieDecision(BaseModel):
    """A committee's decision ordering solutions that share a rank."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="tie_decisions")
    solution = models.ForeignKey(Solution, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(help_text=_("1 = placed first among the tied solutions"))
    reason = models.TextField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        db_table = "judging_tiedecision"
        constraints = [models.UniqueConstraint(fields=["round", "solution"], name="one_tie_decision_per_solution")]


class Publication(BaseModel):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="publications")
    number = models.PositiveSmallIntegerField(default=1)
    published_at = models.DateTimeField()
    publicity_starts_at = models.DateTimeField()
    publicity_ends_at = models.DateTimeField()
    table = models.JSONField()
    digest = models.CharField(max_length=64)
    # What each team was shown with this publication (score, rank, means, the judges' comments
    # for the team), keyed by solution id: teams read this, never the live results.
    feedback = models.JSONField(default=dict, blank=True)
    supplementary = models.BooleanField(default=False)
    superseded = models.BooleanField(default=False)
    final_confirmed_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        db_table = "judging_publication"
        ordering = ["round_id", "number"]
        constraints = [models.UniqueConstraint(fields=["round", "number"], name="publication_number_unique")]


class Objection(BaseModel):
    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="objections")
    solution = models.ForeignKey(Solution, on_delete=models.PROTECT, related_name="objections")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="objections")
    objector_kind = models.CharField(max_length=20, choices=ObjectorKind.choices)
    real_name = models.CharField(_("real name"), max_length=100)
    organization_name = models.CharField(_("organization"), max_length=200)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    reason = models.TextField(_("reason"))
    status = models.CharField(max_length=20, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN)
    response = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "judging_objection"


class ObjectionFile(models.Model):
    objection = models.ForeignKey(Objection, on_delete=models.PROTECT, related_name="files")
    kind = models.CharField(max_length=20, default="evidence")  # evidence | sealed_letter
    file = models.FileField(max_length=255)
    original_name = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        db_table = "judging_objectionfile"


class Award(BaseModel):
    """An issued award and its certificate. Never changed once confirmed: a correction revokes
    it (revoked_at, reason) and issues a new award with a new code that `replaces` it."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="awards")
    solution = models.ForeignKey(Solution, on_delete=models.PROTECT, related_name="awards")
    level = models.CharField(max_length=20, choices=AwardLevel.choices)
    final_rank = models.PositiveIntegerField(null=True, blank=True)
    matched = models.BooleanField(_("matched (揭榜成功)"), default=False)
    verification_code = models.CharField(max_length=32, unique=True)
    # As recorded when the award was confirmed: a later rename changes no certificate.
    team_name = models.CharField(_("team name"), max_length=200)
    solution_title = models.CharField(_("solution title"), max_length=200)
    scenario_title = models.CharField(_("scenario title"), max_length=200)
    confirmed_at = models.DateTimeField()
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    replaces = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by")
    reissue_reason = models.TextField(blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoke_reason = models.TextField(blank=True)

    class Meta:
        db_table = "judging_award"
        ordering = ["contest_id", "final_rank", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contest", "solution"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_live_award_per_solution",
            ),
            models.CheckConstraint(condition=~models.Q(team_name=""), name="award_team_name_recorded"),
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True) | ~models.Q(revoke_reason=""),
                name="award_revocation_has_reason",
            ),
        ]
