"""NUL bytes never reach a view: PostgreSQL refuses them in text ("A string literal cannot contain
NUL"), so a NUL in a path or a query parameter would be a 500 wherever a view used it in a query.

A path holding one names nothing: 404. A query string holding one is bad input: 400 with the
JSON error shape on the API (`validation_error`, naming the parameter), the 400 page elsewhere.
Form and JSON fields are checked by the form and serializer fields themselves (Django's and DRF's
CharField refuse NUL); this guard covers what views read without a form.
"""

from django.core.exceptions import BadRequest
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


def _body(code, detail, extra=None):
    return {"code": code, "detail": str(detail), "extra": extra or {}}


class NullByteGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        api = request.path_info.startswith(API_PREFIX)
        if "\x00" in request.path_info:
            if api:
                return JsonResponse(_body("not_found", _("Not found.")), status=404)
            raise Http404
        if "%00" in request.META.get("QUERY_STRING", "") or "\x00" in request.META.get("QUERY_STRING", ""):
            names = sorted({k for k, values in request.GET.lists() for v in [k, *values] if "\x00" in v})
            if api:
                message = _("Null characters are not allowed.")
                fields = {name.replace("\x00", "\\x00"): [message] for name in names} or {"query": [message]}
                return JsonResponse(
                    _body("validation_error", _("The input is not valid."), {"fields": fields}), status=400
                )
            raise BadRequest("null character in the query string")
        return self.get_response(request)
