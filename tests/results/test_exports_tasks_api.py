import csv
import io

import pytest
from openpyxl import load_workbook

from contest.enums import Role
from judging.results.models import RoundResult
from judging.results.services.aggregation import aggregation_status_get, results_aggregate
from judging.results.tasks import aggregate_round_task
from tests.factories.contest import ContestRoleFactory, OrganizationFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


@pytest.fixture
def ready(builder):
    b = builder(aggregation_method="trimmed_mean", advancement_kind="top_n", advancement_value=1)
    b.org_user = UserFactory()
    ContestRoleFactory(user=b.org_user, contest=b.contest, role=Role.ORGANIZER)
    b.first = b.scored([92, 85, 88, 70, 95])
    b.second = b.scored([80, 80, 80])
    b.short = b.scored([50])
    return b


def _stream_text(response) -> str:
    return b"".join(
        chunk if isinstance(chunk, bytes) else chunk.encode() for chunk in response.streaming_content
    ).decode("utf-8")


def test_results_csv_equals_api_table(ready, api_client):
    results_aggregate(round_=ready.round)
    api_client.force_authenticate(ready.org_user)

    table = api_client.get(f"/api/v1/rounds/{ready.round.pk}/results/").json()
    response = api_client.get(f"/api/v1/rounds/{ready.round.pk}/exports/results.csv")

    assert response.status_code == 200 and response.streaming
    rows = list(csv.DictReader(io.StringIO(_stream_text(response).lstrip("\ufeff"))))

    def norm(value):
        if value is None:
            return ""
        if isinstance(value, bool):
            return "1" if value else "0"
        return str(value)

    assert rows == [{k: norm(v) for k, v in row.items()} for row in table]
    assert [r["score"] for r in rows] == ["88.33", "80.00", ""]


