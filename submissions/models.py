from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from contest.enums import DocumentKind
from contest.models import BaseModel, Contest, Organization, Round, Scenario

from .enums import EligibilityOutcome, EntryStatus, FactChangeStatus, InvitationStatus, MemberRole, SolutionStatus


class Team(BaseModel):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("name"), max_length=100)
    captain = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="captained_teams")
    lead_unit = models.ForeignKey(
        Organization, verbose_name=_("lead unit (牵头单位)"), on_delete=models.PROTECT, related_name="led_teams"
    )
    co_units = models.ManyToManyField(
        Organization, verbose_name=_("co-units (联合单位)"), blank=True, related_name="co_unit_teams"
    )

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["contest", "name"], name="team_name_unique")]

    def __str__(self):
        return self.name


class TeamMembership(BaseModel):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    # Denormalised from team so the database enforces one team per user per contest.
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER)
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization (单位)"), null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "contest"], name="one_team_per_user_per_contest"),
            models.UniqueConstraint(fields=["team"], condition=Q(role="captain"), name="one_captain_per_team"),
        ]


class TeamFactChange(BaseModel):
    """A change of a team's units asked for after its facts froze (the first round's deadline).

    Only an organizer applies it (approve) or refuses it, with a reason; the captain never
    changes frozen facts directly. `lead_unit` None: unchanged; `co_units` None: unchanged."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="fact_changes")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    lead_unit = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    co_units = models.JSONField(null=True, blank=True)
    reason = models.TextField()
    status = models.CharField(max_length=20, choices=FactChangeStatus.choices, default=FactChangeStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]


class Invitation(BaseModel):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail"))
    token = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.PENDING)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)


class Solution(BaseModel):
    """A team's entry for one scenario (揭榜方案)."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="solutions")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="solutions")
    scenario = models.ForeignKey(Scenario, on_delete=models.PROTECT, related_name="solutions")
    title = models.CharField(_("title"), max_length=200)
    abstract = models.TextField(_("abstract"), blank=True)
    status = models.CharField(_("status"), max_length=30, choices=SolutionStatus.choices, default=SolutionStatus.DRAFT)
    final_version = models.ForeignKey(
        "SolutionVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("final submission time"), null=True, blank=True)
    version_count = models.PositiveIntegerField(default=0)
    status_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["team", "scenario"], name="one_solution_per_team_scenario")]
        indexes = [models.Index(fields=["contest", "status"])]

    def __str__(self):
        return self.title


class SolutionVersion(models.Model):
    """Immutable: nothing updates or deletes a version once written."""

    solution = models.ForeignKey(Solution, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    round = models.ForeignKey(Round, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    abstract = models.TextField(blank=True)
    # SHA-256 over the title, abstract and sorted (kind, file SHA-256, name) manifest: names the
    # version in receipts (see services._version_digest).
    sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["solution_id", "number"]
        constraints = [models.UniqueConstraint(fields=["solution", "number"], name="version_number_unique")]


class SolutionFile(models.Model):
    version = models.ForeignKey(SolutionVersion, on_delete=models.PROTECT, related_name="files")
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    file = models.FileField(max_length=255)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["version_id", "id"]


class SubmissionReceipt(models.Model):
    """One per final submission; the history of which version counted when."""

    solution = models.ForeignKey(Solution, on_delete=models.PROTECT, related_name="receipts")
    version = models.ForeignKey(SolutionVersion, on_delete=models.PROTECT, related_name="receipts")
    round = models.ForeignKey(Round, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=40, unique=True)
    sha256 = models.CharField(max_length=64)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["solution_id", "id"]


class EligibilityDecision(BaseModel):
    """Qualification review (形式审查) of one solution in one round."""

    solution = models.ForeignKey(Solution, on_delete=models.PROTECT, related_name="eligibility_decisions")
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="eligibility_decisions")
    outcome = models.CharField(max_length=30, choices=EligibilityOutcome.choices)
    reason = models.TextField(blank=True)
    supplement_deadline = models.DateTimeField(null=True, blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]


class RoundEntry(BaseModel):
    """A solution taking part in a round (created by qualification or by advancement)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="entries")
    solution = models.ForeignKey(Solution, on_delete=models.PROTECT, related_name="round_entries")
    status = models.CharField(max_length=20, choices=EntryStatus.choices, default=EntryStatus.ACTIVE)

    class Meta:
        ordering = ["round_id", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "solution"], name="one_entry_per_round")]


class IdempotencyRecord(models.Model):
    """First response to a request carrying an Idempotency-Key, replayed on retries."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    scope = models.CharField(max_length=200)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique")]
