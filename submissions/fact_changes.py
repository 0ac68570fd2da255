"""Changes to a team's frozen facts: asked for by the captain, decided by an organizer.

A team's lead unit, co-units and members are what conflict detection and team limits rest on.
After the first round's submission deadline (`selectors.team_facts_frozen`) nobody on the team
changes them directly; the captain files a `TeamFactChange` with a reason and an organizer
approves (the change is applied, audited, and judges it brings into conflict are settled by
`judging.services.conflicts.conflicts_sweep`: scored reviews are only flagged) or rejects it,
with a reason either way.
"""

from collections.abc import Sequence

from django.db import transaction

from contest import clock
from contest.audit import audit_record
from contest.models import Organization, User

from . import permissions
from .enums import FactChangeStatus
from .errors import (
    CaptainOnlyError,
    FactChangeDecidedError,
    FactChangeEmptyError,
    OrganizerOnlyError,
    ReasonRequiredError,
)
from .models import Team, TeamFactChange
from .services._common import _end_conflicted_assignments, _lock_team
from .services.teams import _validate_co_units


def _state(change: TeamFactChange) -> dict:
    return {
        "team": change.team_id,
        "lead_unit": change.lead_unit_id,
        "co_units": change.co_units,
        "status": change.status,
    }


def fact_change_request(
    *,
    actor: User,
    team: Team,
    reason: str,
    lead_unit: Organization | None = None,
    co_units: Sequence[Organization] | None = None,
) -> TeamFactChange:
    """The captain asks for new units (None: unchanged). Checked like a direct edit (co-unit cap,
    lead unit not a co-unit); nothing changes until an organizer approves. Audited."""
    if not permissions.can_request_fact_change(actor, team):
        raise CaptainOnlyError()
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequiredError()
    if lead_unit is None and co_units is None:
        raise FactChangeEmptyError()
    units = None
    if co_units is not None:
        units = _validate_co_units(contest=team.contest, lead_unit=lead_unit or team.lead_unit, co_units=co_units)
    with transaction.atomic():
        change = TeamFactChange.objects.create(
            team=team,
            requested_by=actor,
            lead_unit=lead_unit,
            co_units=sorted(o.pk for o in units) if units is not None else None,
            reason=reason,
        )
        audit_record(
            actor=actor, action="team.fact_change_requested", obj=change, after={**_state(change), "reason": reason}
        )
    return change


def fact_change_decide(*, actor: User, change: TeamFactChange, approve: bool, reason: str) -> TeamFactChange:
    """An organizer approves (applies) or rejects a requested change, with a reason. Audited.

    Locks the team row, then the request (decided once)."""
    if not permissions.can_decide_fact_change(actor, change.team):
        raise OrganizerOnlyError()
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequiredError()
    with transaction.atomic():
        team = _lock_team(change.team_id)
        change = TeamFactChange.objects.select_for_update().get(pk=change.pk)
        if change.status != FactChangeStatus.PENDING:
            raise FactChangeDecidedError(extra={"status": change.status})
        if approve:
            _apply(actor=actor, team=team, change=change, reason=reason)
        change.status = FactChangeStatus.APPROVED if approve else FactChangeStatus.REJECTED
        change.decided_by = actor
        change.decision_reason = reason
        change.decided_at = clock.now()
        change.save(update_fields=["status", "decided_by", "decision_reason", "decided_at", "updated_at"])
        audit_record(
            actor=actor,
            action="team.fact_change_decided",
            obj=change,
            before={"status": FactChangeStatus.PENDING},
            after={"status": change.status, "reason": reason},
        )
    return change


def _apply(*, actor: User, team: Team, change: TeamFactChange, reason: str) -> None:
    before = {"lead_unit": team.lead_unit_id, "co_units": sorted(team.co_units.values_list("pk", flat=True))}
    if change.lead_unit_id is not None:
        team.lead_unit_id = change.lead_unit_id
    if change.co_units is not None:
        units = list(Organization.objects.filter(pk__in=change.co_units))
    else:
        units = list(team.co_units.all())
    lead_unit = Organization.objects.get(pk=team.lead_unit_id)
    units = _validate_co_units(contest=team.contest, lead_unit=lead_unit, co_units=units)
    team.save(update_fields=["lead_unit", "updated_at"])
    team.co_units.set(units)
    after = {"lead_unit": team.lead_unit_id, "co_units": sorted(o.pk for o in units)}
    audit_record(
        actor=actor,
        action="team.update",
        obj=team,
        before=before,
        after={**after, "fact_change": change.pk, "reason": reason},
    )
    if before != after:
        _end_conflicted_assignments(actor=actor, team=team)
