"""Teams: registration, units, members and the captaincy."""

from collections.abc import Sequence

from django.db import IntegrityError, transaction

from contest import clock
from contest.audit import audit_record
from contest.enums import ContestStatus
from contest.models import Contest, Organization, User
from notifications.services import notify

from .. import permissions
from ..enums import (
    MemberRole,
)
from ..errors import (
    AlreadyInTeamError,
    CannotRemoveCaptainError,
    CaptainOnlyError,
    ContestNotOpenError,
    InvalidCoUnitError,
    NotAMemberError,
    TeamNameTakenError,
    TooManyCoUnitsError,
)
from ..models import (
    Team,
    TeamMembership,
)
from ..selectors import (
    team_facts_frozen,
)
from ._common import (
    _end_conflicted_assignments,
    _lock_team,
    _refuse_contest_staff,
    _refuse_frozen_facts,
)


def _validate_co_units(*, contest: Contest, lead_unit: Organization, co_units: Sequence[Organization]) -> list:
    unique = list({org.pk: org for org in co_units}.values())
    if any(org.pk == lead_unit.pk for org in unique):
        raise InvalidCoUnitError()
    if len(unique) > contest.max_co_units:
        raise TooManyCoUnitsError(extra={"limit": contest.max_co_units, "given": len(unique)})
    return unique


def team_create(
    *,
    actor: User,
    contest: Contest,
    name: str,
    lead_unit: Organization,
    co_units: Sequence[Organization] = (),
    organization: Organization | None = None,
) -> Team:
    """Register a team; the actor becomes its captain with their own organization.

    One team per user per contest (database constraint; a concurrent second registration gets
    `already_in_team`). Audit `team.create`.
    """
    if contest.status != ContestStatus.PUBLISHED:
        raise ContestNotOpenError()
    _refuse_contest_staff(actor, contest)
    name = (name or "").strip()
    co_units = _validate_co_units(contest=contest, lead_unit=lead_unit, co_units=co_units)
    with transaction.atomic():
        if TeamMembership.objects.filter(user=actor, contest=contest).exists():
            raise AlreadyInTeamError()
        if Team.objects.filter(contest=contest, name=name).exists():
            raise TeamNameTakenError()
        try:
            with transaction.atomic():
                team = Team.objects.create(contest=contest, name=name, captain=actor, lead_unit=lead_unit)
                TeamMembership.objects.create(
                    team=team,
                    contest=contest,
                    user=actor,
                    role=MemberRole.CAPTAIN,
                    organization=organization or actor.organization,
                )
        except IntegrityError as exc:
            if TeamMembership.objects.filter(user=actor, contest=contest).exists():
                raise AlreadyInTeamError() from exc
            raise TeamNameTakenError() from exc
        team.co_units.set(co_units)
        audit_record(
            actor=actor,
            action="team.create",
            obj=team,
            after={"name": name, "lead_unit": lead_unit.pk, "co_units": sorted(o.pk for o in co_units)},
        )
    return team


def team_update(
    *,
    actor: User,
    team: Team,
    name: str | None = None,
    lead_unit: Organization | None = None,
    co_units: Sequence[Organization] | None = None,
) -> Team:
    """The captain renames the team or changes its units (co-units capped by the contest).

    Units are frozen after the first round's deadline (`team_facts_frozen`): a change is then
    asked for with a `TeamFactChange`. A change of units settles the assignments of judges it
    brings into conflict (judging.services.conflicts)."""
    if not permissions.can_update_team(actor, team):
        raise CaptainOnlyError()
    with transaction.atomic():
        # Team row: two captains' edits (after a captaincy hand-over) must not interleave.
        team = _lock_team(team.pk)
        before = {
            "name": team.name,
            "lead_unit": team.lead_unit_id,
            "co_units": sorted(team.co_units.values_list("pk", flat=True)),
        }
        if name is not None and name.strip() != team.name:
            if Team.objects.filter(contest=team.contest, name=name.strip()).exclude(pk=team.pk).exists():
                raise TeamNameTakenError()
            team.name = name.strip()
        if lead_unit is not None:
            team.lead_unit = lead_unit
        units = list(team.co_units.all()) if co_units is None else co_units
        units = _validate_co_units(contest=team.contest, lead_unit=team.lead_unit, co_units=units)
        team.save(update_fields=["name", "lead_unit", "updated_at"])
        team.co_units.set(units)
        after = {"name": team.name, "lead_unit": team.lead_unit_id, "co_units": sorted(o.pk for o in units)}
        units_changed = (before["lead_unit"], before["co_units"]) != (after["lead_unit"], after["co_units"])
        if units_changed:
            _refuse_frozen_facts(team.contest, clock.now())
        audit_record(actor=actor, action="team.update", obj=team, before=before, after=after)
        if units_changed:
            _end_conflicted_assignments(actor=actor, team=team)
    return team


