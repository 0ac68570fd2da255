"""Who holds which role in a contest. Every app's permissions.py builds on these lookups."""

from .enums import Role
from .models import Contest, ContestRole


def _roles(user, contest: Contest):
    if user is None or not user.is_authenticated:
        return []
    cache = getattr(user, "_contest_roles_cache", None)
    if cache is None:
        cache = {}
        user._contest_roles_cache = cache
    if contest.pk not in cache:
        if getattr(user, "_contest_roles_complete", False):
            return []
        cache[contest.pk] = list(ContestRole.objects.filter(user=user, contest_id=contest.pk))
    return cache[contest.pk]


def roles_of_user(user) -> list[ContestRole]:
    """Every contest role of the user, in one query; later per-contest lookups reuse it."""
    if user is None or not user.is_authenticated:
        return []
    if not getattr(user, "_contest_roles_complete", False):
        cache: dict[int, list[ContestRole]] = {}
        for role in ContestRole.objects.filter(user=user).order_by("id"):
            cache.setdefault(role.contest_id, []).append(role)
        user._contest_roles_cache = cache
        user._contest_roles_complete = True
    return [role for roles in user._contest_roles_cache.values() for role in roles]


def organized_contest_ids(user) -> set[int]:
    """The contests the user organizes (by role; a superuser's are all, not listed here)."""
    return {r.contest_id for r in roles_of_user(user) if r.role == Role.ORGANIZER}


def is_organizer(user, contest: Contest) -> bool:
    if user is not None and user.is_authenticated and user.is_superuser:
        return True
    return any(r.role == Role.ORGANIZER for r in _roles(user, contest))


def publisher_organization_ids(user, contest: Contest) -> set[int]:
    return {r.organization_id for r in _roles(user, contest) if r.role == Role.PUBLISHER}


def is_judge(user, contest: Contest) -> bool:
    return any(r.role == Role.JUDGE for r in _roles(user, contest))


def hosted_track_ids(user, contest: Contest) -> set[int]:
    """The tracks whose judging the user runs as a track host (承办) of the contest."""
    return {r.track_id for r in _roles(user, contest) if r.role == Role.TRACK_HOST and r.track_id is not None}


def is_track_host(user, contest: Contest) -> bool:
    return bool(hosted_track_ids(user, contest))
