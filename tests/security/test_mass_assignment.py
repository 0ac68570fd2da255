"""Mass assignment: server-owned fields sent in a body never reach the stored row; responses
carry only what the role may see."""

import json

import pytest

from judging.models import Review
from judging.results.models import Objection
from submissions.models import Solution, SolutionVersion, Team

from .world import pdf, upload

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


def test_team_create_ignores_captain_and_ids(world, client_for):
    body = {
        "contest": world.contest.pk,
        "name": "新队",
        "lead_unit": world.team_b.lead_unit.pk,
        "captain": world.users["captain_b"].pk,
        "id": 999999,
        "created_at": "2000-01-01T00:00:00Z",
    }
    response = client_for("publisher_other").post("/api/v1/teams/", body, format="json")
    assert response.status_code == 201, response.content
    team = Team.objects.get(pk=response.json()["id"])
    assert team.pk != 999999
    assert team.captain == world.users["publisher_other"]
    assert team.created_at.year > 2000


def test_team_update_ignores_contest_and_captain(world, client_for):
    body = {"name": "A队改名", "contest": world.other_contest.pk, "captain": world.users["member_a"].pk}
    response = client_for("captain_a").patch(f"/api/v1/teams/{world.team_a.pk}/", body, format="json")
    assert response.status_code == 200, response.content
    team = Team.objects.get(pk=world.team_a.pk)
    assert (team.name, team.contest_id, team.captain_id) == ("A队改名", world.contest.pk, world.users["captain_a"].pk)


def test_solution_create_ignores_team_status_and_versions(world, client_for):
    body = {
        "scenario": world.scenario_b.pk,
        "title": "新方案",
        "team": world.team_b.pk,
        "status": "awarded",
        "final_version": world.sol_b.final_version_id,
        "submitted_at": "2000-01-01T00:00:00Z",
    }
    response = client_for("captain_a").post("/api/v1/solutions/", body, format="json")
    assert response.status_code == 201, response.content
    solution = Solution.objects.get(pk=response.json()["id"])
    assert (solution.team_id, solution.status, solution.final_version_id) == (world.team_a.pk, "draft", None)
    assert solution.submitted_at is None


def test_version_upload_ignores_number_sha256_author_and_round(world, client_for):
    body = {
        "proposal": upload("方案书.pdf", pdf("mass")),
        "number": 99,
        "sha256": "0" * 64,
        "created_by": world.users["captain_b"].pk,
        "round": world.round2.pk,
        "solution": world.sol_b.pk,
    }
    response = client_for("member_a").post(f"/api/v1/solutions/{world.sol_a.pk}/versions/", body, format="multipart")
    assert response.status_code == 201, response.content
    version = SolutionVersion.objects.filter(solution=world.sol_a).order_by("-number").first()
    assert version.number == 3
    assert version.sha256 != "0" * 64 and version.sha256 == response.json()["sha256"]
    assert version.created_by == world.users["member_a"]
    assert version.round_id == world.round1.pk
    assert not SolutionVersion.objects.filter(solution=world.sol_b, number=99).exists()


def test_review_save_ignores_judge_status_and_times(world, client_for):
    body = {
        "scores": [{"criterion": world.criterion.pk, "value": "40"}],
        "judge": world.users["judge_unassigned"].pk,
        "status": "submitted",
        "submitted_at": "2000-01-01T00:00:00Z",
        "solution": world.sol_b.pk,
        "revision": 42,
    }
    response = client_for("judge_assigned").put(
        f"/api/v1/judging/my/assignments/{world.asg_a.pk}/review/", body, format="json"
    )
    assert response.status_code == 200, response.content
    review = Review.objects.get(assignment=world.asg_a)
    assert (review.judge, review.solution_id, review.status) == (world.users["judge_assigned"], world.sol_a.pk, "draft")
    assert review.submitted_at is None and review.revision != 42


