"""Admin for the contest models: read-mostly; the scenario actions call the services."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from config.api import ApplicationError

from . import services
from .models import AuditEvent, Contest, ContestOrganization, ContestRole, Organization, Round, Scenario, Track, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "full_name", "email", "organization", "is_staff", "is_active"]
    list_select_related = ["organization"]
    search_fields = ["username", "full_name", "email"]
    autocomplete_fields = ["organization"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Jiebang"), {"fields": ("full_name", "phone", "organization", "preferred_language", "verified_email")}),
    )
    # Proven only by its owner's link; a changed e-mail drops it (User.save).
    readonly_fields = ["verified_email"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "credit_code", "parent"]
    list_filter = ["kind"]
    list_select_related = ["parent"]
    search_fields = ["name", "short_name", "name_en", "credit_code"]
    autocomplete_fields = ["parent"]


class ContestOrganizationInline(admin.TabularInline):
    model = ContestOrganization
    extra = 0
    autocomplete_fields = ["organization"]


@admin.register(Contest)
class ContestAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "status"]
    list_filter = ["status"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ("name_en",)}
    inlines = [ContestOrganizationInline]


@admin.register(ContestRole)
class ContestRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "contest", "role", "organization", "track"]
    list_filter = ["role", "contest"]
    list_select_related = ["user", "contest", "organization", "track"]
    search_fields = ["user__username", "user__full_name", "organization__name"]
    autocomplete_fields = ["user", "organization"]


@admin.register(Track)
class TrackAdmin(admin.ModelAdmin):
    list_display = ["name", "contest", "host", "order"]
    list_filter = ["contest"]
    list_select_related = ["contest", "host"]
    search_fields = ["name"]
    autocomplete_fields = ["host", "co_hosts"]


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ["name", "contest", "sequence", "kind", "status", "submission_deadline"]
    list_filter = ["contest", "kind", "status"]
    list_select_related = ["contest"]
    # Status moves only through the judging and results services.
    readonly_fields = ["status"]


def _run_scenario_action(modeladmin, request, queryset, label, call):
    done = 0
    for scenario in queryset:
        try:
            call(scenario)
            done += 1
        except ApplicationError as exc:
            modeladmin.message_user(request, f"{scenario}: {exc.detail}", level=messages.ERROR)
    if done:
        modeladmin.message_user(request, _("%(label)s: %(count)d scenario(s).") % {"label": label, "count": done})


@admin.action(description=_("Approve and publish the selected scenarios"))
def approve_scenarios(modeladmin, request, queryset):
    _run_scenario_action(
        modeladmin,
        request,
        queryset,
        _("Approved"),
        lambda s: services.scenario_approve(actor=request.user, scenario=s),
    )


class RejectReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)


@admin.action(description=_("Reject the selected scenarios (back to draft)"))
def reject_scenarios(modeladmin, request, queryset):
    """Asks for the reason on an intermediate page, then rejects through the service."""
    form = RejectReasonForm(request.POST if "apply" in request.POST else None)
    if not form.is_valid():
        return TemplateResponse(
            request,
            "admin/contest/scenario/reject_reason.html",
            {**modeladmin.admin_site.each_context(request), "form": form, "scenarios": queryset},
        )
    reason = form.cleaned_data["reason"]
    _run_scenario_action(
        modeladmin,
        request,
        queryset,
        _("Rejected"),
        lambda s: services.scenario_reject(actor=request.user, scenario=s, reason=reason),
    )
    return None


@admin.action(description=_("Close the selected scenarios"))
def close_scenarios(modeladmin, request, queryset):
    _run_scenario_action(
        modeladmin, request, queryset, _("Closed"), lambda s: services.scenario_close(actor=request.user, scenario=s)
    )


@admin.register(Scenario)
class ScenarioAdmin(admin.ModelAdmin):
    list_display = ["title", "code", "track", "publisher", "status", "reward", "published_at"]
    list_filter = ["contest", "status", "track"]
    list_select_related = ["track", "publisher"]
    search_fields = ["title", "code", "summary"]
    autocomplete_fields = ["publisher", "created_by"]
    actions = [approve_scenarios, reject_scenarios, close_scenarios]
    # The workflow fields change only through the actions (audited services).
    readonly_fields = [
        "status",
        "rejection_reason",
        "withdrawal_requested",
        "withdrawal_reason",
        "published_at",
    ]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail is append-only: no adding, changing or deleting here."""

    list_display = ["id", "seq", "created_at", "actor_label", "action", "object_type", "object_id"]
    list_filter = ["action", "object_type"]
    search_fields = ["action", "object_type", "object_id", "actor_label"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
