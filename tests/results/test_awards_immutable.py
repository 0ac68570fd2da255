"""Issue 16, item 4: confirmed awards and certificates are never changed in place.

A second confirmation is refused; a correction is a revocation and a re-issue, each with a
reason and audited; the revoked code verifies as revoked with its date; the certificate and the
public list keep the team name recorded at confirmation."""

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from contest.models import AuditEvent
from judging.results.models import Award
from judging.results.services.awards import certificate_pdf

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

RANGES = [
    {"level": "first", "from": 1, "to": 1},
    {"level": "second", "from": 2, "to": 3},
    {"level": "third", "from": 4, "to": 5},
]


def confirm(api_client, final, ranges=RANGES):
    api_client.force_authenticate(final.org_user)
    with time_machine.travel(final.after):
        return api_client.post(
            f"/api/v1/contests/{final.contest.pk}/awards/confirm/", {"ranges": ranges}, format="json"
        )


def downloaded(response) -> bytes:
    """The body of a 200 file answer, read to the end (the test client then closes the file)."""
    assert response.status_code == 200, response
    return b"".join(response.streaming_content)


def verify(api_client, code):
    api_client.force_authenticate(None)
    return api_client.get(f"/api/v1/certificates/{code}/").json()


def test_confirming_again_is_refused_and_the_old_code_keeps_its_prize(final, api_client):
    first = confirm(api_client, final)
    assert first.status_code == 200, first.json()
    by_solution = {a["solution_id"]: a for a in first.json()}
    second_place = by_solution[final.semi[1].pk]
    code = Award.objects.get(pk=second_place["id"]).verification_code

    again = confirm(api_client, final, ranges=[{"level": "first", "from": 1, "to": 3}])

    assert again.status_code == 409 and again.json()["code"] == "awards_confirmed"
    assert Award.objects.filter(contest=final.contest).count() == 5
    body = verify(api_client, code)
    assert (body["level"], body["final_rank"], body["status"]) == ("second", 2, "valid")


def test_awards_page_shows_the_confirmed_awards_not_a_prefilled_range_form(final, api_client, client):
    confirm(api_client, final)
    client.force_login(final.org_user)

    body = client.get(reverse("dashboard_awards", args=[final.contest.slug])).content.decode()

    assert "data-awards-range-form" not in body and 'name="awards-first_from"' not in body
    for award in Award.objects.filter(contest=final.contest):
        assert award.verification_code in body
    # A confirmation posted anyway is refused and changes nothing.
    before = list(Award.objects.filter(contest=final.contest).values_list("pk", "level", "final_rank"))
    data = {"awards-first_from": "1", "awards-first_to": "3"}
    with time_machine.travel(final.after):
        client.post(reverse("dashboard_awards_confirm", args=[final.contest.slug]), data)
    assert list(Award.objects.filter(contest=final.contest).values_list("pk", "level", "final_rank")) == before


