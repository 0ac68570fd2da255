from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from .enums import (
    AdvancementKind,
    AdvancementScope,
    AggregationMethod,
    ContestStatus,
    OrganizationKind,
    OrganizingRole,
    Role,
    RoundKind,
    RoundStatus,
    ScenarioStatus,
)
from .validators import validate_credit_code


class BaseModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Organization(BaseModel):
    name = models.CharField(_("name"), max_length=200, unique=True)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganizationKind.choices, default=OrganizationKind.OTHER)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, blank=True, validators=[validate_credit_code]
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("parent group"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["credit_code"], condition=~Q(credit_code=""), name="org_credit_code_unique")
        ]

    def __str__(self):
        return self.short_name or self.name


class UserManager(DjangoUserManager):
    def with_verified_email(self, address: str):
        """Users whose current address is `address` (any case) and proven."""
        address = (address or "").strip()
        if not address:
            return self.none()
        return self.filter(email__iexact=address, verified_email__iexact=address)


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="users",
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans"
    )
    # The address its owner proved by opening a signed link (contest/email_verification.py).
    # Only this address counts: invitations, judge look-ups and e-mailed notices match it.
    verified_email = models.EmailField(_("verified e-mail"), blank=True, editable=False)

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        constraints = [
            models.UniqueConstraint(
                Lower("verified_email"), condition=~Q(verified_email=""), name="user_verified_email_unique"
            )
        ]

    def __str__(self):
        return self.full_name or self.username

    @property
    def has_verified_email(self) -> bool:
        return bool(self.verified_email) and self.verified_email.casefold() == (self.email or "").casefold()

    def save(self, *args, **kwargs):
        # A changed address is unproven: whatever changed it (profile, admin, shell).
        if self.verified_email and not self.has_verified_email:
            self.verified_email = ""
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "verified_email"}
        password_changed = self._password is not None and not self._state.adding
        super().save(*args, **kwargs)
        if password_changed:
            # A new password (changed, reset, set by an admin) ends every API token.
            from rest_framework.authtoken.models import Token

            Token.objects.filter(user=self).delete()


