"""API: one happy path per endpoint, idempotent retries, size/type refusals over HTTP, downloads."""

import datetime as dt

import pytest

from submissions.enums import SolutionStatus
from submissions.models import IdempotencyRecord, Invitation, Solution, SolutionVersion, SubmissionReceipt
from tests.factories.contest import OrganizationFactory, UserFactory

from .conftest import AFTER, DEADLINE, ELF, PNG, media_snapshot, pdf, release, upload, url

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


def multipart(**files):
    data = {"title": "智能风控方案", "abstract": "摘要"}
    data.update(files)
    return data


def full_multipart():
    return multipart(proposal=upload("方案书.pdf", pdf()), commitment=upload("承诺书.png", PNG))


# --- teams -----------------------------------------------------------------------------------


def test_team_endpoints_happy_path(clock, as_user, contest):
    user = UserFactory(organization=OrganizationFactory())
    lead, co = OrganizationFactory(), OrganizationFactory()
    client = as_user(user)
    response = client.post(
        url("team-list"), {"contest": contest.pk, "name": "数智队", "lead_unit": lead.pk, "co_units": [co.pk]}
    )
    assert response.status_code == 201, response.json()
    team_id = response.json()["id"]
    assert response.json()["captain"]["id"] == user.pk
    assert [t["id"] for t in client.get(url("team-list")).json()["results"]] == [team_id]
    assert client.patch(url("team-detail", pk=team_id), {"name": "数智先锋队"}).json()["name"] == "数智先锋队"

    invitee = UserFactory(email="new@example.com")
    response = client.post(url("team-invitations", pk=team_id), {"email": "new@example.com"})
    assert response.status_code == 201 and "token" not in response.json()
    assert len(client.get(url("team-invitations", pk=team_id)).json()["results"]) == 1
    token = Invitation.objects.get().token

    invitee_client = as_user(invitee)
    assert invitee_client.post(url("invitation-accept"), {"token": token}).status_code == 201
    again = invitee_client.post(url("invitation-accept"), {"token": token})
    assert (again.status_code, again.json()["code"]) == (409, "invitation_used")
    members = as_user(user).get(url("team-members", pk=team_id)).json()["results"]
    assert [m["role"] for m in members] == ["captain", "member"]

    assert as_user(user).post(url("team-captain", pk=team_id), {"user": invitee.pk}).status_code == 200
    assert as_user(invitee).delete(url("team-member-remove", pk=team_id, user_id=user.pk)).status_code == 204

    second = as_user(invitee).post(url("team-invitations", pk=team_id), {"email": "x@example.com"}).json()
    revoked = as_user(invitee).post(url("team-invitation-revoke", pk=team_id, invitation_id=second["id"]))
    assert revoked.json()["status"] == "revoked"


@pytest.mark.parametrize(
    ("case", "status", "code"),
    [
        ("expired", 410, "invitation_expired"),
        ("foreign", 403, "invitation_not_yours"),
        ("unknown", 404, "invitation_not_found"),
    ],
)
def test_invitation_accept_errors(clock, as_user, team, captain, case, status, code):
    invitee = UserFactory()
    invitation = Invitation.objects.get(
        pk=as_user(captain).post(url("team-invitations", pk=team.pk), {"email": invitee.email}).json()["id"]
    )
    token = invitation.token
    if case == "expired":
        clock(invitation.expires_at + dt.timedelta(seconds=1))  # its last second is still valid
    elif case == "foreign":
        invitee = UserFactory()
    else:
        token = "nope"
    response = as_user(invitee).post(url("invitation-accept"), {"token": token})
    assert (response.status_code, response.json()["code"]) == (status, code)


def test_team_create_second_team_conflict(as_user, contest, team, captain):
    response = as_user(captain).post(
        url("team-list"), {"contest": contest.pk, "name": "第二队", "lead_unit": OrganizationFactory().pk}
    )
    assert (response.status_code, response.json()["code"]) == (409, "already_in_team")


# --- solutions -------------------------------------------------------------------------------


def test_solution_flow_over_api(clock, as_user, round1, scenario, team, captain, member):
    client = as_user(captain)
    response = client.post(url("solution-list"), {"scenario": scenario.pk, "title": "智能风控方案", "abstract": "摘要"})
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    response = as_user(member).post(url("solution-versions", pk=pk), full_multipart(), format="multipart")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"] == 1
    assert {f["kind"] for f in body["files"]} == {"proposal", "commitment"}
    response = as_user(captain).post(url("solution-submit", pk=pk), {"version": 1})
    assert response.status_code == 201, response.json()
    receipt = response.json()
    assert receipt["sha256"] == SolutionVersion.objects.get(solution_id=pk).sha256
    assert as_user(member).get(url("solution-receipts", pk=pk)).json()["results"] == [receipt]
    assert as_user(member).get(url("solution-detail", pk=pk)).json()["status"] == "submitted"
    assert len(as_user(member).get(url("solution-versions", pk=pk)).json()["results"]) == 1


