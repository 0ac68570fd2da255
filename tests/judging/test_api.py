import datetime as dt
import hashlib
import json

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from contest.enums import RoundStatus
from contest.models import AuditEvent
from judging.models import ConflictOfInterest, JudgeAssignment, Review
from judging.services.scoring import review_save_draft, review_submit
from submissions.models import SolutionFile, SolutionVersion
from tests.factories.contest import ScenarioFactory, TrackFactory, UserFactory
from tests.factories.judging import JudgeAssignmentFactory
from tests.factories.submissions import RoundEntryFactory, SolutionFactory
from tests.judging.helpers import full_scores

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

BASE = "/api/v1/judging"


def _as(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def _score_payload(world, values=("8", "7.5", "15")):
    return {"scores": [{"criterion": cid, "value": v} for cid, v in full_scores(world, values)]}


# --- organizer: rubrics --------------------------------------------------------------------
def test_rubric_crud_then_frozen(world, api_client):
    client = _as(api_client, world.organizer)
    track = TrackFactory(contest=world.contest)
    r = client.post(
        f"{BASE}/rounds/{world.round.pk}/rubrics/", {"name": "赛道表", "track": track.pk, "score_step": "1"}
    )
    assert r.status_code == 201, r.content
    rubric_id = r.json()["id"]
    r = client.post(f"{BASE}/rounds/{world.round.pk}/rubrics/", {"name": "重复", "track": track.pk})
    assert (r.status_code, r.json()["code"]) == (409, "rubric_exists")
    r = client.post(
        f"{BASE}/rubrics/{rubric_id}/criteria/",
        {"key": "innovation", "name": "创新性", "name_en": "Innovation", "weight": "2", "max_score": "50", "order": 1},
    )
    assert r.status_code == 201, r.content
    criterion_id = r.json()["id"]
    r = client.post(f"{BASE}/rubrics/{rubric_id}/criteria/", {"key": "innovation", "name": "x", "max_score": "5"})
    assert (r.status_code, r.json()["code"]) == (409, "criterion_key_taken")
    r = client.post(f"{BASE}/rubrics/{rubric_id}/criteria/", {"key": "bad", "name": "x", "max_score": "-1"})
    assert (r.status_code, r.json()["code"]) == (400, "validation_error")
    assert client.patch(f"{BASE}/criteria/{criterion_id}/", {"guidance": "看新意"}).status_code == 200
    assert client.patch(f"{BASE}/rubrics/{rubric_id}/", {"name": "改名"}).json()["name"] == "改名"
    listing = client.get(f"{BASE}/rounds/{world.round.pk}/rubrics/").json()
    assert [x["track"] for x in listing] == [None, track.pk]
    assert listing[1]["criteria"][0]["guidance"] == "看新意"
    assert client.delete(f"{BASE}/criteria/{criterion_id}/").status_code == 204
    assert client.delete(f"{BASE}/rubrics/{rubric_id}/").status_code == 204
    # The first score freezes every rubric of the round.
    review_submit(judge=world.judge, assignment_id=world.assignment.pk, scores=full_scores(world))
    r = client.patch(f"{BASE}/rubrics/{world.rubric.pk}/", {"score_step": "1"})
    assert (r.status_code, r.json()["code"]) == (409, "rubric_frozen")
    r = client.patch(f"{BASE}/criteria/{world.criteria[0].pk}/", {"weight": "5"})
    assert (r.status_code, r.json()["code"]) == (409, "rubric_frozen")
    assert client.get(f"{BASE}/rubrics/{world.rubric.pk}/").json()["frozen"] is True
    world.criteria[0].refresh_from_db()
    assert str(world.criteria[0].weight) == "2.000"
    assert AuditEvent.objects.filter(action__startswith="judging.rubric").count() == 3


def test_rubric_track_must_belong_to_contest(world, api_client):
    client = _as(api_client, world.organizer)
    r = client.post(f"{BASE}/rounds/{world.round.pk}/rubrics/", {"name": "x", "track": TrackFactory().pk})
    assert (r.status_code, r.json()["code"]) == (400, "track_not_in_contest")


# --- organizer: pool, conflicts, assignments -------------------------------------------------
def test_pool_endpoints(world, api_client):
    client = _as(api_client, world.organizer)
    spare = UserFactory()
    track = world.solution.scenario.track
    r = client.post(
        f"{BASE}/rounds/{world.round.pk}/pool/",
        {"judge": spare.pk, "tracks": [track.pk], "group": "企业代表", "load_cap": 3},
    )
    assert r.status_code == 201, r.content
    assert r.json()["tracks"] == [track.pk] and r.json()["group"] == "企业代表"
    r2 = client.post(f"{BASE}/rounds/{world.round.pk}/pool/", {"judge": spare.pk})
    assert (r2.status_code, r2.json()["code"]) == (409, "judge_already_in_pool")
    r3 = client.post(
        f"{BASE}/rounds/{world.round.pk}/pool/", {"judge": UserFactory().pk, "tracks": [TrackFactory().pk]}
    )
    assert (r3.status_code, r3.json()["code"]) == (400, "track_not_in_contest")
    member_id = r.json()["id"]
    assert client.patch(f"{BASE}/pool/{member_id}/", {"tracks": [], "load_cap": None}).json()["tracks"] == []
    assert len(client.get(f"{BASE}/rounds/{world.round.pk}/pool/").json()) == 5
    assert client.delete(f"{BASE}/pool/{member_id}/").status_code == 204


def test_conflict_endpoints(world, api_client):
    client = _as(api_client, world.organizer)
    r = client.post(
        f"{BASE}/rounds/{world.round.pk}/conflicts/", {"judge": world.judge.pk, "team": world.team.pk, "reason": "同事"}
    )
    assert r.status_code == 201, r.content
    assert r.json()["source"] == "manual"
    world.assignment.refresh_from_db()
    assert world.assignment.active is False
    r = client.post(f"{BASE}/rounds/{world.round.pk}/conflicts/", {"judge": world.judge.pk, "reason": "x"})
    assert (r.status_code, r.json()["code"]) == (400, "conflict_target_invalid")
    assert [c["reason"] for c in client.get(f"{BASE}/rounds/{world.round.pk}/conflicts/").json()] == ["同事"]
    computed = client.get(f"{BASE}/rounds/{world.round.pk}/conflicts/computed/").json()
    assert computed == [
        {"judge": world.judge.pk, "solution": world.solution.pk, "reasons": ["manual"]},
        {"judge": world.conflicted_judge.pk, "solution": world.solution.pk, "reasons": ["organization_group"]},
    ]


def test_assignment_endpoints_and_auto_assign_report(world, api_client):
    client = _as(api_client, world.organizer)
    r = client.post(
        f"{BASE}/rounds/{world.round.pk}/assignments/",
        {"solution": world.solution.pk, "judge": world.conflicted_judge.pk},
    )
    assert (r.status_code, r.json()["code"]) == (403, "conflict_of_interest")
    assert r.json()["extra"] == {"reasons": ["organization_group"]}
    r = client.delete(f"{BASE}/assignments/{world.assignment.pk}/")
    assert r.status_code == 200 and r.json()["active"] is False
    r = client.post(f"{BASE}/rounds/{world.round.pk}/auto-assign/", {"seed": 4})
    assert r.status_code == 200, r.content
    report = r.json()
    assert (report["created"], report["complete"], report["short"]) == (1, 1, [])
    assert report["judges_per_solution"] == 2
    # A second solution with everyone conflicted shows up in the report with counts.
    scenario = ScenarioFactory(track=world.solution.scenario.track, contest=world.contest)
    extra = SolutionFactory(contest=world.contest, scenario=scenario, team=world.team)
    RoundEntryFactory(round=world.round, solution=extra)
    for judge in (world.unassigned_judge, world.other_judge):
        ConflictOfInterest.objects.create(
            contest=world.contest, judge=judge, solution=extra, source="manual", reason="x"
        )
    report = client.post(f"{BASE}/rounds/{world.round.pk}/auto-assign/", {}).json()
    assert report["reasons"] == {"not_enough_eligible_judges": 1}
    assert report["short"] == [
        {
            "solution_id": extra.pk,
            "track_id": world.solution.scenario.track_id,
            "required": 2,
            "assigned": 1,
            "missing": 1,
            "eligible": 1,
            "pool": 4,
            "conflicted": 3,
            "reason": "not_enough_eligible_judges",
        }
    ]
    listing = client.get(f"{BASE}/rounds/{world.round.pk}/assignments/?active=true").json()
    assert listing["count"] == 3
    assert {a["judge"] for a in listing["results"]} == {world.other_judge.pk, world.unassigned_judge.pk, world.judge.pk}
    one = client.get(f"{BASE}/rounds/{world.round.pk}/assignments/?judge={world.other_judge.pk}").json()
    assert [a["solution"] for a in one["results"]] == [world.solution.pk]


def test_review_list_return_and_void(world, api_client):
    review_submit(judge=world.judge, assignment_id=world.assignment.pk, scores=full_scores(world))
    client = _as(api_client, world.organizer)
    listing = client.get(f"{BASE}/rounds/{world.round.pk}/reviews/?status=submitted").json()["results"]
    assert [x["status"] for x in listing] == ["submitted"]
    review_id = listing[0]["id"]
    r = client.post(f"{BASE}/reviews/{review_id}/return/", {"reason": ""})
    assert (r.status_code, r.json()["code"]) == (400, "validation_error")
    r = client.post(f"{BASE}/reviews/{review_id}/return/", {"reason": "请说明评分依据"})
    assert r.status_code == 200 and r.json()["status"] == "returned"
    judge = _as(api_client, world.judge)
    r = judge.post(f"{BASE}/my/assignments/{world.assignment.pk}/review/submit/", {"comment": "已说明"})
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    client = _as(api_client, world.organizer)
    r = client.post(f"{BASE}/reviews/{review_id}/void/", {"reason": "发现利益冲突"})
    assert r.status_code == 200 and r.json()["status"] == "voided"
    assert [x["status"] for x in r.json()["revisions"]] == ["submitted", "returned", "submitted", "voided"]
    r = client.post(f"{BASE}/reviews/{review_id}/void/", {"reason": "again"})
    assert (r.status_code, r.json()["code"]) == (409, "review_voided")


def test_open_close_judging_and_progress(world, api_client):
    client = _as(api_client, world.organizer)
    world.round.status = RoundStatus.OPEN
    world.round.save()
    r = client.post(f"{BASE}/rounds/{world.round.pk}/open-judging/", {})
    assert r.status_code == 200 and r.json()["status"] == "judging"
    r = client.post(
        f"{BASE}/rounds/{world.round.pk}/open-judging/",
        {"closes_at": (timezone.now() - dt.timedelta(hours=1)).isoformat()},
    )
    assert (r.status_code, r.json()["code"]) == (400, "judging_window_invalid")
    review_submit(judge=world.judge, assignment_id=world.assignment.pk, scores=full_scores(world))
    progress = client.get(f"{BASE}/rounds/{world.round.pk}/progress/").json()
    assert progress["round"] == {
        "id": world.round.pk,
        "assigned": 2,
        "submitted": 1,
        "missing": 1,
        "returned": 0,
        "voided": 0,
    }
    assert [(t["track_id"], t["assigned"], t["submitted"]) for t in progress["tracks"]] == [
        (world.solution.scenario.track_id, 2, 1)
    ]
    assert {j["judge_id"]: j["missing"] for j in progress["judges"]} == {world.judge.pk: 0, world.other_judge.pk: 1}
    r = client.post(f"{BASE}/rounds/{world.round.pk}/close-judging/")
    assert r.status_code == 200
    judge = _as(api_client, world.other_judge)
    r = judge.put(f"{BASE}/my/assignments/{world.other_assignment.pk}/review/", {"comment": "迟到"})
    assert (r.status_code, r.json()["code"]) == (409, "judging_closed")


# --- the judge -------------------------------------------------------------------------------
def test_judge_scores_through_api(world, api_client):
    client = _as(api_client, world.judge)
    url = f"{BASE}/my/assignments/{world.assignment.pk}/"
    detail = client.get(url).json()
    assert [c["key"] for c in detail["rubric"]["criteria"]] == ["innovation", "feasibility", "value"]
    assert detail["review"] is None
    r = client.put(url + "review/", {"scores": [{"criterion": world.criteria[0].pk, "value": "8"}], "comment": "初稿"})
    assert r.status_code == 200 and r.json()["status"] == "draft"
    r = client.post(url + "review/submit/", {})
    assert (r.status_code, r.json()["code"]) == (400, "scores_incomplete")
    assert r.json()["extra"] == {"missing": [world.criteria[1].pk, world.criteria[2].pk]}
    r = client.post(url + "review/submit/", _score_payload(world))
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    r = client.put(url + "review/", {"comment": "改"})
    assert (r.status_code, r.json()["code"]) == (409, "review_locked")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("NaN", "score_not_a_number"),
        ("Infinity", "score_not_a_number"),
        ("-Infinity", "score_not_a_number"),
        ("x", "score_not_a_number"),
        (None, "score_not_a_number"),
        (-1, "score_out_of_range"),
        ("10.5", "score_out_of_range"),
        (7.3, "score_step"),
    ],
)
def test_bad_scores_through_api(world, api_client, value, code):
    client = _as(api_client, world.judge)
    r = client.put(
        f"{BASE}/my/assignments/{world.assignment.pk}/review/",
        {"scores": [{"criterion": world.criteria[0].pk, "value": value}]},
    )
    assert (r.status_code, r.json()["code"]) == (400, code)
    assert not Review.objects.exists()


