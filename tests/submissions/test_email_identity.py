"""E-mail identity: an address counts only once its owner opened the signed link mailed to it.

Through the pages (sign-up, confirmation link, profile, team page) and the API (invitations):
a stranger who registers the address an invitation went to cannot join the team; the team page
lists only invitations to the user's proven address and never prints a token; a new address
counts only after its own link; notices and judge look-ups ignore unproven addresses.
"""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from contest.models import User
from notifications.models import Channel, Notification
from submissions.models import Invitation, TeamMembership
from tests.factories.contest import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

PASSWORD = "a-Strong-pass-2021"
LINK = re.compile(r"https?://[^/\s]+(/accounts/verify/[^\s]+)")


def sign_up(client, *, username, email, **extra):
    data = {
        "username": username,
        "email": email,
        "full_name": "陌生人",
        "preferred_language": "zh-hans",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **extra,
    }
    return client.post(reverse("signup"), data)


def signed_in(username) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def link_in(message) -> str:
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def invite(captain, email) -> Invitation:
    api = APIClient()
    api.force_authenticate(captain)
    response = api.post(
        reverse("submissions-api:team-invitations", kwargs={"pk": captain.memberships.get().team_id}), {"email": email}
    )
    assert response.status_code == 201, response.content
    return Invitation.objects.get(pk=response.json()["id"])


def accept_by_api(username, token):
    api = APIClient()
    api.force_authenticate(User.objects.get(username=username))
    return api.post(reverse("submissions-api:invitation-accept"), {"token": token}, format="json")


def test_a_stranger_who_registers_the_invited_address_cannot_join(clock, team, captain):
    invitation = invite(captain, "lisi@example.com")
    mail.outbox.clear()
    sign_up(Client(), username="stranger", email="lisi@example.com")
    signed_in("stranger")  # the account exists and may sign in; its address counts for nothing

    response = accept_by_api("stranger", invitation.token)

    assert (response.status_code, response.json()["code"]) == (403, "email_not_verified")
    assert not TeamMembership.objects.filter(team=team, user__username="stranger").exists()
    invitation.refresh_from_db()
    assert invitation.status == "pending"
    # Nor was the invitation's in-app notice (which carries the token) given to that account.
    assert not Notification.objects.filter(kind="team_invitation", recipient__username="stranger").exists()


def test_the_owner_who_opens_the_link_joins(clock, team, captain):
    invitation = invite(captain, "lisi@example.com")
    mail.outbox.clear()
    browser = Client()
    assert sign_up(browser, username="lisi", email="LiSi@Example.com")["Location"] == reverse("signup_done")
    (message,) = mail.outbox
    assert message.to == ["LiSi@Example.com"]
    link = link_in(message)

    page = browser.get(link)  # names the address and the account, changes nothing
    assert page.status_code == 200 and "LiSi@Example.com" in page.content.decode() and "lisi" in page.content.decode()
    assert not User.objects.get(username="lisi").has_verified_email
    response = browser.post(link)

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    user = User.objects.get(username="lisi")
    assert user.has_verified_email and user.verified_email == "LiSi@Example.com"
    response = accept_by_api("lisi", invitation.token)  # the address matches in any case
    assert response.status_code == 201, response.content
    assert TeamMembership.objects.filter(team=team, user=user).exists()


def test_a_tampered_or_expired_link_proves_nothing(settings, time_machine):
    browser = Client()
    sign_up(browser, username="lisi", email="lisi@example.com")
    link = link_in(mail.outbox[-1])
    tampered = link.replace("/verify/", "/verify/x")
    assert browser.post(tampered).status_code == 400
    time_machine.move_to("2099-01-01", tick=False)
    response = browser.post(link)
    assert response.status_code == 400 and "该确认链接无效、已过期或已使用" in response.content.decode()
    assert not User.objects.get(username="lisi").has_verified_email


def test_the_first_account_to_prove_an_address_owns_it():
    sign_up(Client(), username="first", email="same@example.com")
    first_link = link_in(mail.outbox[-1])
    sign_up(Client(), username="second", email="same@example.com")  # nobody proved it yet: allowed
    second_link = link_in(mail.outbox[-1])

    assert Client().post(second_link).status_code == 302
    assert Client().post(first_link).status_code == 409
    assert User.objects.get(username="second").has_verified_email
    assert not User.objects.get(username="first").has_verified_email