def member_organization_follow_profile(*, actor: User) -> list[int]:
    """The actor changed the organization on their profile: their memberships in teams whose
    facts are not frozen yet take it over (conflicts then follow, see `_end_conflicted_assignments`);
    frozen memberships keep what was recorded. Returns the teams changed. Audited per membership."""
    changed = []
    at = clock.now()
    with transaction.atomic():
        for membership in TeamMembership.objects.filter(user=actor).select_related("team").order_by("id"):
            if membership.organization_id == actor.organization_id or team_facts_frozen(membership.contest_id, at):
                continue
            team = _lock_team(membership.team_id)
            before = membership.organization_id
            TeamMembership.objects.filter(pk=membership.pk).update(organization_id=actor.organization_id)
            audit_record(
                actor=actor,
                action="team.member_organization",
                obj=team,
                before={"member": actor.pk, "organization": before},
                after={"member": actor.pk, "organization": actor.organization_id},
            )
            _end_conflicted_assignments(actor=actor, team=team)
            changed.append(team.pk)
    return changed


def member_remove(*, actor: User, team: Team, user: User) -> None:
    """The captain removes a member (or a member leaves). The captain cannot be removed.

    Side effects: `member_removed` notice to the removed person; audit `team.member_remove`.
    """
    if not permissions.can_remove_member(actor, team, user):
        raise CaptainOnlyError()
    with transaction.atomic():
        team = _lock_team(team.pk)
        membership = TeamMembership.objects.filter(team=team, user=user).first()
        if membership is None:
            raise NotAMemberError()
        _refuse_frozen_facts(team.contest, clock.now())
        if membership.role == MemberRole.CAPTAIN:
            raise CannotRemoveCaptainError()
        membership.delete()
        audit_record(
            actor=actor, action="team.member_remove", obj=team, before={"member": user.pk}, after={"member": None}
        )
        notify(
            kind="member_removed",
            recipient=user,
            dedup_key=f"member_removed:{team.pk}:{user.pk}:{membership.pk}",
            context={
                "contest_name": team.contest.name,
                "team_name": team.name,
                "member_name": str(user),
                "removed_self": True,
            },
        )


def captain_transfer(*, actor: User, team: Team, new_captain: User) -> Team:
    """The captain hands the captaincy to another member; exactly one captain remains."""
    if not permissions.can_transfer_captaincy(actor, team):
        raise CaptainOnlyError()
    with transaction.atomic():
        # Team row: a concurrent hand-over or removal must see one consistent captain.
        team = _lock_team(team.pk)
        target = TeamMembership.objects.filter(team=team, user=new_captain).first()
        if target is None:
            raise NotAMemberError()
        if target.role == MemberRole.CAPTAIN:
            return team
        old_captain_id = team.captain_id
        # Demote first: the partial unique index allows one captain per team.
        TeamMembership.objects.filter(team=team, role=MemberRole.CAPTAIN).update(role=MemberRole.MEMBER)
        TeamMembership.objects.filter(pk=target.pk).update(role=MemberRole.CAPTAIN)
        team.captain = new_captain
        team.save(update_fields=["captain", "updated_at"])
        audit_record(
            actor=actor,
            action="team.captain_transfer",
            obj=team,
            before={"captain": old_captain_id},
            after={"captain": new_captain.pk},
        )
    return team
