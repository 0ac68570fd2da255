"""Read-only admin of the outbox: find a notice, see its attempts and last error, and send
given-up e-mail notices again (through `notifications_retry`)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .delivery import notifications_retry
from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "channel", "recipient", "email", "language", "created_at", "sent_at", "attempts"]
    list_filter = ["channel", "kind", "language", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["dedup_key", "email", "recipient__username", "subject"]
    list_select_related = ["recipient"]
    readonly_fields = [f.name for f in Notification._meta.fields]
    actions = ["retry_sending"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Send the selected unsent e-mail notices again"), permissions=["view"])
    def retry_sending(self, request, queryset):
        ids = notifications_retry(notification_ids=list(queryset.values_list("id", flat=True)))
        self.message_user(request, _("%(count)d notices enqueued.") % {"count": len(ids)}, messages.SUCCESS)
