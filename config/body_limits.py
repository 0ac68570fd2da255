"""Request body size: one global limit, checked before anything reads the body.

`RequestBodyLimitMiddleware` runs before any view and before CSRF reads a form: a body whose
Content-Length passes `REQUEST_BODY_MAX_BYTES` is answered 413 (`request_too_large`) unread,
for anonymous requests too. Django reads at most Content-Length bytes, so that number bounds
what is read. A chunked body without a Content-Length is refused with 411 (`length_required`):
Django would read it as empty, and refusing says so instead of losing the files silently.

Only the upload views accept larger bodies. They declare their limit with `@body_limit(fn)`
(`fn(request, kwargs) -> int | None`; None: the view checks its own limit before reading, as
the upload API does per round) and read through the limited upload handlers
(submissions/files.py). The common path costs one integer comparison: the URL is resolved only
for a body already over the global limit.
"""

from django.conf import settings
from django.http import JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _


def body_limit(limit_for):
    """Mark a view (function, or an APIView class) as accepting bodies up to `limit_for(request, kwargs)`."""

    def mark(view):
        view.body_limit = staticmethod(limit_for) if isinstance(view, type) else limit_for
        return view

    return mark


def global_limit() -> int:
    return settings.REQUEST_BODY_MAX_BYTES


def _refuse(status: int, code: str, detail, limit: int | None = None) -> JsonResponse:
    extra = {"limit": limit} if limit is not None else {}
    response = JsonResponse({"code": code, "detail": str(detail), "extra": extra}, status=status)
    response["Connection"] = "close"  # the unread body must not be taken for the next request
    return response


def _declared_limit(request):
    """(declared, limit) of the view the path resolves to; (False, None) for an ordinary view."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False, None
    view = match.func
    declared = getattr(view, "body_limit", None) or getattr(getattr(view, "view_class", None), "body_limit", None)
    if declared is None:
        return False, None
    return True, declared(request, match.kwargs)


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refused = self._check(request)
        return refused if refused is not None else self.get_response(request)

    def _check(self, request):
        raw = request.META.get("CONTENT_LENGTH") or ""
        if not raw:
            if "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
                return _refuse(411, "length_required", _("Send the request with a Content-Length header."))
            return None
        if not raw.isascii() or not raw.isdigit():
            return _refuse(400, "bad_content_length", _("The Content-Length header is not a number."))
        length = int(raw)
        limit = global_limit()
        if length <= limit:
            return None
        declared, view_limit = _declared_limit(request)
        if declared and (view_limit is None or length <= view_limit):
            return None
        limit = view_limit if declared else limit
        return _refuse(413, "request_too_large", _("The request is too large."), limit)
