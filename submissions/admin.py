"""Read-mostly admin pages. State changes go through services (the actions below)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from config.api import ApplicationError

from . import services
from .enums import EligibilityOutcome
from .models import (
    EligibilityDecision,
    IdempotencyRecord,
    Invitation,
    RoundEntry,
    Solution,
    SolutionFile,
    SolutionVersion,
    SubmissionReceipt,
    Team,
    TeamMembership,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class MembershipInline(ReadOnlyInline):
    model = TeamMembership
    fields = ["user", "role", "organization", "created_at"]
    readonly_fields = fields
    fk_name = "team"


@admin.register(Team)
class TeamAdmin(ReadOnlyAdmin):
    list_display = ["name", "contest", "captain", "lead_unit", "created_at"]
    list_filter = ["contest"]
    search_fields = ["name", "captain__username", "lead_unit__name"]
    list_select_related = ["contest", "captain", "lead_unit"]
    inlines = [MembershipInline]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ["email", "team", "status", "expires_at", "accepted_at"]
    list_filter = ["status"]
    search_fields = ["email", "team__name"]
    exclude = ["token"]
    list_select_related = ["team"]


class VersionInline(ReadOnlyInline):
    model = SolutionVersion
    fields = ["number", "round", "title", "sha256", "created_by", "created_at"]
    readonly_fields = fields


class ReceiptInline(ReadOnlyInline):
    model = SubmissionReceipt
    fields = ["code", "version", "round", "sha256", "submitted_by", "submitted_at"]
    readonly_fields = fields


def _run(modeladmin, request, queryset, action):
    done = 0
    for solution in queryset:
        try:
            action(solution)
            done += 1
        except ApplicationError as exc:
            modeladmin.message_user(request, f"{solution}: {exc.detail}", level=messages.ERROR)
    if done:
        modeladmin.message_user(request, _("%(count)d solution(s) updated.") % {"count": done})


@admin.action(description=_("Qualify selected solutions (资格审查: qualified)"))
def qualify(modeladmin, request, queryset):
    _run(
        modeladmin,
        request,
        queryset,
        lambda s: services.eligibility_decide(actor=request.user, solution=s, outcome=EligibilityOutcome.QUALIFIED),
    )


@admin.action(description=_("End untransferred solutions whose deadline has passed"))
def end_untransferred(modeladmin, request, queryset):
    contest_ids = set(queryset.values_list("contest_id", flat=True))
    ended = sum(services.solutions_end_untransferred(contest_id=cid) for cid in contest_ids)
    modeladmin.message_user(request, _("%(count)d solution(s) ended.") % {"count": ended})


@admin.register(Solution)
class SolutionAdmin(ReadOnlyAdmin):
    list_display = ["title", "team", "scenario", "status", "final_version", "submitted_at"]
    list_filter = ["contest", "status"]
    search_fields = ["title", "team__name", "scenario__title"]
    list_select_related = ["team", "scenario", "final_version"]
    inlines = [VersionInline, ReceiptInline]
    actions = [qualify, end_untransferred]


class FileInline(ReadOnlyInline):
    model = SolutionFile
    fields = ["kind", "original_name", "content_type", "size", "sha256"]
    readonly_fields = fields
    show_change_link = False


@admin.register(SolutionVersion)
class SolutionVersionAdmin(ReadOnlyAdmin):
    list_display = ["solution", "number", "round", "sha256", "created_by", "created_at"]
    list_select_related = ["solution", "round", "created_by"]
    search_fields = ["solution__title", "sha256"]
    inlines = [FileInline]


@admin.register(SubmissionReceipt)
class SubmissionReceiptAdmin(ReadOnlyAdmin):
    list_display = ["code", "solution", "version", "round", "sha256", "submitted_at"]
    search_fields = ["code", "sha256", "solution__title"]
    list_select_related = ["solution", "version", "round"]


@admin.register(EligibilityDecision)
class EligibilityDecisionAdmin(ReadOnlyAdmin):
    list_display = ["solution", "round", "outcome", "supplement_deadline", "reviewer", "created_at"]
    list_filter = ["outcome", "round"]
    list_select_related = ["solution", "round", "reviewer"]


@admin.register(RoundEntry)
class RoundEntryAdmin(ReadOnlyAdmin):
    list_display = ["solution", "round", "status", "created_at"]
    list_filter = ["round", "status"]
    list_select_related = ["solution", "round"]


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ReadOnlyAdmin):
    list_display = ["user", "key", "scope", "status_code", "created_at"]
    exclude = ["body"]
