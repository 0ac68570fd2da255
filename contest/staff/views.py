"""The contest's staff pages: the organizer home, one contest's overview with its scenario
approvals (what other apps add to the overview comes through `contest.staff.overview`), and the
page of refused attempts (the API has the same list and a CSV export).

Non-organizers get 403; a contest invisible to the user is a 404.
"""

import re

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from config.api import parse_id

from ..permissions import can_view_security_events
from ..selectors import (
    contest_list_for_user,
    contests_hosted_by,
    contests_organized_by,
    scenario_pending_review_get,
    scenarios_pending_review,
    security_event_list_for_user,
)
from ..services import scenario_approve, scenario_reject
from .base import form_action, message_action, organizer_contest_or_404, staff_action
from .forms import ScenarioRejectForm
from .overview import contributed_context

_CODE = re.compile(r"^[a-z0-9_]{1,80}$")


@login_required
@require_safe
def organizer_home(request):
    contests = contests_organized_by(user=request.user)
    # Track hosts (承办) reach the judging pages of their tracks' rounds, nothing else.
    hosted = contests_hosted_by(user=request.user, exclude_ids={c.pk for c in contests})
    if not contests and not hosted:
        raise PermissionDenied
    return render(request, "contest/staff/home.html", {"contests": contests, "hosted": hosted})


def overview_page(request, contest, forms: dict | None = None):
    """The contest overview; `forms` ((prefix name, object id) → bound form) puts an action's
    form with its errors in place of the blank one."""
    forms = forms or {}
    pending = scenarios_pending_review(contest=contest)
    for scenario in pending:
        scenario.reject_form = forms.get(("reject", scenario.pk)) or ScenarioRejectForm(target=scenario.pk)
    context = contributed_context(request, contest, forms)
    context["counts"] = {"pending_scenarios": len(pending), **context["counts"]}
    context.update({"contest": contest, "pending": pending, "section": "contest"})
    return render(request, "contest/staff/overview.html", context)


@login_required
@require_safe
def dashboard_contest(request, slug):
    return overview_page(request, organizer_contest_or_404(request, slug))


def _pending_scenario(request, slug, pk):
    contest = organizer_contest_or_404(request, slug)
    return contest, get_object_or_404(scenario_pending_review_get(contest=contest, pk=pk))


@staff_action
def scenario_approve_view(request, slug, pk):
    contest, scenario = _pending_scenario(request, slug, pk)
    return message_action(
        request,
        lambda: scenario_approve(actor=request.user, scenario=scenario),
        _("“%(title)s” is published.") % {"title": scenario.title},
        done=reverse("dashboard_contest", args=[contest.slug]),
    )


@staff_action
def scenario_reject_view(request, slug, pk):
    contest, scenario = _pending_scenario(request, slug, pk)
    form = ScenarioRejectForm(request.POST, target=scenario.pk)
    return form_action(
        request,
        form,
        lambda data: scenario_reject(actor=request.user, scenario=scenario, reason=data["reason"]),
        _("“%(title)s” was returned to its publisher.") % {"title": scenario.title},
        done=reverse("dashboard_contest", args=[contest.slug]),
        page=lambda: overview_page(request, contest, {("reject", scenario.pk): form}),
    )


@login_required
@require_safe
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
        "contest/staff/security_events.html",
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
