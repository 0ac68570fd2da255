"""The public read cache: rendered JSON of the anonymous scenario list and detail.

What is cached: the body and Content-Type of a 200 answer to an anonymous GET of
/api/v1/scenarios/ or /api/v1/scenarios/<id>/ rendered by the JSON renderer, one entry per
absolute URL (scheme, host, path and query: the list's next/previous links contain them),
language, time zone (datetimes are written in it) and accepted media type (`; indent=4`
changes the bytes). A request with an Authorization header or a signed-in session never reads
or fills it: such a user may see drafts of their organization or contest. A list query with a
search term or a parameter the list does not know is not cached either (an open-ended set of
keys that would rarely be asked twice).

Invalidation: one version token for every public scenario page. An entry stores the token it
was rendered under and only counts while that token is current. `public_scenarios_changed()`
replaces the token when a row the pages show (a scenario, its track, contest or publishing
organization) is saved or deleted — post_save/post_delete receivers, connected in
`ContestConfig.ready` — and code that changes those rows with QuerySet.update() calls it too.
It replaces the token at once and again after the transaction commits: the token is read
before the database, so a page rendered between the change and its commit (from the data
before it) carries a token that the second replacement makes stale; the first keeps code that
runs inside one open transaction (a management command, the test suite) from reading a page
older than its own change.

Entries live 60 s: a safety net for changes that bypass both (raw SQL, a replacement lost while
the cache was unreachable). Freshness does not rely on it: nothing in a scenario answer depends
on the clock (no deadline or window is computed into it), only on rows.

Outage: a cache error is logged and the request takes the live path; the endpoint keeps
answering, only slower.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import time
import uuid

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.utils import timezone, translation
from rest_framework.renderers import JSONRenderer

from contest.api.filters import ScenarioFilter
from contest.models import Contest, Organization, Scenario, Track

logger = logging.getLogger(__name__)

VERSION_KEY = "public-scenarios:version"
PAGE_KEY_PREFIX = "public-scenarios:page:"
PAGE_TTL_SECONDS = 60
# Models whose rows appear in a public scenario answer or decide whether a scenario is public.
SHOWN_MODELS = (Scenario, Track, Contest, Organization)
# Query parameters of a cacheable list: its filters, ordering, pagination and DRF's ?format=.
CACHEABLE_PARAMS = frozenset({*ScenarioFilter.base_filters, "ordering", "page", "page_size", "format"})

_WARN_EVERY_SECONDS = 60
_last_warning = 0.0


def _warn(message: str) -> None:
    # At most one line a minute: during an outage every request would otherwise log one.
    global _last_warning
    now = time.monotonic()
    if now - _last_warning >= _WARN_EVERY_SECONDS:
        _last_warning = now
        logger.warning(message, exc_info=True)


def _replace_token() -> None:
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:
        _warn("public scenario cache: could not replace the version token; entries expire by TTL")


def public_scenarios_changed() -> None:
    """Make every cached public scenario page stale, now and again after the current
    transaction commits. Call it after changing a scenario, track, contest or organization in a
    way that sends no post_save/post_delete signal (QuerySet.update(), bulk_update())."""
    _replace_token()
    transaction.on_commit(_replace_token)


def _on_row_changed(sender, **kwargs) -> None:
    public_scenarios_changed()


def connect_invalidation() -> None:
    for model in SHOWN_MODELS:
        uid = f"public-scenarios-{model.__name__}"
        post_save.connect(_on_row_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_on_row_changed, sender=model, dispatch_uid=f"{uid}-delete")


class _Page:
    """One cacheable request: its key, and the token read before the database was."""

    def __init__(self, request):
        self.request = request
        parts = (
            request.build_absolute_uri(),
            translation.get_language() or "",
            timezone.get_current_timezone_name(),
            request.accepted_media_type or "",
        )
        self.key = PAGE_KEY_PREFIX + hashlib.sha256("\n".join(parts).encode()).hexdigest()
        self.token = None

    @classmethod
    def for_request(cls, request) -> _Page | None:
        if request.method != "GET" or "HTTP_AUTHORIZATION" in request.META:
            return None
        if request.user.is_authenticated:
            return None
        if type(request.accepted_renderer) is not JSONRenderer:  # not the browsable API
            return None
        if not CACHEABLE_PARAMS.issuperset(request.query_params):
            return None
        return cls(request)

    def read(self) -> HttpResponse | None:
        """The cached answer, or None (and the current token kept for `fill_on_render`)."""
        try:
            found = cache.get_many([VERSION_KEY, self.key])
            self.token = found.get(VERSION_KEY)
            if self.token is None:
                cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
                self.token = cache.get(VERSION_KEY)
        except Exception:
            _warn("public scenario cache unreachable; answering from the database")
            return None
        entry = found.get(self.key)
        if entry is None or self.token is None or entry[0] != self.token:
            return None
        _token, content, content_type = entry
        return HttpResponse(content, content_type=content_type)

    def fill_on_render(self, response) -> None:
        if self.token is None:
            return
        token, key = self.token, self.key

        def store(rendered):
            if rendered.status_code != 200 or type(getattr(rendered, "accepted_renderer", None)) is not JSONRenderer:
                return
            try:
                cache.set(key, (token, rendered.content, rendered["Content-Type"]), PAGE_TTL_SECONDS)
            except Exception:
                _warn("public scenario cache: could not store a page")

        response.add_post_render_callback(store)


def public_page_cache(handler):
    """Serve a viewset's GET handler from the public read cache for anonymous JSON requests.

    Runs inside DRF's dispatch, after authentication and content negotiation, so `request.user`
    and `request.accepted_renderer` are known; everything else goes to `handler` unchanged.
    """

    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        page = _Page.for_request(request)
        if page is None:
            return handler(view, request, *args, **kwargs)
        hit = page.read()
        if hit is not None:
            return hit
        response = handler(view, request, *args, **kwargs)
        page.fill_on_render(response)
        return response

    return wrapper
