"""The application error hierarchy and the one DRF exception handler that renders it.

Every error body is `{"code": <stable code>, "detail": <readable, translated>, "extra": {...}}`.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.dispatch import Signal
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback


class ApplicationError(Exception):
    """A domain rule was broken. Subclasses set a stable `code` and an HTTP status."""

    code = "invalid"
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("The request breaks a rule of the contest.")

    def __init__(self, detail=None, *, extra=None):
        self.detail = detail if detail is not None else self.default_detail
        self.extra = extra or {}
        super().__init__(str(self.detail))


class NotAllowedError(ApplicationError):
    code = "permission_denied"
    status_code = status.HTTP_403_FORBIDDEN
    default_detail = _("You are not allowed to do this.")


class StateConflictError(ApplicationError):
    code = "invalid_state"
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The object is not in a state that allows this action.")


MAX_ID = 2**63 - 1  # the largest key a 64-bit integer column holds
ID_INVALID = _("An id is a whole number from 1 to %(max)s.")


def parse_id(value: str | None) -> int | None:
    """An id from a query string: ASCII digits from 1 to MAX_ID, else None.

    `str.isdigit()` also accepts superscripts ('²') that `int()` refuses, and a number past 64
    bits overflows the database driver; both are bad input, never a 500.
    """
    if not value or not value.isascii() or not value.isdigit() or len(value) > 19:
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None


def query_id(request, name: str) -> int | None:
    """The id in query parameter `name`: None when absent, a 400 `validation_error` when malformed."""
    value = request.query_params.get(name)
    if not value:
        return None
    number = parse_id(value)
    if number is None:
        raise exceptions.ValidationError({name: [ID_INVALID % {"max": MAX_ID}]})
    return number


class CappedPageNumberPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


def _body(code, detail, extra=None):
    return {"code": code, "detail": str(detail), "extra": extra or {}}


# Sent for every refused API request (an ApplicationError or a 403); kwargs: request, exc, source.
# contest records it as a SecurityEvent (contest.security_events); config knows no app.
request_refused = Signal()


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError | exceptions.PermissionDenied | DjangoPermissionDenied):
        # A refused state change is recorded (written after the request's transactions ended).
        request_refused.send(sender=None, request=context.get("request"), exc=exc, source="api")
    if isinstance(exc, ApplicationError):
        set_rollback()  # as DRF's own handler does: with ATOMIC_REQUESTS the refused view rolls back
        return Response(_body(exc.code, exc.detail, exc.extra), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = _body("validation_error", _("The input is not valid."), {"fields": exc.detail})
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else "error"
        response.data = _body(code, exc.detail if isinstance(exc.detail, str) else _("Error."))
    return response
