"""Refused attempts for organizers: a paginated list and a CSV export, with the same filters."""

import csv
import itertools

from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.throttling import ScopedRateThrottle

from config.api import CappedPageNumberPagination, ScopedAPIView, query_id
from config.spreadsheet import csv_cell
from contest import selectors
from contest.errors import NotOrganizerError
from contest.permissions import can_view_security_events

FILTERS = [
    OpenApiParameter("contest", int, required=False, description="Only this contest's events."),
    OpenApiParameter("code", str, required=False, description="Only this error code, e.g. `deadline_passed`."),
    OpenApiParameter("user", int, required=False, description="Only this user's attempts."),
]
ERRORS = {
    400: OpenApiResponse(description="A malformed filter (`validation_error`)."),
    403: OpenApiResponse(description="Not an organizer (`not_organizer`)."),
}
COLUMNS = [
    "id",
    "created_at",
    "contest_id",
    "user_id",
    "user",
    "source",
    "method",
    "path",
    "action",
    "code",
    "status",
    "detail",
    "client_address",
    "request_id",
]


class _CodeFilter(serializers.Serializer):
    # Codes are ASCII identifiers: anything else (a NUL byte, which PostgreSQL refuses in a text
    # literal) is a 400 before it reaches the database.
    code = serializers.RegexField(r"^[a-z0-9_]{1,80}$", required=False)


class SecurityEventOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    contest = serializers.IntegerField(source="contest_id", allow_null=True)
    user = serializers.IntegerField(source="user_id", allow_null=True)
    user_label = serializers.CharField()
    source = serializers.CharField()
    method = serializers.CharField()
    path = serializers.CharField()
    action = serializers.CharField()
    code = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    extra = serializers.JSONField()
    client_address = serializers.CharField(allow_null=True)
    request_id = serializers.CharField()


class _SecurityEventApi(ScopedAPIView):
    permission_map = {"get": can_view_security_events}
    permission_error = NotOrganizerError

    def events(self):
        contest_id = query_id(self.request, "contest")
        user_id = query_id(self.request, "user")
        code = self.parse(_CodeFilter, self.request.query_params).get("code")
        # A contest the user does not organize filters to nothing, exactly as an unknown id does:
        # the answer never tells which contest ids exist.
        return selectors.security_event_list_for_user(
            user=self.request.user, contest_id=contest_id, code=code, user_id=user_id
        )


class SecurityEventListApi(_SecurityEventApi):
    @extend_schema(
        summary="Refused attempts (organizers of the contest)",
        operation_id="v1_security_events_list",
        parameters=FILTERS,
        responses={
            200: inline_serializer(
                name="PaginatedSecurityEventOutputList",
                fields={
                    "count": serializers.IntegerField(),
                    "next": serializers.URLField(allow_null=True),
                    "previous": serializers.URLField(allow_null=True),
                    "results": SecurityEventOutputSerializer(many=True),
                },
            ),
            **ERRORS,
        },
    )
    def get(self, request):
        paginator = CappedPageNumberPagination()
        page = paginator.paginate_queryset(self.events(), request, view=self)
        return paginator.get_paginated_response(SecurityEventOutputSerializer(page, many=True).data)


def csv_rows(events):
    yield COLUMNS
    tz = timezone.get_default_timezone()
    for e in events.iterator(chunk_size=500):
        yield [
            csv_cell(v)
            for v in (
                e.pk,
                timezone.localtime(e.created_at, tz).isoformat(timespec="milliseconds"),
                e.contest_id,
                e.user_id,
                e.user_label,
                e.source,
                e.method,
                e.path,
                e.action,
                e.code,
                e.status,
                e.detail,
                e.client_address,
                e.request_id,
            )
        ]


class SecurityEventExportApi(_SecurityEventApi):
    throttle_scope = "export"

    def get_throttles(self):
        return [ScopedRateThrottle()]

    @extend_schema(
        summary="Refused attempts as CSV (organizers of the contest)",
        parameters=FILTERS,
        responses={(200, "text/csv"): OpenApiTypes.BINARY, **ERRORS},
    )
    def get(self, request):
        return csv_response(self.events())


class _Line:
    def write(self, value):
        return value


def csv_response(events) -> StreamingHttpResponse:
    """Streamed row by row (memory flat however many events); UTF-8 with a BOM for Excel."""
    writer = csv.writer(_Line())
    lines = itertools.chain(["\ufeff"], (writer.writerow(row) for row in csv_rows(events)))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="security-events.csv"'
    return response
