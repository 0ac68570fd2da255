"""Exports never turn a name into a formula: text beginning with = + - @, a tab or a carriage
return is written as text in CSV and XLSX, read back from the files the API produces."""

import csv
import io

import pytest
from openpyxl import load_workbook

from contest.enums import Role
from judging.results.services.aggregation import results_aggregate
from tests.factories.contest import ContestRoleFactory, UserFactory
from tests.factories.submissions import TeamFactory

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

HOSTILE = ['=HYPERLINK("http://x","点我")', "+1+2", "-3+4", "@SUM(A1)", "\tTAB队", "\rCR队"]


@pytest.fixture
def hostile(builder):
    b = builder(aggregation_method="mean")
    b.org_user = UserFactory()
    ContestRoleFactory(user=b.org_user, contest=b.contest, role=Role.ORGANIZER)
    b.solutions = []
    for i, name in enumerate(HOSTILE):
        team = TeamFactory(contest=b.contest, name=name)
        solution = b.solution(team=team)
        b.review(solution, f"j{i}", 90 - i)
        b.solutions.append(solution)
    # A judge named like a formula shows up in the score sheet.
    judge = b.judges["j0"]
    judge.full_name = "=1+1"
    judge.save(update_fields=["full_name"])
    results_aggregate(round_=b.round)
    return b


def _csv(api_client, b, kind):
    response = api_client.get(f"/api/v1/rounds/{b.round.pk}/exports/{kind}.csv")
    assert response.status_code == 200
    text = b"".join(c if isinstance(c, bytes) else c.encode() for c in response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline="")))


def _xlsx(api_client, b, kind):
    response = api_client.get(f"/api/v1/rounds/{b.round.pk}/exports/{kind}.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    return [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)]


def test_csv_cells_beginning_like_a_formula_get_an_apostrophe(hostile, api_client):
    api_client.force_authenticate(hostile.org_user)
    rows = _csv(api_client, hostile, "results")
    assert sorted(r["team"] for r in rows) == sorted("'" + name for name in HOSTILE)
    assert all(r["solution_id"].isdigit() for r in rows)  # numbers are not touched
    scores = _csv(api_client, hostile, "scores")
    assert {r["judge"] for r in scores} >= {"'=1+1"}
    assert all(not r["value"].startswith("'") for r in scores)


def test_xlsx_cells_are_explicit_text_and_numbers_stay_numbers(hostile, api_client):
    api_client.force_authenticate(hostile.org_user)
    rows = _xlsx(api_client, hostile, "results")
    teams = [r["team"] for r in rows]
    # XML reads a stored carriage return back as a line feed.
    assert sorted(c.value for c in teams) == sorted(name.replace("\r", "\n") for name in HOSTILE)
    assert {c.data_type for c in teams} == {"s"}  # never "f": no formula in the workbook
    assert {r["solution_id"].data_type for r in rows} == {"n"}
    scores = _xlsx(api_client, hostile, "scores")
    judge_cells = [r["judge"] for r in scores if r["judge"].value == "=1+1"]
    assert judge_cells and {c.data_type for c in judge_cells} == {"s"}
    assert {r["value"].data_type for r in scores} == {"n"}


def test_one_escaping_function_for_every_writer():
    from config.spreadsheet import csv_cell

    assert [csv_cell(v) for v in ("=A1", "+1", "-1", "@x", "\tx", "\rx")] == [
        "'=A1",
        "'+1",
        "'-1",
        "'@x",
        "'\tx",
        "'\rx",
    ]
    assert [csv_cell(v) for v in (-5, None, True, "a=b", "揭榜队")] == ["-5", "", "1", "a=b", "揭榜队"]