def test_solution_create_without_team(clock, as_user, round1, scenario):
    response = as_user(UserFactory()).post(url("solution-list"), {"scenario": scenario.pk, "title": "x"})
    assert (response.status_code, response.json()["code"]) == (403, "not_team_member")


def test_submit_idempotent_retry_replays_first_response(clock, as_user, solution, captain, member):
    as_user(member).post(url("solution-versions", pk=solution.pk), full_multipart(), format="multipart")
    client = as_user(captain)
    first = client.post(url("solution-submit", pk=solution.pk), {"version": 1}, HTTP_IDEMPOTENCY_KEY="submit-1")
    clock(DEADLINE - dt.timedelta(seconds=10))
    retry = client.post(url("solution-submit", pk=solution.pk), {"version": 1}, HTTP_IDEMPOTENCY_KEY="submit-1")
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert SubmissionReceipt.objects.count() == 1
    # The same key on another endpoint is a client bug, not a replay.
    other = client.post(url("solution-withdraw", pk=solution.pk), {}, HTTP_IDEMPOTENCY_KEY="submit-1")
    assert other.status_code == 200  # withdraw takes no key: nothing replayed
    misuse = client.post(
        url("solution-versions", pk=solution.pk), full_multipart(), format="multipart", HTTP_IDEMPOTENCY_KEY="submit-1"
    )
    assert (misuse.status_code, misuse.json()["code"]) == (422, "idempotency_key_reused")


def test_upload_idempotent_retry_creates_one_version(clock, as_user, solution, member, tmp_path):
    client = as_user(member)
    first = client.post(
        url("solution-versions", pk=solution.pk), full_multipart(), format="multipart", HTTP_IDEMPOTENCY_KEY="up-1"
    )
    snapshot = media_snapshot(tmp_path)
    retry = client.post(
        url("solution-versions", pk=solution.pk), full_multipart(), format="multipart", HTTP_IDEMPOTENCY_KEY="up-1"
    )
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert SolutionVersion.objects.filter(solution=solution).count() == 1
    assert media_snapshot(tmp_path) == snapshot
    assert IdempotencyRecord.objects.get().status_code == 201


def test_idempotency_key_bound_to_request_body(clock, as_user, solution, captain, member):
    client = as_user(member)
    client.post(url("solution-versions", pk=solution.pk), full_multipart(), format="multipart")
    client.post(url("solution-versions", pk=solution.pk), full_multipart(), format="multipart")
    client = as_user(captain)
    first = client.post(url("solution-submit", pk=solution.pk), {"version": 1}, HTTP_IDEMPOTENCY_KEY="k")
    other = client.post(url("solution-submit", pk=solution.pk), {"version": 2}, HTTP_IDEMPOTENCY_KEY="k")
    assert first.status_code == 201
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    assert SubmissionReceipt.objects.count() == 1


def test_the_stored_answer_commits_with_the_work_or_neither_does(clock, as_user, solution, captain, monkeypatch):
    """Storing the answer fails after the submission succeeded: the submission is rolled back with
    it, so a retry under the same key does the work once, instead of finding it done but the key
    still in progress (and doing it again once the record is stale)."""
    as_user(captain).post(url("solution-versions", pk=solution.pk), full_multipart(), format="multipart")
    save = IdempotencyRecord.save

    def broken(self, *args, **kwargs):
        if kwargs.get("update_fields"):  # storing the answer, not claiming the key
            raise RuntimeError("the database went away")
        return save(self, *args, **kwargs)

    monkeypatch.setattr(IdempotencyRecord, "save", broken)
    with pytest.raises(RuntimeError):
        as_user(captain).post(url("solution-submit", pk=solution.pk), {"version": 1}, HTTP_IDEMPOTENCY_KEY="k")
    assert not SubmissionReceipt.objects.exists()
    assert not IdempotencyRecord.objects.exists()

    monkeypatch.undo()
    retry = as_user(captain).post(url("solution-submit", pk=solution.pk), {"version": 1}, HTTP_IDEMPOTENCY_KEY="k")
    assert retry.status_code == 201
    assert SubmissionReceipt.objects.count() == 1


