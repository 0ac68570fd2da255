"""Public results pages: published results per round and track, the award list, certificate checks.

Only published data is shown: a round's results appear once a Publication exists for it, and
the page renders the published table (the one its digest fixes), never live RoundResult rows.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from config.api import ApplicationError, parse_id
from config.body_limits import body_limit, global_limit
from contest import clock
from contest.forms import add_service_error
from contest.views import contest_for_user
from judging.results.forms import CertificateVerifyForm, ObjectionForm
from judging.results.models import Publication
from judging.results.selectors import (
    award_get_by_code,
    award_list_for_public,
    leaderboard_for_public,
    objection_list_for_user,
    objection_pending_solution_ids,
)
from judging.results.services.objections import objection_body_limit
from judging.results.services.objections import objection_create as objection_service_create


def _current_publications(contest) -> list[Publication]:
    """The current (not superseded) publication of each round of the contest, by round sequence."""
    publications = (
        Publication.objects.filter(round__contest=contest, superseded=False)
        .select_related("round")
        .order_by("round__sequence", "-number")
    )
    seen, current = set(), []
    for publication in publications:
        if publication.round_id not in seen:
            seen.add(publication.round_id)
            current.append(publication)
    return current


def _group_label(row: dict) -> str:
    group = str(row.get("group") or "")
    if group.startswith("track:"):
        return str(row.get("track") or group)
    if group.startswith("scenario:"):
        return str(row.get("scenario") or group)
    return _("Overall ranking")


def results(request, slug):
    """Published results per round and track (only published tables; drafts are invisible)."""
    contest = contest_for_user(user=request.user, slug=slug)
    tracks = list(contest.tracks.order_by("order", "id"))
    try:
        track_filter = int(request.GET.get("track") or 0) or None
    except ValueError:
        track_filter = None
    at = clock.now()
    sections = []
    for publication in _current_publications(contest):
        board = leaderboard_for_public(round_=publication.round, track_id=track_filter)
        groups: dict[str, list[dict]] = {}
        for row in board["rows"]:
            groups.setdefault(_group_label(row), []).append(row)
        sections.append(
            {
                "publication": publication,
                "groups": groups,
                "objections_open": clock.within_window(
                    publication.publicity_starts_at, publication.publicity_ends_at, at
                ),
            }
        )
    return render(
        request,
        "results/results.html",
        {"contest": contest, "sections": sections, "tracks": tracks, "track_filter": track_filter},
    )


def award_list(request, slug):
    """The live awards, with the team names recorded at confirmation."""
    contest = contest_for_user(user=request.user, slug=slug)
    awards = list(
        award_list_for_public(contest=contest)
        .select_related("solution__team__lead_unit")
        .prefetch_related("solution__team__co_units")
    )
    pending = objection_pending_solution_ids(solution_ids=[a.solution_id for a in awards], contest=contest)
    for award in awards:
        award.objection_pending = award.solution_id in pending
    return render(request, "results/award_list.html", {"contest": contest, "awards": awards})


def certificate_verify(request):
    form = CertificateVerifyForm(request.GET or None)
    award = None
    checked = False
    if form.is_bound and form.is_valid():
        checked = True
        try:
            award = award_get_by_code(code=form.cleaned_data["code"])
        except Http404:
            award = None
        else:
            award.objection_pending = bool(
                objection_pending_solution_ids(solution_ids=[award.solution_id], contest=award.contest)
            )
    return render(request, "results/certificate_verify.html", {"form": form, "award": award, "checked": checked})


def _objection_page_limit(request, kwargs):
    """Signed-out requests get only the global limit: CSRF would otherwise read their body."""
    return objection_body_limit(request, kwargs) if request.user.is_authenticated else global_limit()


@body_limit(_objection_page_limit)
@login_required
@require_http_methods(["GET", "POST"])
def objection_create(request, publication_pk):
    """A signed-in user raises a real-name objection during the publicity period."""
    publication = get_object_or_404(
        Publication.objects.select_related("round__contest").filter(superseded=False), pk=publication_pk
    )
    contest = contest_for_user(user=request.user, slug=publication.round.contest.slug)
    rows = leaderboard_for_public(round_=publication.round)["rows"]
    at = clock.now()
    window_open = clock.within_window(publication.publicity_starts_at, publication.publicity_ends_at, at)
    initial = {}
    if (solution_id := parse_id(request.GET.get("solution"))) is not None:
        initial["solution"] = solution_id
    form = ObjectionForm(request.POST or None, request.FILES or None, rows=rows, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            objection_service_create(
                user=request.user,
                publication=publication,
                solution_id=data["solution"],
                objector_kind=data["objector_kind"],
                reason=data["reason"],
                real_name=data["real_name"],
                organization_name=data["organization_name"],
                phone=data["phone"],
                evidence_files=[data["evidence"]] if data.get("evidence") else [],
                sealed_letter=data.get("sealed_letter"),
            )
        except (ApplicationError, ValidationError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Your objection has been received. The organizers will answer it."))
            return redirect("objection_create", publication_pk=publication.pk)
    my_objections = objection_list_for_user(user=request.user, contest=contest).filter(raised_by=request.user)
    return render(
        request,
        "results/objection_form.html",
        {
            "contest": contest,
            "publication": publication,
            "form": form,
            "window_open": window_open,
            "my_objections": my_objections,
        },
        status=400 if form.errors else 200,
    )
