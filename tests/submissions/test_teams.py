"""Teams: registration, co-units, invitations, member cap, removal, captaincy."""

import datetime as dt

import pytest

from contest.models import AuditEvent
from notifications.models import Notification
from submissions import services
from submissions.enums import InvitationStatus, MemberRole
from submissions.errors import (
    AlreadyInTeamError,
    CannotRemoveCaptainError,
    CaptainOnlyError,
    ContestNotOpenError,
    InvalidCoUnitError,
    InvitationExpiredError,
    InvitationNotYoursError,
    InvitationRevokedError,
    InvitationUsedError,
    TeamFullError,
    TeamNameTakenError,
    TooManyCoUnitsError,
)
from submissions.models import Team, TeamMembership
from tests.factories.contest import ContestFactory, OrganizationFactory, UserFactory

from .conftest import BEFORE

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


def test_team_create_makes_creator_captain_with_own_organization(contest):
    org, lead = OrganizationFactory(), OrganizationFactory()
    user = UserFactory(organization=org)
    co = [OrganizationFactory(), OrganizationFactory()]
    team = services.team_create(actor=user, contest=contest, name="数智先锋队", lead_unit=lead, co_units=co)
    assert team.captain == user
    assert list(team.memberships.values_list("user_id", "role", "organization_id")) == [
        (user.pk, MemberRole.CAPTAIN, org.pk)
    ]
    assert set(team.co_units.all()) == set(co)
    assert AuditEvent.objects.filter(action="team.create", object_id=str(team.pk)).exists()


def test_team_create_refuses_second_team_in_same_contest(contest, team, captain):
    with pytest.raises(AlreadyInTeamError):
        services.team_create(actor=captain, contest=contest, name="另一队", lead_unit=OrganizationFactory())
    assert Team.objects.filter(contest=contest).count() == 1


def test_team_create_allows_team_in_another_contest(team, captain):
    other = ContestFactory()
    assert services.team_create(actor=captain, contest=other, name="另一队", lead_unit=OrganizationFactory())


def test_team_create_refuses_duplicate_name(contest, team):
    with pytest.raises(TeamNameTakenError):
        services.team_create(actor=UserFactory(), contest=contest, name=team.name, lead_unit=OrganizationFactory())


def test_team_create_refuses_unpublished_contest():
    contest = ContestFactory(status="draft")
    with pytest.raises(ContestNotOpenError):
        services.team_create(actor=UserFactory(), contest=contest, name="x", lead_unit=OrganizationFactory())


def test_co_unit_cap(contest):
    # contest.max_co_units == 2
    three = [OrganizationFactory() for _ in range(3)]
    with pytest.raises(TooManyCoUnitsError) as exc:
        services.team_create(
            actor=UserFactory(), contest=contest, name="x", lead_unit=OrganizationFactory(), co_units=three
        )
    assert exc.value.extra == {"limit": 2, "given": 3}
    assert not Team.objects.filter(contest=contest).exists()


def test_co_unit_cap_on_update(team, captain):
    services.team_update(actor=captain, team=team, co_units=[OrganizationFactory(), OrganizationFactory()])
    with pytest.raises(TooManyCoUnitsError):
        services.team_update(actor=captain, team=team, co_units=[OrganizationFactory() for _ in range(3)])
    assert team.co_units.count() == 2


def test_lead_unit_cannot_be_co_unit(contest):
    lead = OrganizationFactory()
    with pytest.raises(InvalidCoUnitError):
        services.team_create(actor=UserFactory(), contest=contest, name="x", lead_unit=lead, co_units=[lead])


def test_team_update_captain_only(team, member):
    with pytest.raises(CaptainOnlyError):
        services.team_update(actor=member, team=team, name="新名字")


# --- invitations -----------------------------------------------------------------------------


def test_invitation_accept_adds_member(clock, team, captain):
    invitee = UserFactory(email="li@example.com", organization=OrganizationFactory())
    invitation = services.invitation_create(actor=captain, team=team, email="Li@Example.com")
    assert len(invitation.token) >= 40
    assert invitation.expires_at == BEFORE + dt.timedelta(days=7)
    membership = services.invitation_accept(actor=invitee, token=invitation.token)
    assert (membership.team, membership.role, membership.organization) == (
        team,
        MemberRole.MEMBER,
        invitee.organization,
    )
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED
    assert Notification.objects.filter(kind="member_joined", recipient=captain).exists()