def test_failed_request_frees_its_idempotency_key(clock, as_user, solution, captain):
    client = as_user(captain)
    failed = client.post(url("solution-submit", pk=solution.pk), {"version": 1}, HTTP_IDEMPOTENCY_KEY="k")
    assert failed.json()["code"] == "version_not_found"
    assert not IdempotencyRecord.objects.exists()


def test_deadline_over_api_ignores_client_claims(clock, as_user, solution, captain, member):
    as_user(member).post(url("solution-versions", pk=solution.pk), full_multipart(), format="multipart")
    clock(DEADLINE + dt.timedelta(seconds=1))
    response = as_user(captain).post(
        url("solution-submit", pk=solution.pk),
        {"version": 1, "submitted_at": DEADLINE.isoformat()},
        HTTP_DATE="Tue, 30 Jun 2026 15:59:00 GMT",
    )
    assert 400 <= response.status_code < 500
    assert response.json()["code"] == "deadline_passed"
    assert Solution.objects.get(pk=solution.pk).status == SolutionStatus.DRAFT


def test_oversized_upload_refused_up_front(clock, as_user, solution, member, tmp_path):
    before = media_snapshot(tmp_path)
    big = pdf() + b"0" * (400 * 1024)  # limit is 64 KiB (+ 256 KiB for the multipart envelope)
    response = as_user(member).post(
        url("solution-versions", pk=solution.pk), multipart(proposal=upload("big.pdf", big)), format="multipart"
    )
    assert (response.status_code, response.json()["code"]) == (413, "file_too_large")
    assert response.json()["extra"] == {"limit": 64 * 1024}
    assert media_snapshot(tmp_path) == before
    assert not SolutionVersion.objects.exists()


def test_upload_over_round_limit_but_within_envelope_refused(clock, as_user, solution, member, tmp_path):
    before = media_snapshot(tmp_path)
    response = as_user(member).post(
        url("solution-versions", pk=solution.pk),
        multipart(proposal=upload("big.pdf", pdf() + b"0" * (100 * 1024))),
        format="multipart",
    )
    assert (response.status_code, response.json()["code"]) == (413, "file_too_large")
    assert media_snapshot(tmp_path) == before


def test_executable_renamed_pdf_refused_over_api(clock, as_user, solution, member, tmp_path):
    before = media_snapshot(tmp_path)
    response = as_user(member).post(
        url("solution-versions", pk=solution.pk),
        multipart(proposal=upload("方案书.pdf", ELF, "application/pdf")),
        format="multipart",
    )
    assert (response.status_code, response.json()["code"]) == (415, "file_type_not_allowed")
    assert media_snapshot(tmp_path) == before


def test_unknown_file_field_refused(clock, as_user, solution, member):
    response = as_user(member).post(
        url("solution-versions", pk=solution.pk), multipart(virus=upload("a.pdf", pdf())), format="multipart"
    )
    assert (response.status_code, response.json()["code"]) == (400, "validation_error")


def test_withdraw_over_api(clock, as_user, submitted, captain, member):
    response = as_user(member).post(url("solution-withdraw", pk=submitted.pk), {})
    assert (response.status_code, response.json()["code"]) == (403, "captain_only")
    clock(AFTER)
    response = as_user(captain).post(url("solution-withdraw", pk=submitted.pk), {})
    assert (response.status_code, response.json()["code"]) == (400, "confirmation_required")
    response = as_user(captain).post(url("solution-withdraw", pk=submitted.pk), {"confirm": True})
    assert (response.status_code, response.json()["status"]) == (200, "retired")


def test_transfer_over_api(clock, as_user, scenario, other_scenario, submitted, captain, organizer):
    from submissions import services

    services.solutions_on_scenario_withdrawn(scenario=scenario, actor=organizer)
    response = as_user(captain).post(url("solution-transfer", pk=submitted.pk), {"scenario": other_scenario.pk})
    assert response.status_code == 200, response.json()
    assert (response.json()["scenario"]["id"], response.json()["status"]) == (other_scenario.pk, "submitted")


