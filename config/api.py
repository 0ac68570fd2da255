"""The application error hierarchy and the one DRF exception handler that renders it.

Every error body is `{"code": <stable code>, "detail": <readable, translated>, "extra": {...}}`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.dispatch import Signal
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView, set_rollback
from rest_framework.views import exception_handler as drf_exception_handler


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


def parse(serializer_class, data, **kwargs) -> dict:
    """The validated input of `serializer_class` (a 400 `validation_error` when invalid).

    `kwargs` go to the serializer (`partial=True`, `context={"round": ...}` for scoped keys)."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def input_id(**kwargs) -> serializers.IntegerField:
    """A primary key in input: bounded, so an absurd number is a 400 and never a database error."""
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class _Scoped:
    """A key looked up in `scope(context)`: the queryset the view's resolved object allows (a
    judge among active users, a track of the round's contest). A key outside it raises
    `missing` (an ApplicationError), so the answer keeps the domain code it always had;
    `extra_key` names the key in the error's `extra` when the code says which one."""

    def _setup_scope(self, scope, missing, extra_key):
        self.scope, self.missing, self.extra_key = scope, missing, extra_key

    def scoped_queryset(self):
        return self.scope(self.context)

    def refuse(self, pk):
        raise self.missing(extra={self.extra_key: pk} if self.extra_key else None)


class ScopedPrimaryKeyRelatedField(_Scoped, serializers.PrimaryKeyRelatedField):
    """One key in input, resolved to its row within the view's scope (see `_Scoped`)."""

    def __init__(self, *, scope, missing, extra_key=None, **kwargs):
        self._setup_scope(scope, missing, extra_key)
        super().__init__(pk_field=input_id(), **kwargs)

    def get_queryset(self):
        return self.scoped_queryset()

    def to_internal_value(self, data):
        pk = self.pk_field.run_validation(data)  # the bounds are validators: run them
        row = self.get_queryset().filter(pk=pk).first()
        if row is None:
            self.refuse(pk)
        return row


class ScopedPrimaryKeyListField(_Scoped, serializers.ListField):
    """A list of keys in input, resolved in one query within the view's scope (see `_Scoped`);
    any key outside it refuses the whole list. Duplicates collapse; the rows come in key order."""

    def __init__(self, *, scope, missing, extra_key=None, **kwargs):
        self._setup_scope(scope, missing, extra_key)
        super().__init__(child=input_id(), **kwargs)

    def run_validation(self, data=serializers.empty):
        # The list's own checks (each key's bounds, `max_length`) run on the keys as sent.
        ids = super().run_validation(data)
        if ids is None:
            return None
        ids = set(ids)
        rows = list(self.scoped_queryset().filter(pk__in=ids).order_by("pk")) if ids else []
        if len(rows) != len(ids):
            self.refuse(sorted(ids - {row.pk for row in rows}))
        return rows


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


# --- the base of every API view: resolve the URL's object, then check the declared rule -------


def visible_only(user, obj) -> bool:
    """A `permission_map` entry saying the view's scope (and `visible_if`) is the whole rule:
    a row the selector shows the viewer, or the viewer's own rows."""
    return True


def checked_by_service(user, obj) -> bool:
    """A `permission_map` entry saying the service checks the role itself (and raises its own
    code, e.g. `captain_only`): the view adds no check of its own."""
    return True


def via(attribute: str, predicate: Callable) -> Callable:
    """`predicate` applied to the resolved object's `attribute` (an award's contest, say)."""

    def rule(user, obj) -> bool:
        return predicate(user, getattr(obj, attribute))

    rule.__name__ = f"{predicate.__name__}_via_{attribute}"
    return rule


def visible_or_404(queryset, pk):
    """The row `pk` of a selector's queryset (what the viewer may see); any other is a 404."""
    row = queryset.filter(pk=pk).first()
    if row is None:
        raise Http404
    return row