def test_invitation_notifies_address_without_account(team, captain):
    services.invitation_create(actor=captain, team=team, email="nobody@example.com")
    notices = Notification.objects.filter(kind="team_invitation")
    assert [(n.recipient, n.email, n.channel) for n in notices] == [(None, "nobody@example.com", "email")]


def test_invitation_expired(clock, team, captain):
    invitee = UserFactory(email="late@example.com")
    invitation = services.invitation_create(actor=captain, team=team, email=invitee.email)
    clock(BEFORE + dt.timedelta(days=7, seconds=1))
    with pytest.raises(InvitationExpiredError):
        services.invitation_accept(actor=invitee, token=invitation.token)
    assert not TeamMembership.objects.filter(user=invitee).exists()


def test_invitation_reused(team, captain):
    invitee = UserFactory()
    invitation = services.invitation_create(actor=captain, team=team, email=invitee.email)
    services.invitation_accept(actor=invitee, token=invitation.token)
    with pytest.raises(InvitationUsedError):
        services.invitation_accept(actor=invitee, token=invitation.token)
    with pytest.raises(InvitationUsedError):
        services.invitation_accept(
            actor=UserFactory(email=invitee.email.upper(), verified_email=""), token=invitation.token
        )


def test_invitation_foreign(team, captain):
    invitation = services.invitation_create(actor=captain, team=team, email="wang@example.com")
    stranger = UserFactory(email="zhao@example.com")
    with pytest.raises(InvitationNotYoursError):
        services.invitation_accept(actor=stranger, token=invitation.token)
    assert not TeamMembership.objects.filter(user=stranger).exists()


def test_invitation_revoked(team, captain):
    invitee = UserFactory()
    invitation = services.invitation_create(actor=captain, team=team, email=invitee.email)
    services.invitation_revoke(actor=captain, invitation=invitation)
    with pytest.raises(InvitationRevokedError):
        services.invitation_accept(actor=invitee, token=invitation.token)


def test_invitation_create_captain_only(team, member):
    with pytest.raises(CaptainOnlyError):
        services.invitation_create(actor=member, team=team, email="x@example.com")


def test_invitation_accept_refused_when_in_another_team(team, captain, team_b):
    invitation = services.invitation_create(actor=captain, team=team, email=team_b.captain.email)
    with pytest.raises(AlreadyInTeamError):
        services.invitation_accept(actor=team_b.captain, token=invitation.token)


def test_team_size_cap(team, captain, member):
    # max_team_size == 3: captain + member + one more.
    third, fourth = UserFactory(), UserFactory()
    first_invite = services.invitation_create(actor=captain, team=team, email=third.email)
    second_invite = services.invitation_create(actor=captain, team=team, email=fourth.email)
    services.invitation_accept(actor=third, token=first_invite.token)
    with pytest.raises(TeamFullError) as exc:
        services.invitation_accept(actor=fourth, token=second_invite.token)
    assert exc.value.extra == {"limit": 3}
    assert team.memberships.count() == 3
    with pytest.raises(TeamFullError):
        services.invitation_create(actor=captain, team=team, email="fifth@example.com")


# --- removal and captaincy -------------------------------------------------------------------


def test_member_remove_by_captain_notifies(team, captain, member):
    services.member_remove(actor=captain, team=team, user=member)
    assert not team.memberships.filter(user=member).exists()
    assert Notification.objects.filter(kind="member_removed", recipient=member).exists()
    assert AuditEvent.objects.filter(action="team.member_remove").exists()


def test_member_cannot_remove_others_but_may_leave(team, captain, member):
    other = UserFactory()
    TeamMembership.objects.create(team=team, contest=team.contest, user=other)
    with pytest.raises(CaptainOnlyError):
        services.member_remove(actor=member, team=team, user=other)
    services.member_remove(actor=member, team=team, user=member)
    assert not team.memberships.filter(user=member).exists()


def test_captain_cannot_be_removed(team, captain):
    with pytest.raises(CannotRemoveCaptainError):
        services.member_remove(actor=captain, team=team, user=captain)


def test_captain_transfer(team, captain, member):
    services.captain_transfer(actor=captain, team=team, new_captain=member)
    team.refresh_from_db()
    assert team.captain == member
    roles = dict(team.memberships.values_list("user_id", "role"))
    assert roles == {captain.pk: MemberRole.MEMBER, member.pk: MemberRole.CAPTAIN}
    with pytest.raises(CaptainOnlyError):
        services.captain_transfer(actor=captain, team=team, new_captain=captain)
