import datetime as dt

import pytest
import time_machine
from django.core.files.storage import default_storage

from judging.results.enums import AwardLevel
from judging.results.errors import AwardRangesInvalidError, FinalRoundNotReadyError, ObjectionsOpenError
from judging.results.models import Award
from judging.results.services.awards import awards_confirm, certificate_file, certificate_pdf
from judging.results.services.objections import objection_create, objection_decide
from notifications.models import Notification
from submissions.enums import SolutionStatus
from tests.factories.contest import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

RANGES = [
    {"level": "first", "from": 1, "to": 1},
    {"level": "second", "from": 2, "to": 3},
    {"level": "third", "from": 4, "to": 5},
]


def test_awards_need_publicity_over(final):
    with pytest.raises(FinalRoundNotReadyError):
        awards_confirm(contest=final.contest, actor=final.org_user, ranges=RANGES)


def test_awards_by_rank_ranges_merit_and_matched(final):
    with time_machine.travel(final.after):
        awards = awards_confirm(contest=final.contest, actor=final.org_user, ranges=RANGES, merit_round=final.round)

    got = {a.solution_id: (a.level, a.final_rank, a.matched) for a in awards}
    s = final.semi
    assert got == {
        s[0].pk: (AwardLevel.FIRST, 1, True),
        s[1].pk: (AwardLevel.SECOND, 2, True),  # best of its own scenario → matched as well
        s[2].pk: (AwardLevel.SECOND, 3, False),
        s[3].pk: (AwardLevel.THIRD, 4, False),
        s[4].pk: (AwardLevel.THIRD, 5, False),
        s[5].pk: (AwardLevel.MERIT, None, False),
        s[6].pk: (AwardLevel.MERIT, None, False),
    }
    s[0].refresh_from_db()
    assert s[0].status == SolutionStatus.AWARDED
    assert Notification.objects.filter(kind="award_confirmed", recipient=s[0].team.captain).exists()


def test_disqualification_shifts_range_members_without_backfill(final):
    objector = UserFactory()
    objection = objection_create(
        user=objector,
        publication=final.pub,
        solution_id=final.semi[0].pk,
        objector_kind="individual",
        reason="抄袭",
        real_name="赵六",
        organization_name="某大学",
        phone="13800000000",
    )
    with time_machine.travel(final.after), pytest.raises(ObjectionsOpenError):
        awards_confirm(contest=final.contest, actor=final.org_user, ranges=RANGES)
    objection_decide(objection=objection, actor=final.org_user, uphold=True, response="属实")
    new_end = final.pub.publicity_ends_at + dt.timedelta(days=final.round.publicity_days + 1)

    with time_machine.travel(new_end):
        awards = awards_confirm(contest=final.contest, actor=final.org_user, ranges=RANGES)

    got = {a.solution_id: (a.level, a.final_rank) for a in awards}
    s = final.semi
    assert got == {
        s[1].pk: (AwardLevel.FIRST, 1),
        s[2].pk: (AwardLevel.SECOND, 2),
        s[3].pk: (AwardLevel.SECOND, 3),
        s[4].pk: (AwardLevel.THIRD, 4),
    }  # rank 5 stays empty: nobody from outside the finalists is pulled in


def test_confirming_twice_is_refused_and_keeps_the_awards(final):
    from judging.errors import AwardsConfirmedError

    with time_machine.travel(final.after):
        first = {
            a.solution_id: (a.level, a.verification_code)
            for a in awards_confirm(contest=final.contest, actor=final.org_user, ranges=RANGES)
        }
        with pytest.raises(AwardsConfirmedError):
            awards_confirm(contest=final.contest, actor=final.org_user, ranges=[{"level": "first", "from": 1, "to": 5}])
    assert {a.solution_id: (a.level, a.verification_code) for a in Award.objects.filter(contest=final.contest)} == first


@pytest.mark.parametrize(
    "ranges",
    [
        [{"level": "first", "from": 0, "to": 1}],
        [{"level": "first", "from": 1, "to": 3}, {"level": "second", "from": 3, "to": 4}],
        [{"level": "nope", "from": 1, "to": 1}],
        [{"level": "first", "from": 2, "to": 1}],
        [],
    ],
)
def test_invalid_ranges(final, ranges):
    with time_machine.travel(final.after), pytest.raises(AwardRangesInvalidError):
        awards_confirm(contest=final.contest, actor=final.org_user, ranges=ranges)


