"""Read queries of the notification centre. A user sees only their own in-app notices."""

from django.db.models import QuerySet

from .models import Channel, Notification


def notification_list_for_user(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's in-app notices, newest first. Anyone else's notice is simply not in the set (→ 404)."""
    if user is None or not user.is_authenticated:
        return Notification.objects.none()
    notices = Notification.objects.filter(recipient=user, channel=Channel.IN_APP)
    if unread_only:
        notices = notices.filter(read_at__isnull=True)
    return notices.order_by("-created_at", "-id")


def notification_unread_count(*, user) -> int:
    return notification_list_for_user(user=user, unread_only=True).count()
