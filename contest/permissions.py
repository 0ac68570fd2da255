"""Who may do what in the contest domain: plain predicates over contest roles.

State rules (e.g. "only drafts are edited") live in the services; these answer only "is this
user in the right role for this object".
"""

from .enums import ScenarioStatus
from .models import Contest, Scenario
from .roles import is_organizer, organized_contest_ids, publisher_organization_ids

PUBLIC_SCENARIO_STATUSES = (ScenarioStatus.PUBLISHED, ScenarioStatus.CLOSED, ScenarioStatus.WITHDRAWN)


def is_scenario_publisher(user, scenario: Scenario) -> bool:
    return scenario.publisher_id in publisher_organization_ids(user, scenario.contest)


def can_view_scenario(user, scenario: Scenario) -> bool:
    return (
        scenario.status in PUBLIC_SCENARIO_STATUSES
        or is_organizer(user, scenario.contest)
        or is_scenario_publisher(user, scenario)
    )


def can_create_scenario(user, contest: Contest) -> bool:
    return bool(publisher_organization_ids(user, contest))


def can_edit_scenario(user, scenario: Scenario) -> bool:
    return is_scenario_publisher(user, scenario)


def can_submit_scenario(user, scenario: Scenario) -> bool:
    return is_scenario_publisher(user, scenario)


def can_review_scenario(user, scenario: Scenario) -> bool:
    """Approve or reject a scenario pending review."""
    return is_organizer(user, scenario.contest)


def can_close_scenario(user, scenario: Scenario) -> bool:
    return is_organizer(user, scenario.contest)


def can_request_withdrawal_scenario(user, scenario: Scenario) -> bool:
    return is_scenario_publisher(user, scenario)


def can_approve_withdrawal_scenario(user, scenario: Scenario) -> bool:
    return is_organizer(user, scenario.contest)


def can_create_contest(user, obj=None) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_staff)


def can_manage_contest(user, contest: Contest) -> bool:
    """Edit the contest and create or edit its tracks and rounds."""
    return is_organizer(user, contest)


def can_view_security_events(user, contest: Contest | None = None) -> bool:
    """Refused attempts of a contest (or, without one, of any contest the user organizes)."""
    if user is None or not user.is_authenticated:
        return False
    if contest is not None:
        return is_organizer(user, contest)
    return user.is_superuser or bool(organized_contest_ids(user))
