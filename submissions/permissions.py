"""Who may do what with teams and solutions. Plain predicates; services and views share them.

Visibility (who may *see* a solution) lives in selectors.py; these predicates assume the
object is already visible to the user.
"""

from contest.roles import is_organizer

from .enums import MemberRole
from .models import TeamMembership


def _member_role(user, team_id) -> str | None:
    # Not cached on the user: services call this again under their locks, after a hand-over.
    # By team id, so a solution's predicates need not load its team.
    if user is None or not user.is_authenticated:
        return None
    return TeamMembership.objects.filter(team_id=team_id, user=user).values_list("role", flat=True).first()


def remember_member_role(solution, user, role: str | None) -> None:
    """Record the user's team role read together with the solution row (by a selector, in this
    request), so the request's permission checks need not read it again."""
    solution.__dict__.setdefault("_member_role_of", {})[user.pk] = role


def solution_member_role(user, solution) -> str | None:
    """The user's role in the solution's team: the one read with the row, else a query."""
    if user is None or not user.is_authenticated:
        return None
    memo = solution.__dict__.get("_member_role_of", {})
    if user.pk in memo:
        return memo[user.pk]
    return _member_role(user, solution.team_id)


def is_team_member(user, team) -> bool:
    return _member_role(user, team.pk) is not None


def is_team_captain(user, team) -> bool:
    return _member_role(user, team.pk) == MemberRole.CAPTAIN


def can_create_team(user, contest) -> bool:
    return user is not None and user.is_authenticated


def can_update_team(user, team) -> bool:
    return is_team_captain(user, team)


def can_invite_member(user, team) -> bool:
    return is_team_captain(user, team)


def can_remove_member(user, team, member) -> bool:
    """The captain removes members; any member may leave on their own."""
    return is_team_captain(user, team) or (user.is_authenticated and member.pk == user.pk)


def can_transfer_captaincy(user, team) -> bool:
    return is_team_captain(user, team)


def can_view_team_private(user, team) -> bool:
    """Members list and invitations: the team itself and organizers."""
    return is_team_member(user, team) or is_organizer(user, team.contest)


def can_create_solution(user, team) -> bool:
    return is_team_captain(user, team)


def _solution_captain(user, solution) -> bool:
    return solution_member_role(user, solution) == MemberRole.CAPTAIN


def can_upload_version(user, solution) -> bool:
    return solution_member_role(user, solution) is not None


def can_submit_solution(user, solution) -> bool:
    return _solution_captain(user, solution)


def can_withdraw_solution(user, solution) -> bool:
    return _solution_captain(user, solution)


def can_transfer_solution(user, solution) -> bool:
    return _solution_captain(user, solution)


def can_supplement_solution(user, solution) -> bool:
    return _solution_captain(user, solution)


def can_view_solution_history(user, solution) -> bool:
    """All versions, receipts and qualification decisions: the team and organizers."""
    return solution_member_role(user, solution) is not None or is_organizer(user, solution.contest)


def can_decide_eligibility(user, solution) -> bool:
    return is_organizer(user, solution.contest)


def can_request_fact_change(user, team) -> bool:
    """The captain asks for a change of the team's frozen units."""
    return is_team_captain(user, team)


def can_decide_fact_change(user, team) -> bool:
    """Only an organizer applies or refuses a change of a team's frozen facts."""
    return is_organizer(user, team.contest)
