"""The API's own pages: the root of /api/v1/ and the JSON answers for what matches no endpoint."""

import functools
import re

from django.conf import settings
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.urls import URLResolver, resolve
from django.urls.exceptions import Resolver404
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

API_PREFIX = "/api/v1/"


def _route(pattern) -> str:
    """A URL pattern as a path template: `<int:pk>` and `(?P<pk>[^/.]+)` both become `{pk}`."""
    text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", str(pattern))
    text = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", text)
    return text.removeprefix("^").removesuffix("$").replace("\\.", ".")


def _templates(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + _route(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _templates(pattern.url_patterns, route)
        elif route:
            yield route


@functools.cache
def resource_groups() -> dict[str, list[str]]:
    """Every endpoint under /api/v1/, grouped by its first path segment, from the URL patterns
    themselves (a new endpoint is listed without anyone editing a list)."""
    from config.urls import api_v1  # the URL tree imports this module: read it at call time

    groups: dict[str, list[str]] = {}
    for template in sorted(set(_templates(api_v1))):
        groups.setdefault(template.split("/", 1)[0], []).append(API_PREFIX + template)
    return groups


class ApiRootView(APIView):
    """GET /api/v1/: the resource groups and where the schema and the docs are."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="api_root",
        tags=["api"],
        summary="The API root: resource groups and their endpoints",
        responses=inline_serializer(
            "ApiRoot",
            {
                "version": serializers.CharField(),
                "schema": serializers.URLField(),
                "docs": serializers.URLField(),
                "groups": serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
            },
        ),
    )
    def get(self, request):
        return Response(
            {
                "version": "v1",
                "schema": reverse("schema", request=request),
                "docs": reverse("api-docs", request=request),
                "groups": resource_groups(),
            }
        )


def error_response(code: str, detail, status: int) -> JsonResponse:
    """The API's error shape (as config.api renders it), from a plain Django view."""
    body = {"code": code, "detail": str(detail), "extra": {}}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _slash_target(request) -> bool:
    """True when the path with a slash appended is an endpoint (what APPEND_SLASH redirects to)."""
    if not settings.APPEND_SLASH or request.path_info.endswith("/"):
        return False
    try:
        match = resolve(request.path_info + "/")
    except Resolver404:
        return False
    return match.func is not api_not_found


@csrf_exempt  # it changes nothing; without this a POST would get the HTML CSRF page
def api_not_found(request, *args, **kwargs):
    """Anything under /api/ that no endpoint matched: the API's 404, in JSON, for every method.

    A GET of an endpoint's path without its trailing slash is redirected, as Django does for
    pages; other methods get the 404 (a redirect would lose their body)."""
    if request.method in ("GET", "HEAD") and _slash_target(request):
        return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
    return error_response("not_found", _("Not found."), 404)


def server_error(request, *args, **kwargs):
    """handler500: JSON under /api/, Django's page elsewhere."""
    if request.path_info.startswith("/api/"):
        return error_response("server_error", _("A server error occurred."), 500)
    from django.views.defaults import server_error as page  # the page path only; the API answers above

    return page(request, *args, **kwargs)
