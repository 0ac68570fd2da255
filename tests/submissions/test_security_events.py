"""Refused attempts are recorded: who, what, code, when — outside the refused transaction —
and organizers read them (API list with filters, CSV export, a page)."""

import csv
import datetime as dt
import io

import pytest
from django.db import connections
from django.urls import reverse

from contest.models import SecurityEvent
from submissions.enums import SolutionStatus
from submissions.models import Solution, SubmissionReceipt
from tests.factories.contest import ContestFactory, ContestRoleFactory

from .conftest import DEADLINE, PNG, pdf, release, upload, url

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


def _upload_full(client, solution):
    files = {"proposal": upload("方案书.pdf", pdf()), "commitment": upload("承诺书.png", PNG)}
    assert client.post(url("solution-versions", pk=solution.pk), files, format="multipart").status_code == 201


def test_a_late_submission_is_recorded_with_who_what_code_and_time(clock, as_user, solution, captain):
    client = as_user(captain)
    _upload_full(client, solution)
    late = DEADLINE + dt.timedelta(seconds=1)
    clock(late)
    response = client.post(
        url("solution-submit", pk=solution.pk), {"version": 1}, HTTP_X_REQUEST_ID="req-42", REMOTE_ADDR="203.0.113.7"
    )
    assert response.status_code == 409
    event = SecurityEvent.objects.get()
    assert (event.user, event.user_label, event.contest_id) == (captain, captain.username, solution.contest_id)
    assert (event.method, event.path, event.action) == (
        "POST",
        f"/api/v1/solutions/{solution.pk}/submit/",
        "submissions-api:solution-submit",
    )
    assert (event.code, event.status, event.source) == ("deadline_passed", 409, "api")
    assert (event.created_at, event.client_address, event.request_id) == (late, "203.0.113.7", "req-42")
    assert event.extra["round"] == solution.contest.rounds.get().pk


def test_a_captain_only_action_by_a_member_is_recorded(clock, as_user, solution, member):
    response = as_user(member).post(url("solution-submit", pk=solution.pk), {"version": 1})
    assert (response.status_code, response.json()["code"]) == (403, "captain_only")
    assert SecurityEvent.objects.get().code == "captain_only"
    assert SecurityEvent.objects.get().user == member


def test_reads_and_accepted_changes_write_nothing(clock, as_user, solution, captain, team_b):
    client = as_user(captain)
    _upload_full(client, solution)
    assert client.post(url("solution-submit", pk=solution.pk), {"version": 1}).status_code == 201
    assert as_user(team_b.captain).get(url("solution-detail", pk=solution.pk)).status_code == 404
    assert not SecurityEvent.objects.exists()


def test_a_page_form_refusal_is_recorded(clock, client, solution, captain):
    """The page calls the same service; the error shown next to the form is recorded too."""
    client.force_login(captain)
    clock(DEADLINE + dt.timedelta(seconds=1))
    response = client.post(
        reverse("solution_upload", args=[solution.pk]),
        {"title": "T", "abstract": "", "proposal": upload("方案书.pdf", pdf())},
    )
    assert response.status_code in (200, 400)
    event = SecurityEvent.objects.get()
    assert (event.source, event.code, event.user, event.contest_id) == (
        "page",
        "deadline_passed",
        captain,
        solution.contest_id,
    )


