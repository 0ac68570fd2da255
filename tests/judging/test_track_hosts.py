"""Track hosts (承办): a host of one track runs that track's pool, assignments, auto-assignment
and progress, through the API and the round page, and sees no score, review, result or export
of any track before publication."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from contest.enums import Role, RoundStatus
from contest.models import ContestRole
from judging.enums import ReviewStatus
from judging.models import JudgeAssignment, JudgePoolMember, Review, Score
from judging.results.models import RoundResult
from tests.factories.contest import (
    ContestFactory,
    ContestRoleFactory,
    RoundFactory,
    ScenarioFactory,
    TrackFactory,
    UserFactory,
)
from tests.factories.judging import CriterionFactory, RubricFactory
from tests.factories.submissions import RoundEntryFactory, SolutionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

API = "/api/v1/judging"


class W:
    pass


def _pool(w, judge, tracks=(), cap=None):
    member = JudgePoolMember.objects.create(round=w.round, judge=judge, load_cap=cap)
    member.tracks.set(tracks)
    ContestRoleFactory(user=judge, contest=w.contest, role=Role.JUDGE)
    return member


@pytest.fixture
def w(db):
    """Two tracks (金融, 能源) with two solutions each in a round being judged; one submitted
    review with scores in each track; unpublished results; a host of 金融."""
    w = W()
    w.contest = ContestFactory(name="数字化转型大赛")
    w.fin = TrackFactory(contest=w.contest, name="金融赛道")
    w.energy = TrackFactory(contest=w.contest, name="能源赛道")
    w.round = RoundFactory(contest=w.contest, status=RoundStatus.JUDGING, judges_per_solution=2)
    rubric = RubricFactory(round=w.round)
    criterion = CriterionFactory(rubric=rubric, key="overall", max_score=Decimal("100"))
    w.sol = {}
    for track in (w.fin, w.energy):
        scenario = ScenarioFactory(track=track, contest=w.contest)
        for i in range(2):
            solution = SolutionFactory(contest=w.contest, scenario=scenario, title=f"{track.name}方案{i}")
            RoundEntryFactory(round=w.round, solution=solution)
            w.sol[(track.pk, i)] = solution
    w.judge_fin = UserFactory(full_name="金融评委")
    w.judge_all = UserFactory(full_name="通用评委")
    w.judge_energy = UserFactory(full_name="能源评委")
    w.pool_fin = _pool(w, w.judge_fin, [w.fin])
    w.pool_all = _pool(w, w.judge_all, [], cap=2)
    w.pool_energy = _pool(w, w.judge_energy, [w.energy])
    w.asg_fin = JudgeAssignment.objects.create(round=w.round, solution=w.sol[(w.fin.pk, 0)], judge=w.judge_fin)
    w.asg_energy = JudgeAssignment.objects.create(round=w.round, solution=w.sol[(w.energy.pk, 0)], judge=w.judge_energy)
    # The general judge already holds one energy solution: it counts towards the cap of 2.
    w.asg_all_energy = JudgeAssignment.objects.create(
        round=w.round, solution=w.sol[(w.energy.pk, 1)], judge=w.judge_all
    )
    for asg, value in ((w.asg_fin, "91.5"), (w.asg_energy, "77")):
        review = Review.objects.create(
            assignment=asg, round=w.round, solution=asg.solution, judge=asg.judge, status=ReviewStatus.SUBMITTED
        )
        Score.objects.create(review=review, criterion=criterion, value=Decimal(value))
    w.review_fin = Review.objects.get(assignment=w.asg_fin)
    RoundResult.objects.create(
        round=w.round, solution=w.sol[(w.fin.pk, 0)], group_key=f"track:{w.fin.pk}", score=Decimal("91.50"), rank=1
    )
    w.host = UserFactory(username="host_fin", full_name="金融承办")
    ContestRoleFactory(user=w.host, contest=w.contest, role=Role.TRACK_HOST, track=w.fin)
    w.organizer = UserFactory()
    ContestRoleFactory(user=w.organizer, contest=w.contest, role=Role.ORGANIZER)
    return w


@pytest.fixture
def host_api(api_client, w):
    api_client.force_authenticate(w.host)
    return api_client


def _ids(response):
    data = response.json()
    rows = data["results"] if isinstance(data, dict) and "results" in data else data
    return {r["id"] for r in rows}


def test_pool_list_shows_the_judges_who_may_judge_the_track(host_api, w):
    response = host_api.get(f"{API}/rounds/{w.round.pk}/pool/")
    assert response.status_code == 200
    assert _ids(response) == {w.pool_fin.pk, w.pool_all.pk}


def test_pool_entries_a_host_adds_are_limited_to_its_track(host_api, w):
    newcomer = UserFactory()
    response = host_api.post(f"{API}/rounds/{w.round.pk}/pool/", {"judge": newcomer.pk}, format="json")
    assert response.status_code == 201
    assert list(JudgePoolMember.objects.get(judge=newcomer).tracks.all()) == [w.fin]
    for tracks in ([w.energy.pk], [w.fin.pk, w.energy.pk]):
        other = UserFactory()
        response = host_api.post(
            f"{API}/rounds/{w.round.pk}/pool/", {"judge": other.pk, "tracks": tracks}, format="json"
        )
        assert response.status_code == 403
        assert not JudgePoolMember.objects.filter(judge=other).exists()


def test_a_host_changes_only_entries_of_its_own_track(host_api, w):
    assert host_api.patch(f"{API}/pool/{w.pool_fin.pk}/", {"group": "外部专家"}, format="json").status_code == 200
    widen = host_api.patch(f"{API}/pool/{w.pool_fin.pk}/", {"tracks": [w.fin.pk, w.energy.pk]}, format="json")
    assert widen.status_code == 403
    assert list(w.pool_fin.tracks.all()) == [w.fin]
    for member in (w.pool_all, w.pool_energy):
        assert host_api.patch(f"{API}/pool/{member.pk}/", {"group": "改"}, format="json").status_code == 403
        assert host_api.delete(f"{API}/pool/{member.pk}/").status_code == 403
    assert JudgePoolMember.objects.filter(pk__in=[w.pool_all.pk, w.pool_energy.pk], group="").count() == 2
    # The host may remove its own track's entry; this judge still holds a scored assignment of
    # the track, so the entry (what their conflicts are checked against) stays.
    kept = host_api.delete(f"{API}/pool/{w.pool_fin.pk}/")
    assert (kept.status_code, kept.json()["code"]) == (409, "judge_has_assignments")
    assert JudgePoolMember.objects.filter(pk=w.pool_fin.pk).exists()
    free = UserFactory()
    added = host_api.post(f"{API}/rounds/{w.round.pk}/pool/", {"judge": free.pk}, format="json")
    assert host_api.delete(f"{API}/pool/{added.json()['id']}/").status_code == 204


def test_assignments_of_the_track_only(host_api, w):
    listed = host_api.get(f"{API}/rounds/{w.round.pk}/assignments/", {"page_size": 100})
    assert listed.status_code == 200 and _ids(listed) == {w.asg_fin.pk}
    fin_1, energy_1 = w.sol[(w.fin.pk, 1)], w.sol[(w.energy.pk, 1)]
    made = host_api.post(
        f"{API}/rounds/{w.round.pk}/assignments/", {"solution": fin_1.pk, "judge": w.judge_fin.pk}, format="json"
    )
    assert made.status_code == 201
    for solution_id in (energy_1.pk, 10**9):
        refused = host_api.post(
            f"{API}/rounds/{w.round.pk}/assignments/",
            {"solution": solution_id, "judge": w.judge_energy.pk},
            format="json",
        )
        assert refused.status_code == 403
    assert not JudgeAssignment.objects.filter(solution=energy_1, judge=w.judge_energy).exists()
    assert host_api.delete(f"{API}/assignments/{w.asg_energy.pk}/").status_code == 403
    assert JudgeAssignment.objects.get(pk=w.asg_energy.pk).active
    assert host_api.delete(f"{API}/assignments/{made.json()['id']}/").status_code == 200


def test_auto_assign_fills_the_track_only_and_counts_other_tracks_towards_caps(host_api, w):
    before_energy = set(JudgeAssignment.objects.filter(solution__scenario__track=w.energy).values_list("pk", "judge"))
    response = host_api.post(f"{API}/rounds/{w.round.pk}/auto-assign/", {"seed": 3}, format="json")
    assert response.status_code == 200
    report = response.json()
    assert report["solutions"] == 2
    assert set(JudgeAssignment.objects.filter(solution__scenario__track=w.energy).values_list("pk", "judge")) == (
        before_energy
    )
    fin = JudgeAssignment.objects.filter(solution__scenario__track=w.fin, active=True)
    # judge_fin takes both; judge_all has room for one more (cap 2, one energy solution held).
    assert sorted(fin.values_list("judge__full_name", flat=True)) == ["通用评委", "金融评委", "金融评委"]
    assert JudgeAssignment.objects.filter(judge=w.judge_all, active=True).count() == 2
    assert [s["track_id"] for s in report["short"]] == [w.fin.pk]


def test_progress_counts_the_track_only(host_api, w):
    response = host_api.get(f"{API}/rounds/{w.round.pk}/progress/")
    assert response.status_code == 200
    data = response.json()
    assert [t["track_id"] for t in data["tracks"]] == [w.fin.pk]
    assert data["round"]["assigned"] == 1 and data["round"]["submitted"] == 1
    assert {j["judge_id"] for j in data["judges"]} == {w.judge_fin.pk}
    assert "91.5" not in response.content.decode()


def test_no_score_review_result_or_export_of_any_track(host_api, w):
    round_id = w.round.pk
    for url, expected in (
        (f"{API}/rounds/{round_id}/reviews/", 403),
        (f"{API}/rounds/{round_id}/conflicts/", 403),
        (f"{API}/rounds/{round_id}/rubrics/", 403),
        (f"/api/v1/rounds/{round_id}/results/", 404),
        (f"/api/v1/rounds/{round_id}/leaderboard/", 404),
        (f"/api/v1/rounds/{round_id}/aggregate/status/", 403),
        (f"/api/v1/rounds/{round_id}/exports/scores.csv", 403),
        (f"/api/v1/rounds/{round_id}/exports/results.xlsx", 403),
    ):
        response = host_api.get(url)
        assert response.status_code == expected, url
        assert b"91.5" not in response.content
    assert host_api.post(f"{API}/reviews/{w.review_fin.pk}/return/", {"reason": "补"}, format="json").status_code == 404
    assert host_api.post(f"/api/v1/rounds/{round_id}/aggregate/").status_code == 403
    assert host_api.post(f"{API}/rounds/{round_id}/close-judging/").status_code == 403
    assert Review.objects.get(pk=w.review_fin.pk).status == ReviewStatus.SUBMITTED


def test_a_host_of_another_contest_is_refused(api_client, w):
    elsewhere = ContestFactory()
    stranger = UserFactory()
    ContestRoleFactory(user=stranger, contest=elsewhere, role=Role.TRACK_HOST, track=TrackFactory(contest=elsewhere))
    api_client.force_authenticate(stranger)
    for suffix in ("pool/", "assignments/", "progress/"):
        assert api_client.get(f"{API}/rounds/{w.round.pk}/{suffix}").status_code == 403
    assert api_client.post(f"{API}/rounds/{w.round.pk}/auto-assign/", {"seed": 1}, format="json").status_code == 403


def test_a_track_host_may_not_compete_in_the_contest(host_api, w):
    from tests.factories.contest import OrganizationFactory

    body = {"contest": w.contest.pk, "name": "承办队", "lead_unit": OrganizationFactory().pk}
    response = host_api.post("/api/v1/teams/", body, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "staff_cannot_compete"


def test_a_track_host_role_names_exactly_one_track(w):
    with pytest.raises(IntegrityError), transaction.atomic():
        ContestRole.objects.create(user=UserFactory(), contest=w.contest, role=Role.TRACK_HOST)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContestRole.objects.create(user=UserFactory(), contest=w.contest, role=Role.ORGANIZER, track=w.fin)


# --- the round page ------------------------------------------------------------------------
def test_round_page_for_a_host_shows_its_track_and_no_scores(client, w):
    client.force_login(w.host)
    home = client.get(reverse("organizer_home"))
    assert home.status_code == 200
    assert reverse("dashboard_round", args=[w.round.pk]) in home.content.decode()
    page = client.get(reverse("dashboard_round", args=[w.round.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "金融评委" in html and "通用评委" in html and "能源评委" not in html
    assert "data-host-view" in html and "chart-judges" not in html and "91.5" not in html
    assert reverse("dashboard_results", args=[w.round.pk]) not in html
    for name in ("dashboard_results",):
        assert client.get(reverse(name, args=[w.round.pk])).status_code == 403
    assert client.get(reverse("dashboard_contest", args=[w.contest.slug])).status_code == 403


def test_round_page_actions_of_a_host_stay_in_its_track(client, w):
    client.force_login(w.host)
    assert client.post(reverse("dashboard_auto_assign", args=[w.round.pk])).status_code == 302
    assert not JudgeAssignment.objects.filter(solution__scenario__track=w.energy, source="auto").exists()
    assert JudgeAssignment.objects.filter(solution__scenario__track=w.fin, source="auto").exists()
    assert client.post(reverse("dashboard_pool_remove", args=[w.round.pk, w.pool_energy.pk])).status_code == 403
    assert client.post(reverse("dashboard_pool_remove", args=[w.round.pk, w.pool_all.pk])).status_code == 403
    newcomer = UserFactory()
    added = client.post(reverse("dashboard_pool_add", args=[w.round.pk]), {"pool_add-account": newcomer.username})
    assert added.status_code == 302, added.content.decode()[-3000:]
    assert list(JudgePoolMember.objects.get(judge=newcomer).tracks.all()) == [w.fin]
    other = {"pool_add-account": UserFactory().username, "pool_add-tracks": [w.energy.pk]}
    refused = client.post(reverse("dashboard_pool_add", args=[w.round.pk]), other)
    assert refused.status_code == 200  # the form refuses a track the host does not run
    assert JudgePoolMember.objects.count() == 4


def test_a_track_host_may_not_set_the_organization_a_judge_is_checked_against(host_api, w):
    from judging.models import JudgePoolMember
    from tests.factories.contest import OrganizationFactory, UserFactory

    org = OrganizationFactory()
    judge = UserFactory()
    refused = host_api.post(
        f"{API}/rounds/{w.round.pk}/pool/", {"judge": judge.pk, "organization": org.pk}, format="json"
    )
    assert refused.status_code == 403
    assert not JudgePoolMember.objects.filter(round=w.round, judge=judge).exists()
    added = host_api.post(f"{API}/rounds/{w.round.pk}/pool/", {"judge": judge.pk}, format="json")
    assert added.status_code == 201, added.content
    patched = host_api.patch(f"{API}/pool/{added.json()['id']}/", {"organization": org.pk}, format="json")
    assert patched.status_code == 403
    assert JudgePoolMember.objects.get(pk=added.json()["id"]).organization_id != org.pk