def test_raw_json_nan_is_a_400_not_a_500(world, api_client):
    client = _as(api_client, world.judge)
    body = '{"scores": [{"criterion": ' + str(world.criteria[0].pk) + ', "value": NaN}]}'
    r = client.put(f"{BASE}/my/assignments/{world.assignment.pk}/review/", data=body, content_type="application/json")
    assert r.status_code == 400
    assert r.json()["code"] == "parse_error"


def test_criterion_of_another_rubric_through_api(world, api_client):
    from tests.factories.judging import CriterionFactory

    other = CriterionFactory()
    r = _as(api_client, world.judge).put(
        f"{BASE}/my/assignments/{world.assignment.pk}/review/", {"scores": [{"criterion": other.pk, "value": "1"}]}
    )
    assert (r.status_code, r.json()["code"]) == (400, "criterion_not_in_rubric")


def test_judge_never_sees_other_judges_scores(world, api_client):
    review_submit(
        judge=world.other_judge,
        assignment_id=world.other_assignment.pk,
        scores=full_scores(world, ("1", "1", "1")),
        comment="另一位评委的意见",
    )
    other_review = Review.objects.get(judge=world.other_judge)
    client = _as(api_client, world.judge)
    for url in (f"{BASE}/my/assignments/", f"{BASE}/my/assignments/{world.assignment.pk}/"):
        text = json.dumps(client.get(url).json(), ensure_ascii=False)
        assert "另一位评委的意见" not in text
        assert f'"id": {other_review.pk},' not in text or other_review.pk == world.assignment.pk
    assert client.get(f"{BASE}/my/assignments/{world.assignment.pk}/").json()["review"] is None
    assert client.get(f"{BASE}/rounds/{world.round.pk}/reviews/").status_code == 403
    assert client.post(f"{BASE}/reviews/{other_review.pk}/return/", {"reason": "x"}).status_code == 404


