"""Who may see and change results, publications, objections and awards. Plain predicates; DRF
permission classes adapt them."""

from contest.roles import is_organizer


def can_manage_results(user, round_) -> bool:
    """Aggregate, decide ties, override advancement, publish, confirm, export."""
    return is_organizer(user, round_.contest)


def can_view_results(user, round_) -> bool:
    """The full results table (per-judge detail included) before and after publication."""
    return is_organizer(user, round_.contest)


def can_raise_objection(user, publication) -> bool:
    return user is not None and user.is_authenticated


def can_decide_objection(user, objection) -> bool:
    return is_organizer(user, objection.publication.round.contest)


def can_manage_awards(user, contest) -> bool:
    return is_organizer(user, contest)


def can_download_certificate(user, award) -> bool:
    if is_organizer(user, award.contest):
        return True
    return bool(user and user.is_authenticated and award.solution.team.memberships.filter(user=user).exists())