def test_certificate_pdf_and_public_verification(final, api_client):
    with time_machine.travel(final.after):
        awards = awards_confirm(contest=final.contest, actor=final.org_user, ranges=RANGES)
    award = awards[0]

    pdf = certificate_pdf(award=award)
    assert pdf.startswith(b"%PDF") and b"STSong-Light" in pdf

    response = api_client.get(f"/api/v1/certificates/{award.verification_code}/")
    assert response.status_code == 200
    body = response.json()
    assert (body["team"], body["level"], body["final_rank"], body["matched"]) == (
        final.semi[0].team.name,
        "first",
        1,
        True,
    )
    assert api_client.get("/api/v1/certificates/NOSUCHCODE/").status_code == 404


def test_certificate_download_permissions(final, api_client):
    with time_machine.travel(final.after):
        award = awards_confirm(contest=final.contest, actor=final.org_user, ranges=RANGES)[0]
    url = f"/api/v1/awards/{award.pk}/certificate.pdf"

    assert api_client.get(url).status_code in (401, 403)
    api_client.force_authenticate(UserFactory())
    assert api_client.get(url).status_code == 404
    api_client.force_authenticate(final.semi[0].team.captain)
    response = api_client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_certificate_is_stored_once_and_served_as_issued(final, api_client):
    """The first download stores the certificate, rendered from the names recorded at
    confirmation; renaming the team later changes neither the stored file nor a new rendering."""
    with time_machine.travel(final.after):
        award = awards_confirm(contest=final.contest, actor=final.org_user, ranges=RANGES)[0]
    url = f"/api/v1/awards/{award.pk}/certificate.pdf"
    api_client.force_authenticate(final.semi[0].team.captain)

    def download() -> bytes:
        response = api_client.get(url)
        assert response.status_code == 200
        return b"".join(response.streaming_content)

    first = download()
    name = certificate_file(award=award)
    with default_storage.open(name) as stored:
        assert stored.read() == first
    team = final.semi[0].team
    team.name = "改名后的队伍"
    team.save()
    award.refresh_from_db()
    assert certificate_pdf(award=award) == first  # the recorded team name, not the new one
    assert download() == first
    assert default_storage.listdir(f"certificates/{award.pk}")[1] == [name.rsplit("/", 1)[1]]


def test_awards_api_confirm_and_public_list(final, api_client):
    api_client.force_authenticate(final.semi[0].team.captain)
    assert api_client.post(f"/api/v1/contests/{final.contest.pk}/awards/confirm/", {}, format="json").status_code == 403
    api_client.force_authenticate(final.org_user)
    with time_machine.travel(final.after):
        response = api_client.post(
            f"/api/v1/contests/{final.contest.pk}/awards/confirm/",
            {"ranges": RANGES, "merit_round_id": final.round.pk},
            format="json",
        )
    assert response.status_code == 200, response.json()
    api_client.force_authenticate(None)
    listing = api_client.get(f"/api/v1/contests/{final.contest.pk}/awards/").json()
    assert [a["level"] for a in listing][:5] == ["first", "second", "second", "third", "third"]
    assert listing[0]["matched"] is True


@pytest.mark.integration
def test_certificate_on_object_storage_is_a_short_lived_redirect(final, api_client, object_storage):
    import httpx

    server, bucket = object_storage
    with time_machine.travel(final.after):
        award = awards_confirm(contest=final.contest, actor=final.org_user, ranges=RANGES)[0]
    api_client.force_authenticate(final.semi[0].team.captain)
    response = api_client.get(f"/api/v1/awards/{award.pk}/certificate.pdf")
    assert response.status_code == 302 and response["Cache-Control"] == "private, no-store"
    fetched = httpx.get(response["Location"])
    assert fetched.status_code == 200 and fetched.content == certificate_pdf(award=award)
    assert fetched.headers["content-type"] == "application/pdf"
    assert server.keys(bucket) == [certificate_file(award=award)]
    api_client.force_authenticate(UserFactory())
    assert api_client.get(f"/api/v1/awards/{award.pk}/certificate.pdf").status_code == 404
