import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from submissions.enums import SolutionStatus
from submissions.models import Invitation, Solution, TeamMembership
from tests.factories.contest import OrganizationFactory, ScenarioFactory, UserFactory
from tests.factories.submissions import SolutionFactory, TeamMembershipFactory

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="方案书.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def test_team_pages_require_login(client, world):
    response = client.get(reverse("team_home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_register_team_makes_the_user_captain(client, world):
    user = UserFactory()
    lead = OrganizationFactory()
    client.force_login(user)
    response = client.post(
        reverse("team_create") + f"?contest={world.contest.slug}",
        {"name": "新队伍", "lead_unit": lead.pk, "organization": lead.pk},
    )
    assert response.status_code == 302
    membership = TeamMembership.objects.get(user=user)
    assert membership.role == "captain" and membership.team.name == "新队伍"


def test_register_team_errors_are_shown_next_to_the_field(client, world):
    client.force_login(UserFactory())
    response = client.post(reverse("team_create") + f"?contest={world.contest.slug}", {"name": ""})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_name_error"' in body and 'id="id_lead_unit_error"' in body


def test_register_team_taken_name_is_a_form_error(client, world):
    client.force_login(UserFactory())
    lead = OrganizationFactory()
    response = client.post(
        reverse("team_create") + f"?contest={world.contest.slug}", {"name": world.team.name, "lead_unit": lead.pk}
    )
    assert response.status_code == 200
    assert response.context["form"].errors


@pytest.mark.parametrize("who, status", [("captain", 200), ("outsider", 404), ("other_team_captain", 404)])
def test_team_detail_visibility(client, world, who, status):
    user = world.other_team.captain if who == "other_team_captain" else getattr(world, who)
    client.force_login(user)
    assert client.get(reverse("team_detail", args=[world.team.pk])).status_code == status


def test_invite_and_accept_by_link(client, world):
    client.force_login(world.captain)
    response = client.post(reverse("team_invite", args=[world.team.pk]), {"email": "newbie@example.com"})
    assert response.status_code == 302
    invitation = Invitation.objects.get(team=world.team)
    invitee = UserFactory(email="newbie@example.com")
    client.force_login(invitee)
    url = reverse("invitation_accept", args=[invitation.token])
    page = client.get(url)
    assert page.status_code == 200 and world.team.name in page.content.decode()
    response = client.post(url)
    assert response.status_code == 302
    assert TeamMembership.objects.filter(team=world.team, user=invitee).exists()


def test_accept_someone_elses_invitation_shows_the_error(client, world):
    client.force_login(world.captain)
    client.post(reverse("team_invite", args=[world.team.pk]), {"email": "a@example.com"})
    invitation = Invitation.objects.get(team=world.team)
    client.force_login(world.outsider)
    response = client.post(reverse("invitation_accept", args=[invitation.token]))
    assert response.status_code == 400
    assert not TeamMembership.objects.filter(team=world.team, user=world.outsider).exists()


def test_unknown_invitation_token_is_404(client, world):
    client.force_login(world.outsider)
    assert client.get(reverse("invitation_accept", args=["nope"])).status_code == 404


def test_member_cannot_invite(client, world):
    member = TeamMembershipFactory(team=world.team).user
    client.force_login(member)
    response = client.post(reverse("team_invite", args=[world.team.pk]), {"email": "x@example.com"})
    assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_captain_removes_member(client, world):
    member = TeamMembershipFactory(team=world.team).user
    client.force_login(world.captain)
    client.post(reverse("member_remove", args=[world.team.pk, member.pk]))
    assert not TeamMembership.objects.filter(team=world.team, user=member).exists()


def test_take_up_upload_submit_and_receipt(client, world):
    client.force_login(world.captain)
    url = reverse("solution_start", args=[world.s_fin.pk])
    response = client.post(url, {"title": "我们的方案", "abstract": "摘要"})
    assert response.status_code == 302
    solution = Solution.objects.get(team=world.team, scenario=world.s_fin)
    response = client.post(
        reverse("solution_upload", args=[solution.pk]), {"title": "第一版", "abstract": "", "proposal": pdf()}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert solution.versions.count() == 1
    response = client.post(reverse("solution_submit", args=[solution.pk]), {"version_number": 1})
    assert response.status_code == 302
    solution.refresh_from_db()
    assert solution.status == SolutionStatus.SUBMITTED
    receipt = solution.receipts.get()
    page = client.get(response["Location"])
    assert receipt.sha256 in page.content.decode()
    detail = client.get(reverse("solution_detail", args=[solution.pk])).content.decode()
    assert solution.final_version.sha256 in detail


def test_upload_as_json_for_the_progress_bar(client, world):
    solution = SolutionFactory(team=world.team, scenario=world.s_fin, status=SolutionStatus.DRAFT, submitted_at=None)
    client.force_login(world.captain)
    url = reverse("solution_upload", args=[solution.pk])
    ok = client.post(url, {"title": "v1", "proposal": pdf()}, headers={"accept": "application/json"})
    assert ok.status_code == 201 and ok.json()["number"] == 1
    bad = client.post(
        url,
        {"title": "v2", "proposal": SimpleUploadedFile("x.pdf", b"\x7fELF....", content_type="application/pdf")},
        headers={"accept": "application/json"},
    )
    assert bad.status_code == 415 and bad.json()["code"] == "file_type_not_allowed"
    assert solution.versions.count() == 1


def test_upload_refused_file_shows_error_on_page(client, world):
    solution = SolutionFactory(team=world.team, scenario=world.s_fin, status=SolutionStatus.DRAFT, submitted_at=None)
    client.force_login(world.captain)
    response = client.post(
        reverse("solution_upload", args=[solution.pk]),
        {"title": "v", "proposal": SimpleUploadedFile("x.pdf", b"MZ\x90\x00", content_type="application/pdf")},
    )
    assert response.status_code == 400
    assert response.context["upload_form"].non_field_errors()


def test_upload_without_file_is_a_form_error(client, world):
    solution = SolutionFactory(team=world.team, scenario=world.s_fin, status=SolutionStatus.DRAFT, submitted_at=None)
    client.force_login(world.captain)
    response = client.post(reverse("solution_upload", args=[solution.pk]), {"title": "v"})
    assert response.status_code == 400


@pytest.mark.parametrize("who, status", [("captain", 200), ("outsider", 404), ("other_team", 404), ("publisher", 404)])
def test_solution_page_visibility(client, world, who, status):
    solution = SolutionFactory(team=world.team, scenario=world.s_fin)
    user = world.other_team.captain if who == "other_team" else getattr(world, who)
    client.force_login(user)
    assert client.get(reverse("solution_detail", args=[solution.pk])).status_code == status


def test_member_cannot_open_withdraw_page(client, world):
    solution = SolutionFactory(team=world.team, scenario=world.s_fin)
    member = TeamMembershipFactory(team=world.team).user
    client.force_login(member)
    assert client.get(reverse("solution_withdraw", args=[solution.pk])).status_code == 403


def test_withdraw_before_deadline(client, world):
    solution = SolutionFactory(team=world.team, scenario=world.s_fin)
    client.force_login(world.captain)
    response = client.post(reverse("solution_withdraw", args=[solution.pk]), {"reason": ""})
    assert response.status_code == 302
    solution.refresh_from_db()
    assert solution.status == SolutionStatus.WITHDRAWN


def test_withdraw_after_deadline_requires_explicit_confirmation(client, world):
    world.round1.submission_deadline = timezone.now() - dt.timedelta(hours=1)
    world.round1.save()
    solution = SolutionFactory(team=world.team, scenario=world.s_fin)
    client.force_login(world.captain)
    url = reverse("solution_withdraw", args=[solution.pk])
    page = client.get(url)
    assert 'name="confirm"' in page.content.decode()
    response = client.post(url, {"reason": "团队变动"})
    assert response.status_code == 400
    solution.refresh_from_db()
    assert solution.status == SolutionStatus.SUBMITTED
    response = client.post(url, {"reason": "团队变动", "confirm": "on"})
    assert response.status_code == 302
    solution.refresh_from_db()
    assert solution.status == SolutionStatus.RETIRED


def test_transfer_a_solution_of_a_withdrawn_scenario(client, world):
    from tests.factories.contest import ScenarioFactory

    target = ScenarioFactory(track=world.fin, publisher=world.bank, title="同赛道新场景")
    other_track = ScenarioFactory(track=world.mfg, publisher=world.electric, title="别的赛道")
    solution = SolutionFactory(team=world.team, scenario=world.s_fin, status=SolutionStatus.PENDING_TRANSFER)
    client.force_login(world.captain)
    page = client.get(reverse("solution_detail", args=[solution.pk])).content.decode()
    assert "同赛道新场景" in page and "别的赛道" not in page
    url = reverse("solution_transfer", args=[solution.pk])
    assert client.post(url, {"scenario": other_track.pk}).status_code == 400
    response = client.post(url, {"scenario": target.pk})
    assert response.status_code == 302
    solution.refresh_from_db()
    # No final version yet, so it goes back to draft (the service keeps versions either way).
    assert solution.scenario == target and solution.status == SolutionStatus.DRAFT


def test_team_page_query_count_does_not_grow_with_members(client, world, django_assert_max_num_queries):
    client.force_login(world.captain)
    url = reverse("team_detail", args=[world.team.pk])
    with django_assert_max_num_queries(40) as ctx:
        client.get(url)
    baseline = len(ctx.captured_queries)
    for _ in range(5):
        TeamMembershipFactory(team=world.team)
        SolutionFactory(team=world.team, scenario=ScenarioFactory(track=world.fin, publisher=world.bank))
    with django_assert_max_num_queries(baseline):
        client.get(url)


def test_captain_edits_the_team_and_members_cannot(client, world):
    co_unit = OrganizationFactory(name="联合单位甲")
    member = TeamMembershipFactory(team=world.team).user
    url = reverse("team_edit", args=[world.team.pk])
    client.force_login(member)
    assert client.get(url).status_code == 403
    client.force_login(world.captain)
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"name": "揭榜一队（更名）", "lead_unit": world.team.lead_unit_id, "co_units": [co_unit.pk]}
    )
    assert response.status_code == 302
    world.team.refresh_from_db()
    assert world.team.name == "揭榜一队（更名）" and list(world.team.co_units.all()) == [co_unit]
    response = client.post(url, {"name": "x", "lead_unit": co_unit.pk, "co_units": [co_unit.pk]})
    assert 'id="id_co_units_error"' in response.content.decode()
