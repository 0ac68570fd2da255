"""Invitations: a captain invites by e-mail, the invitee accepts with a proven address."""

import datetime as dt
import secrets

from django.db import IntegrityError, transaction

from contest import clock
from contest.audit import audit_record
from contest.models import User
from notifications.services import notify

from .. import permissions
from ..enums import (
    InvitationStatus,
    MemberRole,
)
from ..errors import (
    AlreadyInTeamError,
    AlreadyMemberError,
    CaptainOnlyError,
    EmailNotVerifiedError,
    InvitationExpiredError,
    InvitationNotFoundError,
    InvitationNotYoursError,
    InvitationRevokedError,
    InvitationUsedError,
    TeamFullError,
)
from ..models import (
    Invitation,
    Solution,
    Team,
    TeamMembership,
)
from ._common import (
    INVITATION_TTL,
    _end_conflicted_assignments,
    _local,
    _lock_team,
    _member_users,
    _notify_team,
    _refuse_contest_staff,
    _refuse_frozen_facts,
    _refuse_publisher_staff,
)


def invitation_create(*, actor: User, team: Team, email: str) -> Invitation:
    """The captain invites someone by e-mail: single-use token, valid for 7 days.

    Side effects: a `team_invitation` notice to the address (in-app as well when an account
    with that address exists); audit `invitation.create` (the token is never audited).
    """
    if not permissions.can_invite_member(actor, team):
        raise CaptainOnlyError()
    email = (email or "").strip()
    _refuse_frozen_facts(team.contest_id, clock.now())
    with transaction.atomic():
        if TeamMembership.objects.filter(team=team, user__in=User.objects.with_verified_email(email)).exists():
            raise AlreadyMemberError()
        if TeamMembership.objects.filter(team=team).count() >= team.contest.max_team_size:
            raise TeamFullError(extra={"limit": team.contest.max_team_size})
        now = clock.now()
        invitation = Invitation.objects.create(
            team=team,
            email=email,
            token=secrets.token_urlsafe(32),
            expires_at=now + INVITATION_TTL,
            invited_by=actor,
        )
        audit_record(actor=actor, action="invitation.create", obj=invitation, after={"team": team.pk, "email": email})
        recipient = User.objects.with_verified_email(email).filter(is_active=True).order_by("id").first()
        notify(
            kind="team_invitation",
            recipient=recipient,
            email=email,
            dedup_key=f"team_invitation:{invitation.pk}",
            link=f"/invitations/{invitation.token}/",
            context={
                "contest_name": team.contest.name,
                "team_name": team.name,
                "inviter_name": str(actor),
                "token": invitation.token,
                "expires_at": _local(invitation.expires_at, team.contest),
            },
        )
    return invitation


def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    if not permissions.can_invite_member(actor, invitation.team):
        raise CaptainOnlyError()
    with transaction.atomic():
        updated = Invitation.objects.filter(pk=invitation.pk, status=InvitationStatus.PENDING).update(
            status=InvitationStatus.REVOKED
        )
        if not updated:
            raise InvitationUsedError()
        invitation.refresh_from_db()
        audit_record(actor=actor, action="invitation.revoke", obj=invitation, after={"status": invitation.status})
    return invitation


def _check_invitation(invitation: Invitation, *, actor: User, at: dt.datetime) -> None:
    if invitation.status == InvitationStatus.ACCEPTED:
        raise InvitationUsedError()
    if invitation.status == InvitationStatus.REVOKED:
        raise InvitationRevokedError()
    # Only a proven address is the invitee's: whoever registers an address next is not.
    if (actor.email or "").strip().casefold() != invitation.email.strip().casefold():
        raise InvitationNotYoursError()
    if not actor.has_verified_email:
        raise EmailNotVerifiedError()
    if clock.deadline_passed(invitation.expires_at, at):
        raise InvitationExpiredError()


def invitation_accept(*, actor: User, token: str) -> TeamMembership:
    """The invited person joins the team with their own organization.

    Locks the team row (member cap: two acceptances at once must not both see a free place),
    then the invitation (single use). Side effects: `member_joined` notices to the other
    members; audit `invitation.accept`; judges the newcomer brings into conflict (same
    organization group) lose their assignments to the team's solutions, reviews voided.
    """
    invitation = Invitation.objects.select_related("team").filter(token=token or "").first()
    if invitation is None:
        raise InvitationNotFoundError()
    _check_invitation(invitation, actor=actor, at=clock.now())
    _refuse_contest_staff(actor, invitation.team.contest)
    with transaction.atomic():
        team = _lock_team(invitation.team_id)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        at = clock.now()
        _check_invitation(invitation, actor=actor, at=at)
        _refuse_frozen_facts(team.contest, at)
        _refuse_publisher_staff(
            contest_id=team.contest_id,
            user_ids=[actor.pk],
            publisher_ids=Solution.objects.filter(team=team).values_list("scenario__publisher_id", flat=True),
        )
        existing = TeamMembership.objects.filter(user=actor, contest=team.contest).first()
        if existing is not None:
            raise AlreadyMemberError() if existing.team_id == team.pk else AlreadyInTeamError()
        if TeamMembership.objects.filter(team=team).count() >= team.contest.max_team_size:
            raise TeamFullError(extra={"limit": team.contest.max_team_size})
        others = _member_users(team)
        try:
            with transaction.atomic():
                membership = TeamMembership.objects.create(
                    team=team, contest=team.contest, user=actor, role=MemberRole.MEMBER, organization=actor.organization
                )
        except IntegrityError as exc:  # a concurrent registration in another team won
            raise AlreadyInTeamError() from exc
        invitation.status = InvitationStatus.ACCEPTED
        invitation.accepted_by = actor
        invitation.accepted_at = at
        invitation.save(update_fields=["status", "accepted_by", "accepted_at", "updated_at"])
        audit_record(
            actor=actor,
            action="invitation.accept",
            obj=invitation,
            after={"team": team.pk, "user": actor.pk, "membership": membership.pk},
        )
        _end_conflicted_assignments(actor=actor, team=team)
        _notify_team(
            team=team,
            kind="member_joined",
            key=str(membership.pk),
            users=others,
            context={"contest_name": team.contest.name, "team_name": team.name, "member_name": str(actor)},
        )
    return membership