class Contest(BaseModel):
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    theme = models.CharField(_("theme"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    time_zone = models.CharField(_("time zone"), max_length=50, default="Asia/Shanghai")
    status = models.CharField(_("status"), max_length=20, choices=ContestStatus.choices, default=ContestStatus.DRAFT)
    max_team_size = models.PositiveSmallIntegerField(_("maximum team size"), default=10)
    max_co_units = models.PositiveSmallIntegerField(_("maximum co-units"), default=4)
    max_entries_per_team = models.PositiveSmallIntegerField(_("maximum entries per team"), default=3)
    organizations = models.ManyToManyField(Organization, through="ContestOrganization", related_name="contests")

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return self.name


class ContestOrganization(models.Model):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="organizing")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    role = models.CharField(_("role"), max_length=20, choices=OrganizingRole.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contest", "organization", "role"], name="contest_org_role_unique")
        ]


class ContestRole(BaseModel):
    """A user's role in one contest. Publishers act for one organization; a track host (承办
    staff) runs the judging of one track and sees no scores."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contest_roles")
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT)
    track = models.ForeignKey(
        "Track", verbose_name=_("track"), null=True, blank=True, on_delete=models.PROTECT, related_name="hosts"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "contest", "role"], name="contest_role_unique"),
            models.CheckConstraint(
                condition=~Q(role=Role.PUBLISHER) | Q(organization__isnull=False), name="publisher_has_organization"
            ),
            # Exactly the track hosts name a track.
            models.CheckConstraint(
                condition=Q(role=Role.TRACK_HOST, track__isnull=False)
                | (~Q(role=Role.TRACK_HOST) & Q(track__isnull=True)),
                name="track_host_has_track",
            ),
        ]

    def clean(self):
        super().clean()
        if self.track_id is not None and self.track.contest_id != self.contest_id:
            raise ValidationError({"track": _("The track belongs to another contest.")})

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.contest}"


class Track(BaseModel):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="tracks")
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    host = models.ForeignKey(
        Organization, verbose_name=_("host"), on_delete=models.PROTECT, related_name="hosted_tracks"
    )
    co_hosts = models.ManyToManyField(Organization, blank=True, related_name="co_hosted_tracks")
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["contest_id", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["contest", "name"], name="track_name_unique")]

    def __str__(self):
        return self.name


class Round(BaseModel):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="rounds")
    sequence = models.PositiveSmallIntegerField(_("sequence"))
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=RoundKind.choices, default=RoundKind.SCORED)
    status = models.CharField(_("status"), max_length=20, choices=RoundStatus.choices, default=RoundStatus.PENDING)
    # Submission window. The deadline is the last second shown to users (e.g. 23:59:59);
    # a request is accepted while server time < deadline + 1 s (contest.clock.deadline_passed).
    submission_opens_at = models.DateTimeField(_("submissions open"), null=True, blank=True)
    submission_deadline = models.DateTimeField(_("submission deadline"), null=True, blank=True)
    judging_opens_at = models.DateTimeField(_("judging opens"), null=True, blank=True)
    judging_closes_at = models.DateTimeField(_("judging closes"), null=True, blank=True)
    publish_at = models.DateTimeField(_("scheduled publication"), null=True, blank=True)
    publicity_days = models.PositiveSmallIntegerField(_("publicity period (days)"), default=5)
    max_upload_bytes = models.PositiveBigIntegerField(_("maximum upload size (bytes)"), default=50 * 1024 * 1024)
    required_documents = models.JSONField(_("required documents"), default=list, blank=True)
    # Judging settings.
    judges_per_solution = models.PositiveSmallIntegerField(_("judges per solution"), default=3)
    min_reviews = models.PositiveSmallIntegerField(_("minimum valid reviews"), default=3)
    aggregation_method = models.CharField(
        _("aggregation method"),
        max_length=20,
        choices=AggregationMethod.choices,
        default=AggregationMethod.TRIMMED_MEAN,
    )
    trim_threshold = models.PositiveSmallIntegerField(_("trim when at least this many totals"), default=5)
    judge_group_weights = models.JSONField(_("judge group weights"), default=dict, blank=True)
    carry_over = models.JSONField(
        _("carry-over weights"),
        default=list,
        blank=True,
        help_text=_('List of {"round": sequence, "weight": "0.4"}; this round takes the remaining weight.'),
    )
    blind_review = models.BooleanField(_("blind review"), default=False)
    advancement_scope = models.CharField(
        _("advancement scope"), max_length=20, choices=AdvancementScope.choices, default=AdvancementScope.TRACK
    )
    advancement_kind = models.CharField(
        _("advancement rule"), max_length=20, choices=AdvancementKind.choices, default=AdvancementKind.TOP_N
    )
    advancement_value = models.DecimalField(
        _("advancement value"), max_digits=7, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )

    class Meta:
        ordering = ["contest_id", "sequence"]
        constraints = [models.UniqueConstraint(fields=["contest", "sequence"], name="round_sequence_unique")]

    def __str__(self):
        return f"{self.contest} · {self.name}"


class Scenario(BaseModel):
    """A published business problem (榜单) that teams take up."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="scenarios")
    track = models.ForeignKey(Track, on_delete=models.PROTECT, related_name="scenarios")
    publisher = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="scenarios")
    code = models.CharField(_("code"), max_length=30, blank=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    problem = models.TextField(_("problem (需求描述)"), blank=True)
    expected_outcome = models.TextField(_("expected outcome (预期目标)"), blank=True)
    conditions = models.TextField(_("conditions for applicants"), blank=True)
    resources = models.TextField(_("resources offered (开放资源)"), blank=True)
    reward = models.DecimalField(
        _("reward (CNY)"), max_digits=14, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    duration_months = models.PositiveSmallIntegerField(_("implementation months"), null=True, blank=True)
    max_teams = models.PositiveIntegerField(_("maximum teams"), null=True, blank=True)
    contact_name = models.CharField(_("contact"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ScenarioStatus.choices, default=ScenarioStatus.DRAFT)
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    withdrawal_requested = models.BooleanField(_("withdrawal requested"), default=False)
    withdrawal_reason = models.TextField(_("withdrawal reason"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["track__order", "id"]
        indexes = [models.Index(fields=["contest", "status"])]

    def __str__(self):
        return self.title


class AuditEvent(models.Model):
    """Append-only, hash-chained record of every state change (see contest/audit.py)."""

    created_at = models.DateTimeField()
    # PROTECT: the actor id is part of the hash, so the user row must outlive the event.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=40)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    # Filled in by the chainer after commit (contest/audit.py); empty/NULL while pending.
    seq = models.PositiveBigIntegerField(null=True, blank=True, unique=True, editable=False)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["id"], condition=models.Q(seq__isnull=True), name="audit_event_pending"),
        ]

    def __str__(self):
        return f"{self.action} {self.object_type}#{self.object_id}"


class AuditHead(models.Model):
    """Single row holding the chain's latest hash and length; only the chainer locks it."""

    last_hash = models.CharField(max_length=64)
    count = models.PositiveBigIntegerField(default=0)


class SecurityEvent(models.Model):
    """A refused state change (who, what, code, when), written outside the refused request's
    transaction so it survives the rollback (contest/security_events.py). Append-only."""

    created_at = models.DateTimeField(_("time"), db_index=True)
    # SET_NULL + label: the record of a refusal outlives the account that tried.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user_label = models.CharField(_("user"), max_length=150, blank=True)
    contest = models.ForeignKey(Contest, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(_("source"), max_length=8)  # "api" or "page"
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=300)
    action = models.CharField(_("action"), max_length=120, blank=True)  # the URL name
    code = models.CharField(_("code"), max_length=80)
    status = models.PositiveSmallIntegerField(_("status"))
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    extra = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    client_address = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=100, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["contest", "created_at"]),
            models.Index(fields=["code", "created_at"]),
            models.Index(fields=["user", "created_at"]),
        ]

    def __str__(self):
        return f"{self.code} {self.method} {self.path}"
