import datetime as dt
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from contest.enums import Role
from judging.results.enums import ObjectionStatus
from judging.results.errors import (
    AnonymousObjectionError,
    NotPublishedError,
    ObjectionDecidedError,
    ObjectionsOpenError,
    ObjectionWindowClosedError,
    PublicityNotEndedError,
    RealNameRequiredError,
    ResponseRequiredError,
)
from judging.results.models import Objection, Publication, RoundResult
from judging.results.services.aggregation import results_aggregate
from judging.results.services.objections import objection_create, objection_decide
from judging.results.services.publication import confirm_final_blocker, publication_confirm_final, publication_publish
from notifications.models import Notification
from submissions.enums import SolutionStatus
from tests.factories.contest import ContestRoleFactory, TrackFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _pdf(name="盖章函.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def published(builder):
    """Two tracks, top 2 per track advance. Track A: a1 > a2 > a3; track B: b1 > b2 > b3."""
    b = builder(aggregation_method="mean", advancement_kind="top_n", advancement_value=2)
    b.org_user = UserFactory()
    ContestRoleFactory(user=b.org_user, contest=b.contest, role=Role.ORGANIZER)
    b.other_track = TrackFactory(contest=b.contest)
    b.a = [b.scored([90 - i * 5] * 3) for i in range(3)]
    b.b = [b.scored([70 - i * 5] * 3, track=b.other_track) for i in range(3)]
    results_aggregate(round_=b.round)
    b.pub = publication_publish(round_=b.round, actor=b.org_user)
    b.objector = UserFactory(full_name="李四")
    return b


def _individual(b, **overrides):
    data = {
        "user": b.objector,
        "publication": b.pub,
        "solution_id": b.a[0].pk,
        "objector_kind": "individual",
        "reason": "该方案核心技术与已公开专利雷同",
        "real_name": "李四",
        "organization_name": "示例科技有限公司",
        "phone": "021-0000-0001",
    }
    data.update(overrides)
    return objection_create(**data)


def test_objection_inside_window_notifies_organizers(published):
    objection = _individual(published, evidence_files=[_pdf("证据.pdf")])

    assert objection.status == ObjectionStatus.OPEN
    assert objection.files.get().kind == "evidence"
    notice = Notification.objects.get(kind="objection_filed", recipient=published.org_user, channel="in_app")
    assert "李四" in notice.body


def test_objection_window_is_inclusive_and_closes(published):
    end = published.pub.publicity_ends_at
    with time_machine.travel(end, tick=False):
        _individual(published)
    with time_machine.travel(end + dt.timedelta(seconds=1), tick=False), pytest.raises(ObjectionWindowClosedError):
        _individual(published)
    with (
        time_machine.travel(published.pub.publicity_starts_at - dt.timedelta(seconds=1), tick=False),
        pytest.raises(ObjectionWindowClosedError),
    ):
        _individual(published)


def test_anonymous_objection_refused(published):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(AnonymousObjectionError):
        _individual(published, user=AnonymousUser())


@pytest.mark.parametrize("missing", ["real_name", "organization_name", "phone"])
def test_individual_needs_real_name_organization_and_phone(published, missing):
    with pytest.raises(RealNameRequiredError) as info:
        _individual(published, **{missing: "  "})
    assert info.value.extra["missing"] == [missing]
    assert not Objection.objects.exists()


def test_organization_needs_sealed_letter(published):
    with pytest.raises(RealNameRequiredError) as info:
        _individual(published, objector_kind="organization", phone="")
    assert info.value.extra["missing"] == ["sealed_letter"]

    objection = _individual(published, objector_kind="organization", phone="", sealed_letter=_pdf())
    assert objection.files.get().kind == "sealed_letter"


def test_evidence_file_type_checked(published):
    from config.api import ApplicationError

    bad = SimpleUploadedFile("x.pdf", b"MZ\x90\x00 executable", content_type="application/pdf")
    with pytest.raises(ApplicationError):
        _individual(published, evidence_files=[bad])
    assert not Objection.objects.exists()


def test_open_objection_blocks_final_list(published):
    objection = _individual(published)
    with time_machine.travel(published.pub.publicity_ends_at + dt.timedelta(hours=1)):
        with pytest.raises(ObjectionsOpenError):
            publication_confirm_final(round_=published.round, actor=published.org_user)
        objection_decide(objection=objection, actor=published.org_user, uphold=False, response="经核查，异议不成立")
        confirmed = publication_confirm_final(round_=published.round, actor=published.org_user)
    assert confirmed.final_confirmed_at is not None


def test_confirm_final_blocker_is_the_error_the_service_would_raise(published):
    round_, pub = published.round, published.pub
    objection = _individual(published)
    assert isinstance(confirm_final_blocker(round_=round_, publication=None), NotPublishedError)
    assert isinstance(confirm_final_blocker(round_=round_, publication=pub), PublicityNotEndedError)
    with time_machine.travel(pub.publicity_ends_at + dt.timedelta(hours=1)):
        assert isinstance(confirm_final_blocker(round_=round_, publication=pub), ObjectionsOpenError)
        objection_decide(objection=objection, actor=published.org_user, uphold=False, response="经核查，异议不成立")
        assert confirm_final_blocker(round_=round_, publication=pub) is None
        confirmed = publication_confirm_final(round_=round_, actor=published.org_user)
        assert confirm_final_blocker(round_=round_, publication=confirmed) is None
    # A confirmed list stays confirmable (a no-op) whatever the clock says.
    assert confirm_final_blocker(round_=round_, publication=confirmed) is None


def test_dismiss_needs_response_and_notifies_objector(published):
    objection = _individual(published)
    with pytest.raises(ResponseRequiredError):
        objection_decide(objection=objection, actor=published.org_user, uphold=False, response="")

    objection_decide(objection=objection, actor=published.org_user, uphold=False, response="经核查，异议不成立")

    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.DISMISSED
    assert Notification.objects.filter(kind="objection_decided", recipient=published.objector).exists()
    assert RoundResult.objects.get(round=published.round, solution=published.a[0]).disqualified is False
    with pytest.raises(ObjectionDecidedError):
        objection_decide(objection=objection, actor=published.org_user, uphold=True, response="再议")


def test_uphold_disqualifies_moves_up_within_pool_and_republishes(published):
    b = published
    objection = _individual(b)
    old_digest = b.pub.digest

    objection_decide(objection=objection, actor=b.org_user, uphold=True, response="经查属实，取消资格")

    def state(solution):
        r = RoundResult.objects.get(round=b.round, solution=solution)
        return (r.rank, r.advanced, r.disqualified)

    # Track A: a1 out; a2, a3 move up one by one and a3 now advances.
    assert [state(s) for s in b.a] == [(None, False, True), (1, True, False), (2, True, False)]
    # Track B untouched: b3 is not pulled in to fill track A's place.
    assert [state(s) for s in b.b] == [(1, True, False), (2, True, False), (3, False, False)]
    b.a[0].refresh_from_db()
    assert b.a[0].status == SolutionStatus.DISQUALIFIED

    old, new = Publication.objects.filter(round=b.round).order_by("number")
    assert old.superseded and old.digest == old_digest
    assert not new.superseded and new.supplementary and new.number == 2
    assert new.digest != old_digest
    assert b.a[0].pk not in [r["solution_id"] for r in new.table]
    assert new.publicity_starts_at >= old.publicity_starts_at
    notice = Notification.objects.get(kind="objection_decided", recipient=b.objector, channel="in_app")
    assert "异议成立" in notice.body


def test_uphold_accepts_explicit_supplementary_window(published):
    end = timezone.now() + dt.timedelta(days=3)
    objection = _individual(published)

    objection_decide(objection=objection, actor=published.org_user, uphold=True, response="属实", publicity_ends_at=end)

    assert Publication.objects.get(round=published.round, superseded=False).publicity_ends_at == end


def test_objection_against_superseded_publication_refused(published):
    objection = _individual(published)
    objection_decide(objection=objection, actor=published.org_user, uphold=True, response="属实")

    with pytest.raises(ObjectionWindowClosedError):
        _individual(published, solution_id=published.a[1].pk)


# --- API -----------------------------------------------------------------------------------------


def test_api_anonymous_objection_is_refused_with_code(published, api_client):
    response = api_client.post(
        f"/api/v1/publications/{published.pub.pk}/objections/",
        {"solution_id": published.a[0].pk, "objector_kind": "individual", "reason": "不服"},
    )
    # Sign-in is checked before the body is parsed (the service's own check stays behind it).
    assert response.status_code == 403 and response.json()["code"] == "not_authenticated"


def test_api_objection_multipart_and_window_closed(published, api_client):
    api_client.force_authenticate(published.objector)
    data = {
        "solution_id": published.a[0].pk,
        "objector_kind": "organization",
        "reason": "数据造假",
        "real_name": "王五",
        "organization_name": "某某集团有限公司",
        "sealed_letter": io.BytesIO(PDF),
    }
    data["sealed_letter"].name = "letter.pdf"
    response = api_client.post(f"/api/v1/publications/{published.pub.pk}/objections/", data, format="multipart")
    assert response.status_code == 201, response.json()

    with time_machine.travel(published.pub.publicity_ends_at + dt.timedelta(days=1)):
        data["sealed_letter"] = io.BytesIO(PDF)
        data["sealed_letter"].name = "letter.pdf"
        late = api_client.post(f"/api/v1/publications/{published.pub.pk}/objections/", data, format="multipart")
    assert late.status_code == 409 and late.json()["code"] == "objection_window_closed"


def test_api_objector_identity_never_shown_to_team(published, api_client):
    _individual(published)
    captain = published.a[0].team.captain
    api_client.force_authenticate(captain)

    listing = api_client.get("/api/v1/objections/", {"contest": published.contest.pk})

    assert listing.status_code == 200 and listing.json() == []
    api_client.force_authenticate(published.org_user)
    organizer_view = api_client.get("/api/v1/objections/", {"contest": published.contest.pk}).json()
    assert organizer_view[0]["real_name"] == "李四"


def test_api_decide_permissions(published, api_client):
    objection = _individual(published)
    api_client.force_authenticate(published.objector)
    refused = api_client.post(f"/api/v1/objections/{objection.pk}/decide/", {"decision": "uphold", "response": "x"})
    assert refused.status_code == 403 and refused.json()["code"] == "not_organizer"
    api_client.force_authenticate(UserFactory())
    assert (
        api_client.post(
            f"/api/v1/objections/{objection.pk}/decide/", {"decision": "uphold", "response": "x"}
        ).status_code
        == 404
    )
    api_client.force_authenticate(published.org_user)
    ok = api_client.post(f"/api/v1/objections/{objection.pk}/decide/", {"decision": "dismiss", "response": "不成立"})
    assert ok.status_code == 200 and ok.json()["status"] == "dismissed"


@pytest.mark.integration
def test_objection_evidence_on_object_storage(published, object_storage):
    import hashlib

    from django.core.files.storage import default_storage

    server, bucket = object_storage
    evidence = PDF + b"% evidence on the object store\n"
    objection = _individual(published, evidence_files=[SimpleUploadedFile("证据.pdf", evidence, "text/html")])
    stored = objection.files.get()
    assert server.keys(bucket) == [stored.file.name] and stored.file.name.startswith(f"objections/{objection.pk}/")
    with default_storage.open(stored.file.name) as f:
        assert hashlib.sha256(f.read()).hexdigest() == stored.sha256 == hashlib.sha256(evidence).hexdigest()
    assert server.client().head_object(Bucket=bucket, Key=stored.file.name)["ContentType"] == "application/pdf"

    # The second file is refused after the first was stored: the first goes too.
    from submissions.errors import FileTypeNotAllowedError

    executable = SimpleUploadedFile("证据3.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 64)
    with pytest.raises(FileTypeNotAllowedError):
        _individual(published, evidence_files=[_pdf("证据2.pdf"), executable])
    assert server.keys(bucket) == [stored.file.name]
