"""Admin for rubrics, pools, conflicts, assignments and reviews: read-only.

Every change to these goes through the services (audited, checked: frozen rubrics, conflicts,
load caps, the judging window), which the API and the organizer pages call. The admin is for
looking things up.
"""

from django.contrib import admin

from .models import (
    ConflictOfInterest,
    Criterion,
    JudgeAssignment,
    JudgePoolMember,
    Review,
    ReviewRevision,
    Rubric,
    Score,
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

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CriterionInline(ReadOnlyInline):
    model = Criterion
    fields = ["order", "key", "name", "weight", "max_score"]


@admin.register(Rubric)
class RubricAdmin(ReadOnlyAdmin):
    list_display = ["name", "round", "track", "score_step"]
    list_select_related = ["round", "round__contest", "track"]
    list_filter = ["round__contest"]
    inlines = [CriterionInline]


@admin.register(JudgePoolMember)
class JudgePoolMemberAdmin(ReadOnlyAdmin):
    list_display = ["judge", "round", "group", "load_cap"]
    list_select_related = ["judge", "round", "round__contest"]
    list_filter = ["round__contest", "group"]
    search_fields = ["judge__username", "judge__full_name"]


@admin.register(ConflictOfInterest)
class ConflictOfInterestAdmin(ReadOnlyAdmin):
    list_display = ["judge", "contest", "source", "solution", "team", "organization", "created_at"]
    list_select_related = ["judge", "contest", "solution", "team", "organization"]
    list_filter = ["source", "contest"]
    search_fields = ["judge__username", "judge__full_name", "reason"]


@admin.register(JudgeAssignment)
class JudgeAssignmentAdmin(ReadOnlyAdmin):
    list_display = ["id", "round", "solution", "judge", "source", "active", "created_at"]
    list_select_related = ["round", "solution", "judge"]
    list_filter = ["active", "source", "round__contest"]
    search_fields = ["judge__username", "judge__full_name", "solution__title"]


class ScoreInline(ReadOnlyInline):
    model = Score
    fields = ["criterion", "value"]


class RevisionInline(ReadOnlyInline):
    model = ReviewRevision
    fields = ["number", "status", "scores", "reason", "created_by", "created_at"]
    readonly_fields = fields


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["id", "round", "solution", "judge", "status", "submitted_at", "revision"]
    list_select_related = ["round", "solution", "judge"]
    list_filter = ["status", "round__contest"]
    search_fields = ["judge__username", "judge__full_name", "solution__title"]
    inlines = [ScoreInline, RevisionInline]