def test_declare_conflict_through_api(world, api_client):
    client = _as(api_client, world.judge)
    r = client.post(f"{BASE}/my/assignments/{world.assignment.pk}/declare-conflict/", {"reason": "曾合作"})
    assert r.status_code == 201 and r.json()["source"] == "declared"
    assert client.get(f"{BASE}/my/assignments/{world.assignment.pk}/").status_code == 404
    assert client.get(f"{BASE}/my/assignments/").json() == []


def _extra_assignments(world, n):
    for _ in range(n):
        scenario = ScenarioFactory(track=TrackFactory(contest=world.contest), contest=world.contest)
        solution = SolutionFactory(contest=world.contest, scenario=scenario)
        RoundEntryFactory(round=world.round, solution=solution)
        _version_with_file(solution, world.captain)
        a = JudgeAssignmentFactory(round=world.round, solution=solution, judge=world.judge)
        review_save_draft(judge=world.judge, assignment_id=a.pk, scores=full_scores(world)[:1])


@pytest.mark.parametrize("blind", [True, False])
def test_my_assignment_list_constant_queries(world, api_client, django_assert_num_queries, blind):
    world.round.blind_review = blind
    world.round.save()
    _version_with_file(world.solution, world.captain)
    review_save_draft(judge=world.judge, assignment_id=world.assignment.pk, scores=full_scores(world)[:1])
    client = _as(api_client, world.judge)
    # force_authenticate skips session and token lookups; the count is the view's own work:
    # the assignments (joined with review and team), conflict rows, the organization/team profile,
    # review scores, version files, rubrics with criteria. Blind or not, the same six.
    expected = 6
    with django_assert_num_queries(expected):
        one = client.get(f"{BASE}/my/assignments/")
    assert len(one.json()) == 1
    _extra_assignments(world, 3)
    with django_assert_num_queries(expected):
        many = client.get(f"{BASE}/my/assignments/")
    assert len(many.json()) == 4
    assert all(item["review"]["scores"] for item in many.json())
    with django_assert_num_queries(expected):
        detail = client.get(f"{BASE}/my/assignments/{world.assignment.pk}/")
    assert detail.status_code == 200