def test_results_xlsx_and_score_sheets(ready, api_client):
    results_aggregate(round_=ready.round)
    api_client.force_authenticate(ready.org_user)

    xlsx = api_client.get(f"/api/v1/rounds/{ready.round.pk}/exports/results.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content), read_only=True).active
    values = list(sheet.values)
    assert values[0][:3] == ("group", "rank", "solution_id")
    assert values[1][1:3] == (1, ready.first.pk) and values[1][5] == "88.33"

    scores_csv = _stream_text(api_client.get(f"/api/v1/rounds/{ready.round.pk}/exports/scores.csv"))
    score_rows = list(csv.DictReader(io.StringIO(scores_csv.lstrip("\ufeff"))))
    assert len(score_rows) == 9 and score_rows[0]["judge"].startswith("评委")
    scores_xlsx = api_client.get(f"/api/v1/rounds/{ready.round.pk}/exports/scores.xlsx")
    assert len(list(load_workbook(io.BytesIO(scores_xlsx.content), read_only=True).active.values)) == 10
    assert api_client.get(f"/api/v1/rounds/{ready.round.pk}/exports/other.csv").status_code == 404


def test_csv_streams_from_an_iterator(ready, django_assert_max_num_queries):
    from judging.results.services.exports import RESULT_COLUMNS, csv_response, results_rows

    results_aggregate(round_=ready.round)
    response = csv_response(columns=RESULT_COLUMNS, rows=results_rows(ready.round), filename="x.csv")
    with django_assert_max_num_queries(2):  # pending objections, then the rows in one cursor
        assert len(list(response.streaming_content)) == 2 + 3  # BOM, header, 3 rows


def test_task_missing_round_logs_and_returns(caplog):
    assert aggregate_round_task(round_id=987654) is None
    assert "does not exist" in caplog.text


def test_task_twice_is_idempotent(ready):
    first = aggregate_round_task(round_id=ready.round.pk)
    rows = list(RoundResult.objects.order_by("id").values("id", "score", "rank", "computation_id"))
    second = aggregate_round_task(round_id=ready.round.pk)

    assert first == second and rows == list(
        RoundResult.objects.order_by("id").values("id", "score", "rank", "computation_id")
    )


def test_task_options():
    assert aggregate_round_task.name == "judging.aggregate_round"
    assert aggregate_round_task.acks_late is True
    assert aggregate_round_task.max_retries == 5
    from django.db import OperationalError

    assert OperationalError in aggregate_round_task.autoretry_for


def test_api_aggregate_enqueues_on_commit_and_reports_progress(ready, api_client, django_capture_on_commit_callbacks):
    api_client.force_authenticate(ready.org_user)
    assert api_client.get(f"/api/v1/rounds/{ready.round.pk}/aggregate/status/").json()["state"] == "none"

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api_client.post(f"/api/v1/rounds/{ready.round.pk}/aggregate/")
    assert response.status_code == 202 and response.json()["state"] == "queued"
    assert not RoundResult.objects.exists()  # nothing ran before commit
    for callback in callbacks:
        callback()

    status = api_client.get(f"/api/v1/rounds/{ready.round.pk}/aggregate/status/").json()
    assert status["state"] == "done" and status["task_id"] == response.json()["task_id"]
    assert status["computation_id"] == RoundResult.objects.first().computation_id
    assert RoundResult.objects.count() == 3
    assert aggregation_status_get(round_=ready.round)["state"] == "done"


def test_api_override_and_tie_decision(ready, api_client):
    results_aggregate(round_=ready.round)
    api_client.force_authenticate(ready.org_user)
    url = f"/api/v1/rounds/{ready.round.pk}/advancement-overrides/"

    missing = api_client.post(url, {"solution_id": ready.second.pk, "advanced": True, "reason": ""}, format="json")
    assert missing.status_code == 400 and missing.json()["code"] == "reason_required"
    ok = api_client.post(url, {"solution_id": ready.second.pk, "advanced": True, "reason": "复议"}, format="json")
    assert ok.status_code == 200 and ok.json()["advanced"] is True
    bad_tie = api_client.post(
        f"/api/v1/rounds/{ready.round.pk}/tie-decisions/",
        {"solution_ids": [ready.first.pk, ready.second.pk], "reason": "表决"},
        format="json",
    )
    assert bad_tie.status_code == 400 and bad_tie.json()["code"] == "tie_decision_invalid"


def test_api_publish_then_confirm_final_too_early(ready, api_client):
    results_aggregate(round_=ready.round)
    api_client.force_authenticate(ready.org_user)

    published = api_client.post(f"/api/v1/rounds/{ready.round.pk}/publish/", {}, format="json")
    assert published.status_code == 201 and len(published.json()["digest"]) == 64
    again = api_client.post(f"/api/v1/rounds/{ready.round.pk}/publish/", {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_published"
    early = api_client.post(f"/api/v1/rounds/{ready.round.pk}/confirm-final/")
    assert early.status_code == 409 and early.json()["code"] == "publicity_not_ended"
    assert api_client.get(f"/api/v1/rounds/{ready.round.pk}/publications/").json()[0]["number"] == 1


# --- permission matrix ---------------------------------------------------------------------------

ROLES = ["anonymous", "participant", "judge", "publisher", "stranger", "organizer"]


def _user(ready, role):
    if role == "anonymous":
        return None
    if role == "participant":
        return ready.first.team.captain
    if role == "judge":
        return ready.judge("j0")
    if role == "organizer":
        return ready.org_user
    user = UserFactory(organization=OrganizationFactory())
    if role == "publisher":
        ContestRoleFactory(user=user, contest=ready.contest, role=Role.PUBLISHER, organization=ready.scenario.publisher)
    return user


ENDPOINTS = [
    ("get", "/api/v1/rounds/{r}/results/", {"organizer": 200, "default": 404}),
    ("post", "/api/v1/rounds/{r}/aggregate/", {"organizer": 202, "default": 403}),
    ("get", "/api/v1/rounds/{r}/aggregate/status/", {"organizer": 200, "default": 403}),
    ("post", "/api/v1/rounds/{r}/publish/", {"organizer": 201, "default": 403}),
    ("get", "/api/v1/rounds/{r}/exports/results.csv", {"organizer": 200, "default": 403}),
    ("get", "/api/v1/rounds/{r}/exports/scores.xlsx", {"organizer": 200, "default": 403}),
    ("get", "/api/v1/rounds/{r}/leaderboard/", {"default": 404}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "url", "expected"), ENDPOINTS)
def test_permission_matrix(ready, api_client, role, method, url, expected):
    results_aggregate(round_=ready.round)
    user = _user(ready, role)
    if user is not None:
        api_client.force_authenticate(user)

    response = getattr(api_client, method)(url.format(r=ready.round.pk), format="json")

    if role == "anonymous" and expected.get("default") != 404:
        assert response.status_code in (401, 403)
    elif role == "anonymous" and "organizer" in expected:
        assert response.status_code in (401, 403, 404)
    else:
        assert response.status_code == expected.get(role, expected["default"])


@pytest.mark.parametrize("count", [1, 3])
def test_leaderboard_query_count_is_flat(builder, api_client, django_assert_num_queries, count):
    from judging.results.services.publication import publication_publish

    b = builder(aggregation_method="mean")
    for i in range(count):
        b.scored([80 + i, 80, 80])
    results_aggregate(round_=b.round)
    publication_publish(round_=b.round)

    with django_assert_num_queries(3):  # the round, the current publication, pending objections
        assert len(api_client.get(f"/api/v1/rounds/{b.round.pk}/leaderboard/").json()["rows"]) == count


@pytest.mark.parametrize("count", [1, 3])
def test_results_table_query_count_is_flat(builder, api_client, django_assert_num_queries, count):
    b = builder(aggregation_method="mean")
    organizer = UserFactory()
    ContestRoleFactory(user=organizer, contest=b.contest, role=Role.ORGANIZER)
    for i in range(count):
        b.scored([80 + i, 80, 80])
    results_aggregate(round_=b.round)
    api_client.force_authenticate(organizer)

    with django_assert_num_queries(4):  # the round, the organizer role, the table, pending objections
        assert len(api_client.get(f"/api/v1/rounds/{b.round.pk}/results/").json()) == count