def test_eligibility_and_supplement_over_api(clock, as_user, submitted, captain, organizer, round2):
    clock(AFTER)
    response = as_user(organizer).post(
        url("solution-eligibility", pk=submitted.pk), {"outcome": "supplement_requested", "reason": "承诺书未签字"}
    )
    assert response.status_code == 201, response.json()
    decisions = as_user(captain).get(url("solution-eligibility", pk=submitted.pk)).json()["results"]
    assert [d["outcome"] for d in decisions] == ["supplement_requested"]
    response = as_user(captain).post(
        url("solution-supplement", pk=submitted.pk),
        {"commitment": upload("签字.png", PNG + b"signed")},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="supp-1",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["version"] == 2
    response = as_user(organizer).post(url("solution-eligibility", pk=submitted.pk), {"outcome": "disqualified"})
    assert (response.status_code, response.json()["code"]) == (400, "reason_required")


# --- downloads -------------------------------------------------------------------------------


def test_download_is_attachment_nosniff_and_streams(clock, as_user, submitted, member):
    file = submitted.final_version.files.get(kind="proposal")
    response = as_user(member).get(url("file-download", pk=file.pk))
    assert response.status_code == 200
    assert response.streaming
    assert release(response) == pdf()
    assert response["Content-Disposition"].startswith("attachment;")
    assert "%E6%96%B9%E6%A1%88%E4%B9%A6.pdf" in response["Content-Disposition"]  # 方案书.pdf
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"


def test_media_files_have_no_public_url(client, submitted):
    from django.conf import settings

    file = submitted.final_version.files.first()
    assert client.get(settings.MEDIA_URL + file.file.name).status_code == 404
    assert client.get("/media/" + file.file.name).status_code == 404


def test_large_upload_is_spooled_inside_media_folder(monkeypatch, settings, clock, as_user, solution, member, round1):
    import tempfile

    round1.max_upload_bytes = 8 * 1024 * 1024
    round1.save()
    spooled_in = []
    original = tempfile.NamedTemporaryFile

    def spy(*args, **kwargs):
        spooled_in.append(kwargs.get("dir"))
        return original(*args, **kwargs)

    monkeypatch.setattr(tempfile, "NamedTemporaryFile", spy)
    big = pdf() + b"0" * (3 * 1024 * 1024)  # above FILE_UPLOAD_MAX_MEMORY_SIZE (2 MiB)
    response = as_user(member).post(
        url("solution-versions", pk=solution.pk),
        multipart(proposal=upload("大文件.pdf", big), commitment=upload("c.png", PNG)),
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert spooled_in and all(str(d).startswith(str(settings.MEDIA_ROOT)) for d in spooled_in)
    assert SolutionVersion.objects.get(solution=solution).files.get(kind="proposal").size == len(big)


def test_solution_list_filters(clock, as_user, submitted, organizer, track, team_b):
    from submissions import services
    from tests.factories.contest import ScenarioFactory

    other = ScenarioFactory(track=track)
    draft = services.solution_create(actor=team_b.captain, team=team_b, scenario=other, title="草稿")
    client = as_user(organizer)
    list_url = url("solution-list")

    def ids(**params):
        return [s["id"] for s in client.get(list_url, params).json()["results"]]

    assert ids() == [submitted.pk, draft.pk]
    assert ids(status="draft") == [draft.pk]
    assert ids(scenario=submitted.scenario_id) == [submitted.pk]
    assert ids(contest=submitted.contest_id, status="submitted") == [submitted.pk]
    assert client.get(list_url, {"status": "bogus"}).json()["code"] == "validation_error"
    assert client.get(list_url, {"scenario": "x"}).status_code == 400


def test_idempotency_in_progress_and_stale_records(clock, as_user, solution, captain, member):
    from submissions.models import IdempotencyRecord

    as_user(member).post(url("solution-versions", pk=solution.pk), full_multipart(), format="multipart")
    client = as_user(captain)
    target = url("solution-submit", pk=solution.pk)
    first = client.post(target, {"version": 1}, HTTP_IDEMPOTENCY_KEY="busy")
    record = IdempotencyRecord.objects.get(key="busy")
    # Pretend the first request is still running.
    IdempotencyRecord.objects.filter(pk=record.pk).update(status_code=0, body={})
    busy = client.post(target, {"version": 1}, HTTP_IDEMPOTENCY_KEY="busy")
    assert (first.status_code, busy.status_code, busy.json()["code"]) == (201, 409, "idempotency_in_progress")
    # A record stuck for longer than 15 minutes (a crashed worker) no longer blocks the key.
    clock(DEADLINE - dt.timedelta(hours=1))
    IdempotencyRecord.objects.filter(pk=record.pk).update(created_at=DEADLINE - dt.timedelta(hours=2))
    retried = client.post(target, {"version": 1}, HTTP_IDEMPOTENCY_KEY="busy")
    assert retried.status_code == 201
    assert IdempotencyRecord.objects.get(pk=record.pk).status_code == 201
    long_key = client.post(target, {"version": 1}, HTTP_IDEMPOTENCY_KEY="x" * 101)
    assert (long_key.status_code, long_key.json()["code"]) == (400, "idempotency_key_invalid")