# --- blind review: nothing a judge reaches names the team ------------------------------------
def _version_with_file(solution, uploader):
    content = b"%PDF-1.4 demo"
    name = default_storage.save(f"solutions/{solution.pk}/proposal.pdf", ContentFile(content))
    version = SolutionVersion.objects.create(
        solution=solution,
        number=1,
        title=solution.title,
        sha256=hashlib.sha256(content).hexdigest(),
        created_by=uploader,
        created_at=timezone.now(),
    )
    SolutionFile.objects.create(
        version=version,
        kind="proposal",
        file=name,
        original_name=f"{solution.team.name}-{uploader.full_name}-方案书.pdf",
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    solution.final_version = version
    solution.version_count = 1
    solution.save()
    return version


def _identity_strings(world) -> list[str]:
    strings = [world.team.name, world.lead_unit.name, world.member_org.name, world.lead_unit.parent.name]
    strings += [str(world.lead_unit), str(world.member_org)]
    for user in (world.captain, world.member):
        strings += [user.username, user.full_name, user.email]
    return [s for s in strings if s]


def _walk_judge_surface(world, client) -> list[tuple[str, str]]:
    """Every judging response a judge can reach, plus the solution and file views of submissions."""
    seen = []

    def grab(method, url, data=None):
        response = getattr(client, method)(url, data, format="json")
        headers = "\n".join(f"{k}: {v}" for k, v in response.items())
        body = b"".join(response.streaming_content) if response.streaming else response.content
        seen.append((url, response.status_code, headers + "\n" + body.decode("utf-8", "replace")))
        return response

    a = world.assignment.pk
    listing = grab("get", f"{BASE}/my/assignments/").json()
    grab("get", f"{BASE}/my/assignments/?round={world.round.pk}")
    detail = grab("get", f"{BASE}/my/assignments/{a}/").json()
    grab("get", f"{BASE}/rounds/{world.round.pk}/rubrics/")
    grab("get", f"{BASE}/rubrics/{world.rubric.pk}/")
    grab("put", f"{BASE}/my/assignments/{a}/review/", {"comment": "草稿"})
    grab("post", f"{BASE}/my/assignments/{a}/review/submit/", _score_payload(world))
    grab("get", f"{BASE}/my/assignments/{a}/")
    for item in listing:
        for f in (item["solution"]["version"] or {}).get("files", []):
            assert f["download_url"]
            grab("get", f["download_url"])
    grab("get", f"/api/v1/solutions/{world.solution.pk}/")
    grab("get", "/api/v1/solutions/")
    grab("get", f"/api/v1/solutions/{world.solution.pk}/versions/")
    grab("get", "/api/v1/notifications/")
    # The judge's web pages, where they are mounted.
    for name, kwargs in (("judge_home", {}), ("judge_assignment", {"pk": a}), ("judge_conflict", {"pk": a})):
        try:
            url = reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
        grab("get", url)
    assert detail["solution"]["version"]["files"][0]["name"] == f"solution-{world.solution.pk}-v1-proposal.pdf"
    return seen


def test_blind_review_leaks_nothing_to_a_judge(world, api_client):
    _version_with_file(world.solution, world.captain)
    world.judge.organization = None
    world.judge.save()
    client = _as(api_client, world.judge)
    seen = _walk_judge_surface(world, client)
    downloads = [s for s in seen if "/download/" in s[0]]
    assert downloads and downloads[0][1] == 200
    assert f'filename="solution-{world.solution.pk}-v1-proposal.pdf"' in downloads[0][2]
    for url, status_code, text in seen:
        assert status_code < 400 or status_code == 404, (url, status_code, text[:300])
        for secret in _identity_strings(world):
            assert secret not in text, f"{secret!r} leaks through {url}"


def test_open_review_shows_the_team(world, api_client):
    """Control for the leak scan: with blind review off the same walk does name the team."""
    world.round.blind_review = False
    world.round.save()
    _version_with_file(world.solution, world.captain)
    seen = _walk_judge_surface_open(world, _as(api_client, world.judge))
    assert world.team.name in seen


def _walk_judge_surface_open(world, client) -> str:
    return json.dumps(client.get(f"{BASE}/my/assignments/{world.assignment.pk}/").json(), ensure_ascii=False)


def test_judge_assigned_notice_names_no_team(world, api_client):
    JudgeAssignment.objects.all().delete()
    client = _as(api_client, world.organizer)
    client.post(f"{BASE}/rounds/{world.round.pk}/auto-assign/", {})
    from notifications.models import Notification

    texts = [n.subject + n.body for n in Notification.objects.filter(kind="judge_assigned")]
    assert texts
    for text in texts:
        for secret in _identity_strings(world):
            assert secret not in text