def test_revoke_then_reissue_through_the_api(final, api_client):
    confirm(api_client, final)
    award = Award.objects.get(contest=final.contest, solution=final.semi[2])
    old_code = award.verification_code
    api_client.force_authenticate(final.org_user)

    no_reason = api_client.post(f"/api/v1/awards/{award.pk}/revoke/", {"reason": " "}, format="json")
    assert no_reason.status_code == 400 and no_reason.json()["code"] == "reason_required"
    early = api_client.post(f"/api/v1/awards/{award.pk}/reissue/", {"level": "first", "reason": "复核"}, format="json")
    assert early.status_code == 409 and early.json()["code"] == "award_not_revoked"

    revoked = api_client.post(f"/api/v1/awards/{award.pk}/revoke/", {"reason": "复核发现计分错误"}, format="json")
    assert revoked.status_code == 200, revoked.json()
    twice = api_client.post(f"/api/v1/awards/{award.pk}/revoke/", {"reason": "再次"}, format="json")
    assert twice.status_code == 409 and twice.json()["code"] == "award_revoked"

    reissued = api_client.post(
        f"/api/v1/awards/{award.pk}/reissue/",
        {"level": "first", "final_rank": 1, "matched": False, "reason": "复核后并列第一"},
        format="json",
    )
    assert reissued.status_code == 201, reissued.json()
    new = reissued.json()
    assert new["replaces"] == award.pk and new["verification_code"] != old_code and new["status"] == "valid"
    again = api_client.post(f"/api/v1/awards/{award.pk}/reissue/", {"level": "second", "reason": "再发"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "award_reissued"

    old = verify(api_client, old_code)
    award.refresh_from_db()
    assert old["status"] == "revoked" and old["level"] == "second"  # the old code still says what it was
    assert old["revoked_at"] is not None and award.revoke_reason == "复核发现计分错误"
    assert verify(api_client, new["verification_code"])["level"] == "first"
    listing = api_client.get(f"/api/v1/contests/{final.contest.pk}/awards/").json()
    mine = {a["id"]: (a["status"], a["level"]) for a in listing if a["solution_id"] == final.semi[2].pk}
    assert mine == {award.pk: ("revoked", "second"), new["id"]: ("valid", "first")}  # the old one stays listed
    actions = set(AuditEvent.objects.filter(action__startswith="award.").values_list("action", flat=True))
    assert actions == {"award.revoke", "award.reissue"}
    # The revoked certificate is not handed out again.
    api_client.force_authenticate(final.semi[2].team.captain)
    pdf = api_client.get(f"/api/v1/awards/{award.pk}/certificate.pdf")
    assert pdf.status_code == 409 and pdf.json()["code"] == "award_revoked"
    assert downloaded(api_client.get(f"/api/v1/awards/{new['id']}/certificate.pdf"))


def test_revoke_and_reissue_on_the_awards_page(final, api_client, client):
    confirm(api_client, final)
    award = Award.objects.get(contest=final.contest, solution=final.semi[0])
    url = reverse("dashboard_awards", args=[final.contest.slug])
    client.force_login(final.org_user)

    revoke = reverse("dashboard_award_revoke", args=[final.contest.slug, award.pk])
    missing = client.post(revoke, {f"revoke-{award.pk}-reason": ""})
    assert missing.status_code == 200 and Award.objects.get(pk=award.pk).revoked_at is None
    client.post(revoke, {f"revoke-{award.pk}-reason": "材料造假"})
    award.refresh_from_db()
    assert award.revoked_at is not None and award.revoke_reason == "材料造假"
    body = client.get(url).content.decode()
    assert "data-revoked" in body and f'name="reissue-{award.pk}-level"' in body

    prefix = f"reissue-{award.pk}"
    reissue = reverse("dashboard_award_reissue", args=[final.contest.slug, award.pk])
    client.post(reissue, {f"{prefix}-level": "third", f"{prefix}-reason": "降级处理"})
    new = Award.objects.get(replaces=award)
    assert (new.level, new.reissue_reason, new.revoked_at) == ("third", "降级处理", None)


def test_revoked_code_verifies_as_revoked_with_its_date(final, api_client, client):
    from judging.results.services.awards import award_revoke

    confirm(api_client, final)
    award = Award.objects.get(contest=final.contest, solution=final.semi[0])
    award_revoke(award=award, actor=final.org_user, reason="撤销")
    award.refresh_from_db()

    body = client.get(reverse("certificate_verify"), {"code": award.verification_code}).content.decode()

    assert 'data-verified="revoked"' in body and 'data-verified="true"' not in body
    assert timezone.localtime(award.revoked_at).strftime("%Y-%m-%d") in body
    # The public list keeps it, marked as revoked.
    listing = client.get(reverse("award_list", args=[final.contest.slug])).content.decode()
    assert listing.count("data-revoked") == 1


def test_certificate_and_public_list_keep_the_team_name_of_confirmation(final, api_client, client):
    confirm(api_client, final)
    award = Award.objects.get(contest=final.contest, solution=final.semi[0])
    team = final.semi[0].team
    recorded = team.name
    pdf_before = certificate_pdf(award=award)
    team.name = "改名后的团队"
    team.save()

    award = Award.objects.get(pk=award.pk)
    assert certificate_pdf(award=award) == pdf_before
    assert verify(api_client, award.verification_code)["team"] == recorded
    listing = api_client.get(f"/api/v1/contests/{final.contest.pk}/awards/").json()
    assert {a["team"] for a in listing if a["solution_id"] == final.semi[0].pk} == {recorded}
    page = client.get(reverse("award_list", args=[final.contest.slug])).content.decode()
    assert recorded in page and "改名后的团队" not in page


def test_a_certificate_stored_before_the_revocation_is_not_handed_out_after_it(final, api_client):
    confirm(api_client, final)
    award = Award.objects.get(solution=final.semi[2])
    api_client.force_authenticate(final.semi[2].team.captain)
    assert downloaded(api_client.get(f"/api/v1/awards/{award.pk}/certificate.pdf"))  # stored now

    api_client.force_authenticate(final.org_user)
    revoked = api_client.post(f"/api/v1/awards/{award.pk}/revoke/", {"reason": "复核发现计分错误"}, format="json")
    assert revoked.status_code == 200, revoked.content

    api_client.force_authenticate(final.semi[2].team.captain)
    pdf = api_client.get(f"/api/v1/awards/{award.pk}/certificate.pdf")
    assert pdf.status_code == 409 and pdf.json()["code"] == "award_revoked"
