"""The judging app's staff pages: opening and closing a round's judging (on the contest
overview, which this module adds the rounds to), and one round's page: judge pool,
auto-assignment with its report of gaps, conflicts flagged after scoring, progress per track
and per judge, score distributions (inline SVG).

Organizers run every track; a track host (承办) runs the round page for the tracks they host.
Others get 403; a round whose contest is invisible to them is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from config.api import ApplicationError
from contest.enums import RoundKind, RoundStatus
from contest.security_events import record_form_refusal
from contest.selectors import contest_rounds, contest_tracks, track_names
from contest.staff.base import (
    form_action,
    message_action,
    organizer_round_or_404,
    percent,
    run_action,
    staff_action,
    visible_round_or_404,
)
from contest.staff.overview import overview_contributor
from contest.staff.views import overview_page
from submissions.selectors import solution_titles

from .. import charts
from ..permissions import can_manage_pool_member, can_run_track_judging, can_set_pool_tracks
from ..selectors import (
    blind_title_flags,
    conflict_flag_in_round,
    conflict_flag_list,
    pool_list,
    pool_member_in_round,
    track_scope,
)
from ..services.assignment import REASON_CAPS, REASON_NO_POOL, REASON_NOT_ENOUGH, assignment_auto_run
from ..services.conflicts import conflict_flag_resolve
from ..services.pools import pool_member_add, pool_member_remove
from ..services.progress import round_progress
from ..services.rounds import OPENABLE, round_close_judging, round_open_judging
from .forms import ConflictFlagResolveForm, PoolAddForm, RoundOpenForm

SESSION_REPORT = "dashboard:auto-assign:{}"


# --- the contest overview's rounds: open and close judging ------------------------------------


@overview_contributor
def overview(request, contest, forms) -> dict:
    rows = []
    for r in contest_rounds(contest=contest):
        progress = round_progress(round_=r)["round"] if r.kind == RoundKind.SCORED else None
        if progress is not None:
            progress["percent"] = percent(progress["submitted"], progress["assigned"])
        rows.append(
            {
                "round": r,
                "progress": progress,
                "can_open": r.status in OPENABLE and r.kind == RoundKind.SCORED,
                "can_close": r.status == RoundStatus.JUDGING,
                "open_form": forms.get(("open", r.pk))
                or RoundOpenForm(target=r.pk, initial={"closes_at": r.judging_closes_at}),
            }
        )
    return {"rounds": rows}


@staff_action
def round_open_judging_view(request, pk):
    round_ = organizer_round_or_404(request, pk)
    form = RoundOpenForm(request.POST, target=round_.pk)
    return form_action(
        request,
        form,
        lambda data: round_open_judging(actor=request.user, round_=round_, closes_at=data["closes_at"]),
        _("Judging in %(round)s is open.") % {"round": round_.name},
        done=reverse("dashboard_contest", args=[round_.contest.slug]),
        page=lambda: overview_page(request, round_.contest, {("open", round_.pk): form}),
    )


@staff_action
def round_close_judging_view(request, pk):
    round_ = organizer_round_or_404(request, pk)
    return message_action(
        request,
        lambda: round_close_judging(actor=request.user, round_=round_),
        _("Judging in %(round)s is closed.") % {"round": round_.name},
        done=reverse("dashboard_contest", args=[round_.contest.slug]),
    )


# --- one round: pool, assignment, conflict flags, progress, distributions ----------------------

REASON_LABELS = {
    REASON_NO_POOL: gettext_lazy("no judge in the pool for its track"),
    REASON_NOT_ENOUGH: gettext_lazy("not enough judges without a conflict of interest"),
    REASON_CAPS: gettext_lazy("the eligible judges reached their load caps"),
}


def judging_round_or_404(request, pk):
    """The round page's round and the tracks the user runs there (None: every track,
    organizers): 404 when the round's contest is invisible, 403 when the user runs none of it."""
    round_ = visible_round_or_404(request, pk)
    if not can_run_track_judging(request.user, round_):
        raise PermissionDenied
    return round_, track_scope(request.user, round_)


def _report_for_display(report: dict) -> dict:
    titles = solution_titles(s["solution_id"] for s in report.get("short", []))
    report = dict(report)
    report["short"] = [
        {**s, "title": titles.get(s["solution_id"], ""), "reason_label": str(REASON_LABELS.get(s["reason"], ""))}
        for s in report.get("short", [])
    ]
    return report