def test_team_page_lists_only_invitations_to_the_proven_address_and_no_token(clock, team, captain):
    user = UserFactory(email="wang@example.com")
    unproven = UserFactory(email="zhao@example.com", verified_email="")
    mine = invite(captain, "WANG@example.com")
    theirs = invite(captain, "zhao@example.com")
    client = Client()
    client.force_login(user)

    body = client.get(reverse("team_home")).content.decode()

    assert team.name in body and reverse("invitation_for_me", args=[mine.pk]) in body
    assert mine.token not in body and theirs.token not in body
    page = client.get(reverse("invitation_for_me", args=[mine.pk]))
    assert page.status_code == 200 and mine.token not in page.content.decode()
    assert client.get(reverse("invitation_for_me", args=[theirs.pk])).status_code == 404
    response = client.post(reverse("invitation_for_me", args=[mine.pk]))
    assert response.status_code == 302 and TeamMembership.objects.filter(team=team, user=user).exists()

    client.force_login(unproven)
    body = client.get(reverse("team_home")).content.decode()
    assert reverse("invitation_for_me", args=[theirs.pk]) not in body and theirs.token not in body
    assert client.get(reverse("invitation_for_me", args=[theirs.pk])).status_code == 404


def test_a_new_address_counts_only_after_its_own_link(clock, team, captain):
    user = UserFactory(username="wang", email="old@example.com")
    user.set_password(PASSWORD)
    user.save()
    client = signed_in("wang")
    profile = {"full_name": "王五", "email": "new@example.com", "phone": "", "preferred_language": "zh-hans"}

    assert client.post(reverse("profile"), profile).status_code == 302

    user.refresh_from_db()
    assert (user.email, user.has_verified_email) == ("old@example.com", True)  # the proven one stays
    (message,) = mail.outbox
    assert message.to == ["new@example.com"]
    invitation = invite(captain, "new@example.com")
    assert accept_by_api("wang", invitation.token).json()["code"] == "invitation_not_yours"

    link = link_in(message)
    assert client.post(link)["Location"] == reverse("profile")
    user.refresh_from_db()
    assert (user.email, user.verified_email) == ("new@example.com", "new@example.com")
    assert client.post(link).status_code == 400  # spent: the address moved on
    assert accept_by_api("wang", invitation.token).status_code == 201


def test_any_other_change_of_address_drops_the_proof():
    user = UserFactory(email="a@example.com")
    user.email = "b@example.com"
    user.save(update_fields=["email"])
    user.refresh_from_db()
    assert user.verified_email == "" and not user.has_verified_email
    assert not User.objects.with_verified_email("a@example.com").exists()


CONTEXT = {"contest_name": "大赛", "team_name": "队", "member_name": "李四"}


def test_unproven_addresses_are_mailed_only_what_was_addressed_to_them(clock, team, captain):
    from notifications.services import notify

    proven, unproven = UserFactory(), UserFactory(verified_email="")
    for user in (proven, unproven):
        notify(kind="member_joined", recipient=user, dedup_key=f"t:{user.pk}", context=CONTEXT)
    emailed = set(Notification.objects.filter(channel=Channel.EMAIL).values_list("recipient_id", flat=True))
    in_app = set(Notification.objects.filter(channel=Channel.IN_APP).values_list("recipient_id", flat=True))
    assert emailed == {proven.pk} and in_app == {proven.pk, unproven.pk}


def test_a_judge_is_found_by_a_proven_address_only(contest, round1):
    from judging.staff.forms import PoolAddForm

    UserFactory(email="judge@univ.example.com", verified_email="")
    form = PoolAddForm({"pool_add-account": "judge@univ.example.com"}, round_=round1)
    assert not form.is_valid() and "account" in form.errors
    owner = UserFactory(email="owner@univ.example.com")
    form = PoolAddForm({"pool_add-account": "OWNER@univ.example.com"}, round_=round1)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["judge"] == owner
