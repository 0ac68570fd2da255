"""The organizer's page of refused attempts (the API has the same list and a CSV export)."""

import re

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode

from config.api import parse_id

from .permissions import can_view_security_events
from .selectors import contest_list_for_user, security_event_list_for_user

_CODE = re.compile(r"^[a-z0-9_]{1,80}$")


@login_required
def security_events(request, slug):
    contest = get_object_or_404(contest_list_for_user(user=request.user), slug=slug)
    if not can_view_security_events(request.user, contest):
        raise PermissionDenied
    # Malformed filters are ignored (a page, not an API): never a NUL byte or a huge id in SQL.
    code = request.GET.get("code", "").strip()
    code = code if _CODE.match(code) else ""
    user_id = parse_id(request.GET.get("user"))
    events = security_event_list_for_user(user=request.user, contest_id=contest.pk, code=code or None, user_id=user_id)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    filters = {k: v for k, v in (("code", code), ("user", user_id)) if v}
    export_url = reverse("security-event-export") + "?" + urlencode({"contest": contest.pk, **filters})
    return render(
        request,
        "contest/security_events.html",
        {
            "contest": contest,
            "page": page,
            "code": code,
            "user_filter": user_id or "",
            "filters": urlencode(filters),
            "export_url": export_url,
            "section": "security",
        },
    )
