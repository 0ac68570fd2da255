"""Refused attempts are recorded: every refused state change becomes a `SecurityEvent`.

Two places see every refusal: the DRF exception handler (config/api.py) for the API and
`contest.forms.add_service_error` for the pages. Both call `record_refusal`, which only queues the
event on the request; `SecurityEventMiddleware` writes the queue after the view has returned, when
the view's transactions (a service's atomic block, or ATOMIC_REQUESTS if it is ever turned on)
have rolled back. So the record of the refusal survives the rollback of what was refused.
Safe methods (GET, HEAD, OPTIONS) are never recorded: they change nothing.
"""

import contextvars
import logging

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction

from config.api import ApplicationError, parse_id
from config.proxies import client_address

from . import clock
from .models import SecurityEvent

logger = logging.getLogger(__name__)

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
_current_request = contextvars.ContextVar("security_events_request", default=None)

# The collection a path segment names → (model, lookup from that row to its contest id). The first
# known segment followed by an id in the route decides the contest of the attempt.
_CONTEST_OF = {
    "contests": ("contest.Contest", "pk"),
    "c": ("contest.Contest", "pk"),  # pages: /c/<slug>/…
    "rounds": ("contest.Round", "contest_id"),
    "tracks": ("contest.Track", "contest_id"),
    "scenarios": ("contest.Scenario", "contest_id"),
    "solutions": ("submissions.Solution", "contest_id"),
    "teams": ("submissions.Team", "contest_id"),
    "team": ("submissions.Team", "contest_id"),
    "files": ("submissions.SolutionFile", "version__solution__contest_id"),
    "publications": ("results.Publication", "round__contest_id"),
    "objections": ("results.Objection", "publication__round__contest_id"),
    "assignments": ("judging.JudgeAssignment", "round__contest_id"),
    "reviews": ("judging.Review", "round__contest_id"),
    "rubrics": ("judging.Rubric", "round__contest_id"),
    "criteria": ("judging.Criterion", "rubric__round__contest_id"),
    "pool": ("judging.JudgePoolMember", "round__contest_id"),
    "awards": ("results.Award", "contest_id"),
}


class SecurityEventMiddleware:
    """Holds the request's refusals and writes them once the view (and its transactions) ended."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request._security_events = []
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)
            pending, request._security_events = request._security_events, []
            for event in pending:
                _write(event)

    def process_exception(self, request, exception):
        """A page's role check (PermissionDenied, answered 403) is a refusal too; the API's
        never get here (DRF answers them, through config.api.exception_handler)."""
        if isinstance(exception, PermissionDenied):
            record_refusal(request, exception, source="page")
        return None


def current_request():
    return _current_request.get()


def record_refused_request(sender, *, request, exc, source: str, **kwargs) -> None:
    """Receiver of `config.api.request_refused`: the API's refusals, as `record_refusal`."""
    record_refusal(request, exc, source=source)


def record_refusal(request, exc, *, source: str) -> None:
    """Queue a SecurityEvent for a refused unsafe request (`exc` an ApplicationError or a
    DRF PermissionDenied). Never raises: recording must not turn a 4xx into a 500."""
    if request is None or request.method in SAFE_METHODS or getattr(exc, "_security_recorded", False):
        return
    exc._security_recorded = True  # a view that both shows and re-reports it records it once
    try:
        event = _event(request, exc, source=source)
    except Exception:  # noqa: BLE001 - the refusal's answer matters more than its record
        logger.exception("security event could not be built")
        return
    queue = getattr(request, "_security_events", None)
    if queue is None:  # no middleware (e.g. a bare view call): write now
        _write(event)
    else:
        queue.append(event)


def record_form_refusal(exc) -> None:
    """A page form showed a service's refusal (`contest.forms.add_service_error`)."""
    if isinstance(exc, ApplicationError):
        record_refusal(current_request(), exc, source="page")


def _event(request, exc, *, source: str):

    user = getattr(request, "user", None)
    if user is not None and not user.is_authenticated:
        user = None
    codes = exc.get_codes() if hasattr(exc, "get_codes") else None
    default = "permission_denied" if isinstance(exc, PermissionDenied) else "error"
    code = getattr(exc, "code", None) or (codes if isinstance(codes, str) else default)
    status = getattr(exc, "status_code", 403)
    return SecurityEvent(
        created_at=clock.now(),
        user=user,
        user_label=user.get_username()[:150] if user is not None else "",
        contest_id=_contest_id(request),
        source=source,
        method=request.method[:10],
        path=request.path[:300],
        action=(getattr(getattr(request, "resolver_match", None), "view_name", "") or "")[:120],
        code=str(code)[:80],
        status=status,
        detail=str(getattr(exc, "detail", exc))[:500],
        extra=_plain(getattr(exc, "extra", {}) or {}),
        client_address=client_address(request),
        request_id=_request_id(request)[:100],
    )


def _plain(extra):
    """Only what a JSON column holds: other values become their text."""
    if isinstance(extra, dict):
        return {str(k): _plain(v) for k, v in extra.items()}
    if isinstance(extra, list | tuple):
        return [_plain(v) for v in extra]
    if extra is None or isinstance(extra, bool | int | float | str):
        return extra
    return str(extra)


def _request_id(request) -> str:
    # The id RequestIdMiddleware accepted or made; never the raw header, which it may have refused.
    return str(getattr(request, "request_id", "") or "")


def _contest_id(request) -> int | None:
    match = getattr(request, "resolver_match", None)
    if match is not None:
        segments = [s for s in match.route.split("/") if s]
        for previous, segment in zip(segments, segments[1:], strict=False):
            if not segment.startswith("<") or previous not in _CONTEST_OF:
                continue
            name = segment.strip("<>").split(":")[-1]
            value = match.kwargs.get(name)
            contest_id = _lookup(previous, value)
            if contest_id is not None:
                return contest_id
    data = _parsed_data(request)
    for field, collection in (("contest", "contests"), ("scenario", "scenarios"), ("solution", "solutions")):
        value = data.get(field) if hasattr(data, "get") else None
        contest_id = _lookup(collection, value)
        if contest_id is not None:
            return contest_id
    return None


def _parsed_data(request):
    """The body's fields if the view already parsed them; never parses a body itself (a refused
    upload must not be read or written to disk for its record)."""
    full = getattr(request, "_full_data", None)  # DRF's Request once parsed
    if isinstance(full, dict) or hasattr(full, "getlist"):
        return full
    if "_post" in getattr(request, "__dict__", {}):  # a page's HttpRequest whose POST was read
        return request.POST
    return {}


def _lookup(collection: str, value) -> int | None:
    model_label, path = _CONTEST_OF[collection]
    model = apps.get_model(model_label)
    if collection == "c":
        if not isinstance(value, str) or "\x00" in value:
            return None
        return model.objects.filter(slug=value).values_list("pk", flat=True).first()
    number = value if isinstance(value, int) and not isinstance(value, bool) else parse_id(str(value or ""))
    if number is None:
        return None
    return model.objects.filter(pk=number).values_list(path, flat=True).first()


def _write(event) -> None:
    try:
        with transaction.atomic():  # a savepoint if some caller's transaction is still open
            event.save(force_insert=True)
    except DatabaseError:  # the refusal was answered; a lost record is logged, not raised
        logger.exception("security event %s %s not written", event.code, event.path)
