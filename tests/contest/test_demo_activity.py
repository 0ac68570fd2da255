"""load_demo shows every role at work: submissions in the current contest (real clock) and a past
edition judged, published and awarded through the real services."""

import io

import pytest
from django.core.management import call_command

from contest.enums import RoundStatus
from contest.models import Contest, Round
from judging.models import JudgeAssignment, Review
from judging.results.models import Award, Publication, RoundResult
from judging.results.services.publication import publication_verify
from submissions.enums import SolutionStatus
from submissions.models import Solution, SubmissionReceipt, Team, TeamMembership

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def _load(*args):
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def test_current_contest_has_teams_and_submitted_solutions_with_receipts():
    output = _load()

    contest = Contest.objects.get(slug="sh-soe-dx-2021")
    assert Team.objects.filter(contest=contest).count() == 12
    demo_team = Team.objects.get(contest=contest, captain__username="captain")
    assert set(demo_team.memberships.values_list("user__username", flat=True)) == {"captain", "member"}
    solutions = Solution.objects.filter(contest=contest)
    assert solutions.count() == 20
    submitted = solutions.filter(status=SolutionStatus.SUBMITTED)
    assert submitted.count() == 16
    assert solutions.filter(status=SolutionStatus.DRAFT).count() == 3
    assert solutions.filter(status=SolutionStatus.WITHDRAWN).count() == 1
    for solution in submitted:
        receipt = solution.receipts.order_by("-id").first()
        assert receipt is not None and receipt.version_id == solution.final_version_id
        assert receipt.sha256 == solution.final_version.sha256
        assert solution.final_version.files.filter(content_type="application/pdf").count() >= 3
    assert SubmissionReceipt.objects.filter(solution__contest=contest).count() == 18  # one resubmitted, one withdrawn
    assert all(m.user.email.endswith("@example.com") for m in TeamMembership.objects.select_related("user"))
    assert "t02a" in output and "p07a" in output


def test_past_edition_is_judged_published_and_awarded():
    _load()

    past = Contest.objects.get(slug="sh-soe-dx-2020")
    assert past.status == "closed"
    rounds = {r.sequence: r for r in Round.objects.filter(contest=past)}
    assert rounds[2].status == rounds[3].status == RoundStatus.PUBLISHED
    for seq, solutions in ((2, 11), (3, 6)):
        assert RoundResult.objects.filter(round=rounds[seq], rank__isnull=False).count() == solutions
        assert Review.objects.filter(round=rounds[seq], status="submitted").count() == 5 * solutions
        assert JudgeAssignment.objects.filter(round=rounds[seq], active=True).count() == 5 * solutions
        publication = Publication.objects.get(round=rounds[seq], superseded=False)
        check = publication_verify(publication=publication)
        assert check["stored_table_ok"] and check["current_results_ok"]
        assert publication.final_confirmed_at is not None
        assert publication.publicity_ends_at.year == 2020
    assert RoundResult.objects.filter(round=rounds[2], advanced=True).count() == 6
    assert Solution.objects.filter(contest=past, status=SolutionStatus.DISQUALIFIED).count() == 1
    awards = Award.objects.filter(contest=past)
    assert sorted(awards.values_list("level", flat=True)) == sorted(
        ["first", "second", "second", "third", "third", "third"] + ["merit"] * 5
    )
    assert len({a.verification_code for a in awards}) == awards.count()
    winner = awards.get(level="first")
    response = _client_get(f"/api/v1/certificates/{winner.verification_code}/")
    assert response.status_code == 200


def _client_get(url):
    from django.test import Client

    return Client().get(url)


def test_original_dates_skip_current_submissions_but_build_the_past_edition():
    _load("--original-dates")
    assert not Solution.objects.filter(contest__slug="sh-soe-dx-2021").exists()
    assert Award.objects.filter(contest__slug="sh-soe-dx-2020").count() == 11
    _load()  # back to the shifted calendar: the current contest's teams appear
    assert Solution.objects.filter(contest__slug="sh-soe-dx-2021").count() == 20


def test_demo_track_host_runs_its_track_and_sees_no_scores(client):
    from django.urls import reverse

    from contest.enums import Role
    from contest.models import ContestRole

    output = _load()
    assert "host_mfg" in output
    roles = ContestRole.objects.filter(user__username="host_mfg", role=Role.TRACK_HOST)
    assert sorted(roles.values_list("contest__slug", "track__name")) == [
        ("sh-soe-dx-2020", "智能制造"),
        ("sh-soe-dx-2021", "数字智造"),
    ]
    past_round = Round.objects.get(contest__slug="sh-soe-dx-2020", sequence=2)
    client.login(username="host_mfg", password="Jiebang-2021")
    page = client.get(reverse("dashboard_round", args=[past_round.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "data-host-view" in html and "chart-judges" not in html
    assert client.get(reverse("dashboard_results", args=[past_round.pk])).status_code == 403
