"""Navigation facts every page needs: the current contest, the user's roles and unread notices."""

from django.utils.functional import SimpleLazyObject

from notifications.models import Channel, Notification

from .enums import ContestStatus, Role
from .models import Contest, ContestRole


def current_contest() -> Contest | None:
    """The contest the public pages show by default: the newest published one."""
    return Contest.objects.filter(status=ContestStatus.PUBLISHED).order_by("-id").first()


def _nav(request) -> dict:
    user = request.user
    nav = {
        "contest": current_contest(),
        "is_organizer": False,
        "is_publisher": False,
        "is_judge": False,
        "is_track_host": False,
        "unread": 0,
    }
    if user.is_authenticated:
        roles = set(ContestRole.objects.filter(user=user).values_list("role", flat=True))
        nav["is_organizer"] = user.is_superuser or Role.ORGANIZER in roles
        nav["is_publisher"] = Role.PUBLISHER in roles
        nav["is_judge"] = Role.JUDGE in roles
        nav["is_track_host"] = Role.TRACK_HOST in roles
        nav["unread"] = Notification.objects.filter(
            recipient=user, channel=Channel.IN_APP, read_at__isnull=True
        ).count()
    return nav


def navigation(request):
    """`nav`: computed lazily, at most once per request (the base template always uses it)."""
    if not hasattr(request, "_nav_cache"):
        request._nav_cache = SimpleLazyObject(lambda: _nav(request))
    return {"nav": request._nav_cache}