@dataclass(frozen=True)
class Scope:
    """How a view finds the object its URL names: the selector `fetch`, called with the URL
    keyword `kwarg` as `arg` (default: the same name), the viewer as `user` when the selector
    takes one, and `options`. A selector answering None (or raising Http404) is a 404."""

    fetch: Callable
    kwarg: str
    arg: str | None = None
    user: str | None = None
    options: dict = field(default_factory=dict)

    def resolve(self, request, url_kwargs):
        args = {self.arg or self.kwarg: url_kwargs[self.kwarg], **self.options}
        if self.user:
            args[self.user] = request.user
        obj = self.fetch(**args)
        if obj is None:
            raise Http404
        return obj


class ScopedViewMixin:
    # Resolve, then check, before the handler runs (after authentication and throttling):
    #
    # - `scope`: a `Scope` (or a dict of them per method/action) naming the selector that finds
    #   the URL's object; the handler reads it as `self.object`. No scope: no object (None).
    # - `visible_if`: optional `predicate(user, obj)` (or a dict of them per method/action);
    #   refused → 404, for objects whose existence is itself a secret (reviews, conflict flags,
    #   a judge's assignment, a solution's history).
    # - `permission_map`: method (or ViewSet action) → `predicate(user, obj)` from the app's
    #   permissions.py, `visible_only` or `checked_by_service`; refused → `permission_error` (403).
    #   Every handler the view defines must have an entry (checked when the class is made).
    #
    # One 404 only: `raise Http404` (the exception handler renders it as `not_found`).
    # (Comments, not a docstring: the schema would show it on every endpoint.)

    scope: "Scope | dict[str, Scope] | None" = None
    visible_if: "Callable | dict[str, Callable] | None" = None
    permission_map: dict[str, Callable] = {}
    permission_error: type[ApplicationError] = NotAllowedError
    object = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__name__.startswith("_"):  # a private base: its subclasses declare the rules
            return
        missing = [name for name in _handler_names(cls) if name not in cls.permission_map]
        if missing:
            raise ImproperlyConfigured(f"{cls.__name__}.permission_map has no rule for {', '.join(missing)}")

    def _rule_key(self) -> str:
        action = getattr(self, "action", None)
        if action:
            return action
        method = self.request.method.lower()
        return "get" if method == "head" else method

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        key = self._rule_key()
        rule = self.permission_map.get(key)
        if rule is None:  # OPTIONS, or a method the view does not answer (405 follows)
            return
        scope = _for(self.scope, key)
        self.object = scope.resolve(request, kwargs) if scope is not None else None
        visible_if = _for(self.visible_if, key)
        if visible_if is not None and not visible_if(request.user, self.object):
            raise Http404
        if not rule(request.user, self.object):
            raise self.permission_error()

    def parse(self, serializer_class, data=None, **kwargs) -> dict:
        """The validated input (default: the request body), with the resolved object in the
        serializer's context as `object` (what scoped keys look up within)."""
        context = {"request": self.request, "view": self, "object": self.object, **kwargs.pop("context", {})}
        return parse(serializer_class, self.request.data if data is None else data, context=context, **kwargs)


def _for(setting, key):
    """A view setting that is either one value for every method/action or a dict of them."""
    return setting.get(key) if isinstance(setting, dict) else setting


_VIEWSET_ACTIONS = ("list", "retrieve", "create", "update", "partial_update", "destroy")


def _handler_names(cls) -> list[str]:
    if hasattr(cls, "get_extra_actions"):  # a ViewSet: its actions
        names = [name for name in _VIEWSET_ACTIONS if callable(getattr(cls, name, None))]
        return names + [extra.__name__ for extra in cls.get_extra_actions()]
    return [m for m in getattr(cls, "http_method_names", ()) if m not in ("options", "head") and hasattr(cls, m)]


class ScopedAPIView(ScopedViewMixin, APIView):
    # The base API view (see `ScopedViewMixin`); signed-in users unless the view says otherwise.

    permission_classes = [IsAuthenticated]
