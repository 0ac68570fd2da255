"""Exports for organizers: the results table and per-judge score sheets as CSV (streamed, memory
flat however many rows: rows come from `.iterator()` and are written one at a time) and XLSX
(openpyxl write-only mode, constant memory per row)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.db.models import F
from django.http import HttpResponse, StreamingHttpResponse

from config.spreadsheet import csv_cell, xlsx_row
from contest.models import Round
from judging.models import Review, Score
from judging.results.models import RoundResult
from judging.results.selectors import objection_pending_solution_ids

RESULT_COLUMNS = [
    "group",
    "rank",
    "solution_id",
    "team",
    "scenario",
    "score",
    "judge_count",
    "total_sum",
    "tie_rule",
    "tie_detail",
    "method_note",
    "incomplete",
    "advanced",
    "disqualified",
    "objection_pending",
]

REVIEW_COLUMNS = ["solution_id", "team", "judge", "review_status", "team_comment", "confidential_comment"]

SCORE_COLUMNS = ["solution_id", "team", "judge", "review_status", "criterion", "weight", "max_score", "value"]

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def results_rows(round_: Round) -> Iterator[dict]:
    """The organizer's results table, one dict per result, in group and rank order, each
    marked when an objection against the entry is open (read once, before the rows stream)."""

    pending = objection_pending_solution_ids(round_=round_)
    queryset = (
        RoundResult.objects.filter(round=round_)
        .order_by("group_key", F("rank").asc(nulls_last=True), "solution_id")
        .values(
            "group_key",
            "rank",
            "solution_id",
            "solution__team__name",
            "solution__scenario__title",
            "score",
            "judge_count",
            "total_sum",
            "tie_rule",
            "tie_detail",
            "method_note",
            "incomplete",
            "advanced",
            "disqualified",
        )
    )
    for r in queryset.iterator(chunk_size=2000):
        yield {
            "group": r["group_key"],
            "rank": r["rank"],
            "solution_id": r["solution_id"],
            "team": r["solution__team__name"],
            "scenario": r["solution__scenario__title"],
            "score": None if r["score"] is None else f"{r['score']:.2f}",
            "judge_count": r["judge_count"],
            "total_sum": None if r["total_sum"] is None else f"{r['total_sum']:.4f}",
            "tie_rule": r["tie_rule"],
            "tie_detail": r["tie_detail"],
            "method_note": r["method_note"],
            "incomplete": r["incomplete"],
            "advanced": r["advanced"],
            "disqualified": r["disqualified"],
            "objection_pending": r["solution_id"] in pending,
        }


def score_rows(round_: Round) -> Iterator[dict]:
    """Every score of the round: one row per (review, criterion), with the judge's name."""
    queryset = (
        Score.objects.filter(review__round=round_)
        .order_by("review__solution_id", "review__judge_id", "criterion__order", "criterion_id")
        .values(
            "review__solution_id",
            "review__solution__team__name",
            "review__judge__full_name",
            "review__judge__username",
            "review__status",
            "criterion__key",
            "criterion__weight",
            "criterion__max_score",
            "value",
        )
    )
    for r in queryset.iterator(chunk_size=5000):
        yield {
            "solution_id": r["review__solution_id"],
            "team": r["review__solution__team__name"],
            "judge": r["review__judge__full_name"] or r["review__judge__username"],
            "review_status": r["review__status"],
            "criterion": r["criterion__key"],
            "weight": r["criterion__weight"],
            "max_score": r["criterion__max_score"],
            "value": r["value"],
        }


def review_rows(round_: Round) -> Iterator[dict]:
    """Every review of the round with both of its comments: the one the team reads and the
    confidential one for the organizers (exports are for organizers only)."""
    queryset = (
        Review.objects.filter(round=round_)
        .order_by("solution_id", "judge_id")
        .values(
            "solution_id",
            "solution__team__name",
            "judge__full_name",
            "judge__username",
            "status",
            "comment",
            "team_comment",
        )
    )
    for r in queryset.iterator(chunk_size=5000):
        yield {
            "solution_id": r["solution_id"],
            "team": r["solution__team__name"],
            "judge": r["judge__full_name"] or r["judge__username"],
            "review_status": r["status"],
            "team_comment": r["team_comment"],
            "confidential_comment": r["comment"],
        }


class _Echo:
    def write(self, value):
        return value


def _csv_stream(columns: list[str], rows: Iterator[dict]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # BOM: spreadsheet programs then read the Chinese text as UTF-8
    yield writer.writerow([csv_cell(c) for c in columns])
    for row in rows:
        yield writer.writerow([csv_cell(row[c]) for c in columns])


def csv_response(*, columns: list[str], rows: Iterator[dict], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_csv_stream(columns, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(*, columns: list[str], rows: Iterator[dict], filename: str, title: str) -> HttpResponse:
    from openpyxl import Workbook  # loaded only for an XLSX export, not in every web process

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(xlsx_row(sheet, columns))
    for row in rows:
        sheet.append(xlsx_row(sheet, [row[c] for c in columns]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
