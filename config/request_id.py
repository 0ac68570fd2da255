"""A request id for every request: taken from a sane `X-Request-ID` or made here, echoed in the
response header and put on every log record of that request (`RequestIdFilter`)."""

import contextvars
import logging
import re
import uuid

HEADER = "X-Request-ID"
NO_REQUEST = "-"
# What a proxy or a client may hand us: short, printable, no spaces or quotes (log injection).
_SANE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@/+=-]{0,127}")

_current = contextvars.ContextVar("request_id", default=NO_REQUEST)


def current_request_id() -> str:
    return _current.get()


def request_id_for(value: str | None) -> str:
    """The incoming id if it is sane, else a fresh one."""
    if value and _SANE.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Outermost middleware: the id is set before any other middleware can log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id_for(request.headers.get(HEADER))
        token = _current.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response[HEADER] = request.request_id
        return response


class RequestIdFilter(logging.Filter):
    """Gives each record `request_id`. Django logs a 4xx/5xx answer after the middleware has
    returned, with the request on the record: the id is read from it then."""

    def filter(self, record):
        request_id = _current.get()
        if request_id == NO_REQUEST:
            request_id = getattr(getattr(record, "request", None), "request_id", NO_REQUEST)
        record.request_id = request_id
        return True