def round_page(request, round_, scope, pool_form=None):
    """The round page; `pool_form` is the add-a-judge form with its errors, if any."""
    report = request.session.get(SESSION_REPORT.format(round_.pk))
    progress = round_progress(round_=round_, track_ids=scope)
    names = track_names(contest=round_.contest)
    for row in progress["tracks"]:
        row["name"] = names.get(row["track_id"], "")
        row["percent"] = percent(row["submitted"], row["assigned"])
    for row in progress["judges"]:
        row["name"] = row["full_name"] or row["username"]
        row["percent"] = percent(row["submitted"], row["assigned"])
    progress["round"]["percent"] = percent(progress["round"]["submitted"], progress["round"]["assigned"])
    context = {
        "contest": round_.contest,
        "round": round_,
        "pool": [
            {"member": m, "removable": scope is None or can_manage_pool_member(request.user, m)}
            for m in pool_list(round_=round_, track_ids=scope)
        ],
        "flags": conflict_flag_list(round_=round_),
        "pool_form": pool_form or PoolAddForm(round_=round_, track_ids=scope),
        "report": _report_for_display(report) if report else None,
        "progress": progress,
        # Score distributions are scores: organizers only, never a track host.
        "charts": charts.round_distributions(round_=round_) if scope is None else None,
        "host_view": scope is not None,
        "title_flags": blind_title_flags(round_=round_) if scope is None and round_.blind_review else None,
        "scored_rounds": contest_rounds(contest=round_.contest, kind=RoundKind.SCORED),
        "section": "round",
    }
    return render(request, "judging/staff/round.html", context)


@login_required
@require_safe
def dashboard_round(request, pk):
    round_, scope = judging_round_or_404(request, pk)
    return round_page(request, round_, scope)


@staff_action
def pool_add(request, pk):
    round_, scope = judging_round_or_404(request, pk)
    form = PoolAddForm(request.POST, round_=round_, track_ids=scope)
    done = reverse("dashboard_round", args=[round_.pk])
    if form.is_valid():
        data = form.cleaned_data
        tracks = list(data["tracks"]) or (
            [] if scope is None else list(contest_tracks(contest=round_.contest, track_ids=scope))
        )
        if not can_set_pool_tracks(request.user, round_, [t.pk for t in tracks]):
            raise PermissionDenied
        if run_action(
            request,
            lambda: pool_member_add(
                actor=request.user,
                round_=round_,
                judge=data["judge"],
                tracks=tracks,
                group=data["group"],
                load_cap=data["load_cap"],
            ),
            _("%(judge)s joined the judge pool.") % {"judge": data["judge"]},
            form=form,
        ):
            return redirect(done)
    return round_page(request, round_, scope, pool_form=form)


@staff_action
def pool_remove(request, pk, member_pk):
    round_, _scope = judging_round_or_404(request, pk)
    member = get_object_or_404(pool_member_in_round(round_=round_, pk=member_pk))
    if not can_manage_pool_member(request.user, member):
        raise PermissionDenied
    return message_action(
        request,
        lambda: pool_member_remove(actor=request.user, member=member),
        _("%(judge)s left the judge pool.") % {"judge": member.judge},
        done=reverse("dashboard_round", args=[round_.pk]),
    )


def _flag_resolve(request, pk, flag_pk, *, void: bool):
    round_, _scope = judging_round_or_404(request, pk)
    flag = get_object_or_404(conflict_flag_in_round(round_=round_, pk=flag_pk))
    done = reverse("dashboard_round", args=[round_.pk])
    form = ConflictFlagResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(done)
    return message_action(
        request,
        lambda: conflict_flag_resolve(actor=request.user, flag=flag, void=void, reason=form.cleaned_data["reason"]),
        _("The flagged review was voided.") if void else _("The flagged review is kept."),
        done=done,
    )


@staff_action
def flag_void(request, pk, flag_pk):
    return _flag_resolve(request, pk, flag_pk, void=True)


@staff_action
def flag_keep(request, pk, flag_pk):
    return _flag_resolve(request, pk, flag_pk, void=False)


@staff_action
def auto_assign(request, pk):
    round_, scope = judging_round_or_404(request, pk)
    try:
        report = assignment_auto_run(actor=request.user, round_=round_, track_ids=scope)
    except ApplicationError as exc:
        record_form_refusal(exc)  # a refused state change is recorded
        messages.error(request, str(exc.detail))
    else:
        data = report.as_dict()
        data["short"] = data["short"][:100]
        data.pop("loads", None)
        request.session[SESSION_REPORT.format(round_.pk)] = data
        messages.success(
            request,
            _(
                "Auto-assignment done: %(created)s new assignments; "
                "%(complete)s of %(solutions)s solutions have enough judges."
            )
            % {"created": report.created, "complete": report.complete, "solutions": report.solutions},
        )
    return redirect("dashboard_round", round_.pk)