def test_a_page_role_refusal_is_recorded(clock, client, team, member):
    client.force_login(member)
    response = client.post(reverse("team_edit", args=[team.pk]), {"name": "改名"})
    assert response.status_code == 403
    event = SecurityEvent.objects.get()
    assert (event.source, event.code, event.status, event.user, event.contest_id) == (
        "page",
        "permission_denied",
        403,
        member,
        team.contest_id,
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("atomic_requests", [False, True], ids=["autocommit", "ATOMIC_REQUESTS"])
def test_the_record_survives_the_rollback_of_the_refused_change(
    monkeypatch, clock, as_user, solution, captain, atomic_requests
):
    """A real transaction (no test wrapper): the refused submission rolls back, its record stays —
    also when every view runs in a transaction of its own (ATOMIC_REQUESTS)."""
    client = as_user(captain)
    _upload_full(client, solution)
    monkeypatch.setitem(connections.settings["default"], "ATOMIC_REQUESTS", atomic_requests)
    monkeypatch.setattr(connections["default"], "settings_dict", connections.settings["default"])
    clock(DEADLINE + dt.timedelta(seconds=1))
    response = client.post(url("solution-submit", pk=solution.pk), {"version": 1})
    assert response.status_code == 409
    assert Solution.objects.get(pk=solution.pk).status == SolutionStatus.DRAFT
    assert not SubmissionReceipt.objects.exists()
    assert SecurityEvent.objects.filter(code="deadline_passed", user=captain).count() == 1


# --- reading them: organizers only, their contest only -----------------------------------------


@pytest.fixture
def recorded(clock, as_user, solution, captain, member):
    """Two refusals in the contest (a member's and the captain's) and one in another contest."""
    as_user(member).post(url("solution-submit", pk=solution.pk), {"version": 1})
    _upload_full(as_user(captain), solution)
    clock(DEADLINE + dt.timedelta(seconds=1))
    as_user(captain).post(url("solution-submit", pk=solution.pk), {"version": 1})
    other = ContestFactory()
    SecurityEvent.objects.create(
        contest=other, source="api", method="POST", path="/x/", code="deadline_passed", status=409, created_at=DEADLINE
    )
    return other


def _list(client, **params):
    response = client.get(reverse("security-event-list"), params)
    assert response.status_code == 200, response.json()
    return response.json()


def test_organizer_lists_and_filters_their_contests_refusals(as_user, recorded, organizer, solution, member, captain):
    client = as_user(organizer)
    body = _list(client)
    assert body["count"] == 2 and [e["code"] for e in body["results"]] == ["deadline_passed", "captain_only"]
    assert _list(client, code="captain_only")["results"][0]["user"] == member.pk
    assert [e["code"] for e in _list(client, user=captain.pk)["results"]] == ["deadline_passed"]
    assert _list(client, contest=solution.contest_id)["count"] == 2
    assert _list(client, page_size=1)["count"] == 2 and len(_list(client, page_size=1)["results"]) == 1


@pytest.mark.parametrize("params", [{"code": "dead\x00line"}, {"user": "²"}, {"contest": "99999999999999999999"}])
def test_malformed_filters_are_a_400(as_user, recorded, organizer, params):
    response = as_user(organizer).get(reverse("security-event-list"), params)
    assert (response.status_code, response.json()["code"]) == (400, "validation_error")


def test_organizers_of_another_contest_and_teams_read_nothing_of_it(as_user, recorded, solution, captain):
    other_organizer = ContestRoleFactory(contest=recorded, role="organizer").user
    assert [e["path"] for e in _list(as_user(other_organizer))["results"]] == ["/x/"]
    # Someone else's contest answers exactly as an id that does not exist: nothing tells them apart.
    theirs = as_user(other_organizer).get(reverse("security-event-list"), {"contest": solution.contest_id})
    unknown = as_user(other_organizer).get(reverse("security-event-list"), {"contest": 999_999_999})
    assert (theirs.status_code, theirs.json()["results"]) == (200, [])
    assert (theirs.status_code, theirs.json()) == (unknown.status_code, unknown.json())
    response = as_user(captain).get(reverse("security-event-list"))
    assert (response.status_code, response.json()["code"]) == (403, "not_organizer")
    assert as_user(captain).get(reverse("security-event-export")).status_code == 403


def test_csv_export_has_every_column_and_neutralises_formulas(as_user, recorded, organizer, solution):
    SecurityEvent.objects.create(
        contest_id=solution.contest_id,
        source="api",
        method="POST",
        path="/p/",
        code="captain_only",
        status=403,
        user_label="=HYPERLINK(1)",
        created_at=DEADLINE,
    )
    response = as_user(organizer).get(reverse("security-event-export"), {"contest": solution.contest_id})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(release(response).decode("utf-8-sig"))))
    assert rows[0][:3] == ["id", "created_at", "contest_id"] and len(rows) == 4
    assert "'=HYPERLINK(1)" in [r[4] for r in rows[1:]]


def test_the_organizer_page_lists_them(client, recorded, organizer, captain, solution):
    client.force_login(organizer)
    page = client.get(reverse("dashboard_security_events", args=[solution.contest.slug]))
    assert page.status_code == 200
    assert page.content.decode().count("data-event=") == 2
    filtered = client.get(reverse("dashboard_security_events", args=[solution.contest.slug]), {"code": "captain_only"})
    assert filtered.content.decode().count("data-event=") == 1
    client.force_login(captain)
    assert client.get(reverse("dashboard_security_events", args=[solution.contest.slug])).status_code == 403