def test_scenario_edit_ignores_status_publisher_and_author(world, client_for):
    body = {
        "summary": "改",
        "status": "published",
        "publisher": world.scenario_b.publisher_id,
        "created_by": world.users["organizer"].pk,
        "published_at": "2000-01-01T00:00:00Z",
        "contest": world.other_contest.pk,
    }
    response = client_for("publisher_own").patch(f"/api/v1/scenarios/{world.scenario_draft.pk}/", body, format="json")
    assert response.status_code == 200, response.content
    world.scenario_draft.refresh_from_db()
    s = world.scenario_draft
    assert (s.summary, s.status, s.publisher_id, s.contest_id, s.published_at) == (
        "改",
        "draft",
        world.scenario.publisher_id,
        world.contest.pk,
        None,
    )


def test_round_edit_ignores_contest(world, client_for):
    body = {"name": "初赛（改）", "contest": world.other_contest.pk, "id": 999999}
    response = client_for("organizer").patch(f"/api/v1/rounds/{world.round2.pk}/", body, format="json")
    assert response.status_code == 200, response.content
    world.round2.refresh_from_db()
    assert (world.round2.name, world.round2.contest_id) == ("初赛（改）", world.contest.pk)


def test_objection_ignores_status_author_and_decision(world, client_for):
    body = {
        "solution_id": world.sol_a.pk,
        "objector_kind": "individual",
        "reason": "评分有误",
        "real_name": "李四",
        "organization_name": "某单位",
        "phone": "13800000000",
        "status": "upheld",
        "raised_by": world.users["captain_a"].pk,
        "decided_by": world.users["organizer"].pk,
        "response": "已采纳",
    }
    response = client_for("captain_b").post(
        f"/api/v1/publications/{world.publication.pk}/objections/", body, format="multipart"
    )
    assert response.status_code == 201, response.content
    objection = Objection.objects.get(pk=response.json()["id"])
    assert (objection.status, objection.raised_by, objection.decided_by, objection.response) == (
        "open",
        world.users["captain_b"],
        None,
        "",
    )


# --- responses carry only what the role may see ---------------------------------------------


def _judge_names(world):
    return [
        value
        for persona in ("judge_assigned", "judge_unassigned", "judge_conflicted")
        for value in (world.users[persona].username, world.users[persona].full_name)
    ]


def test_team_feedback_names_no_judge(world, client_for):
    response = client_for("captain_a").get(f"/api/v1/rounds/{world.round1.pk}/my-feedback/")
    assert response.status_code == 200
    text = json.dumps(response.json(), ensure_ascii=False)
    assert not [n for n in _judge_names(world) if n in text]
    assert '"judge_id"' not in text


def test_public_leaderboard_has_no_per_judge_scores(world):
    from rest_framework.test import APIClient

    response = APIClient().get(f"/api/v1/rounds/{world.round1.pk}/leaderboard/")
    assert response.status_code == 200
    text = json.dumps(response.json(), ensure_ascii=False)
    for key in ('"judge', '"scores"', '"criterion_means"', '"total_sum"', '"judge_count"'):
        assert key not in text, key
    assert not [n for n in _judge_names(world) if n in text]


def test_a_blind_judge_sees_no_team_identity(world, client_for):
    client = client_for("judge_assigned")
    texts = [
        json.dumps(client.get(url).json(), ensure_ascii=False)
        for url in (
            f"/api/v1/solutions/{world.sol_a.pk}/",
            f"/api/v1/solutions/{world.sol_a.pk}/versions/",
            "/api/v1/judging/my/assignments/",
            f"/api/v1/judging/my/assignments/{world.asg_a.pk}/",
        )
    ]
    names = [
        world.team_a.name,
        world.team_a.lead_unit.name,
        world.users["captain_a"].username,
        world.users["captain_a"].full_name,
        world.users["member_a"].full_name,
        "A队方案书",
    ]
    for text in texts:
        assert not [n for n in names if n in text], text[:300]


def test_a_team_sees_no_other_team_in_its_solution_list(world, client_for):
    text = json.dumps(client_for("captain_a").get("/api/v1/solutions/").json(), ensure_ascii=False)
    assert world.team_b.name not in text and world.sol_b.title not in text
