"""The results pages of the organizer back office: one round's results (aggregation and its
progress, the advancement list with overrides, the committee's decisions on ties the chain left
unresolved, publication, confirming the final list, exports), a contest's objections and its
awards. Each action calls the same service as the API.

Non-organizers get 403; a round or contest invisible to them is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from contest.staff.base import (
    form_action,
    message_action,
    organizer_contest_or_404,
    organizer_round_or_404,
    run_action,
    staff_action,
)
from contest.staff.overview import overview_contributor

from ..enums import ObjectionStatus, TieRule
from ..models import RoundResult
from ..selectors import (
    award_count,
    awards_for_organizer,
    contest_award_get,
    contest_objection_get,
    objection_list_for_user,
    objection_pending_solution_ids,
    objections_open_count,
    objections_open_count_for_contest,
    results_for_dashboard,
    round_result_get,
    tie_group_of,
)
from ..services.advancement import advancement_override
from ..services.aggregation import aggregation_enqueue, aggregation_status_get
from ..services.awards import award_reissue, award_revoke, awards_confirm, final_round
from ..services.objections import objection_decide
from ..services.publication import (
    confirm_final_blocker,
    current_publication,
    publication_confirm_final,
    publication_differs,
    publication_publish,
)
from ..services.ranking import tie_decision_record
from .forms import (
    AdvancementOverrideForm,
    AwardReissueForm,
    AwardRevokeForm,
    AwardsForm,
    ObjectionDecideForm,
    PublishForm,
    TieDecisionForm,
)


@overview_contributor
def overview(request, contest, forms) -> dict:
    return {
        "counts": {
            "objections": objections_open_count_for_contest(contest=contest),
            "awards": award_count(contest=contest),
        }
    }


# --- one round's results -------------------------------------------------------------------------


def _tie_groups(results: list[RoundResult]) -> list[list[RoundResult]]:
    """The groups of results that share a rank after the whole tie chain (awaiting the
    committee), each ordered by solution id, in the order of the results."""
    groups: dict[tuple[str, int], list[RoundResult]] = {}
    for r in results:
        if r.tie_rule == TieRule.SHARED and r.rank is not None:
            groups.setdefault((r.group_key, r.rank), []).append(r)
    return [sorted(members, key=lambda r: r.solution_id) for members in groups.values() if len(members) > 1]


EXPORTS = (
    ("results", "csv", gettext_lazy("Results (CSV)")),
    ("results", "xlsx", gettext_lazy("Results (Excel)")),
    ("scores", "csv", gettext_lazy("Judges' score sheets (CSV)")),
    ("scores", "xlsx", gettext_lazy("Judges' score sheets (Excel)")),
    ("reviews", "csv", gettext_lazy("Judges' comments, for the team and confidential (CSV)")),
    ("reviews", "xlsx", gettext_lazy("Judges' comments, for the team and confidential (Excel)")),
)


def results_page(request, round_, *, override_forms=None, tie_form=None, publish_form=None):
    """The round's results page; the keyword forms, when given, are an action's form with its
    errors (`override_forms`: solution id → form)."""
    override_forms = override_forms or {}
    results = results_for_dashboard(user=request.user, round_=round_)
    pending = objection_pending_solution_ids(solution_ids=[r.solution_id for r in results], round_=round_)
    for r in results:
        r.objection_pending = r.solution_id in pending
        r.override_form = override_forms.get(r.solution_id) or AdvancementOverrideForm(
            target=r.solution_id, initial={"advanced": "0" if r.advanced else "1"}
        )
    tie_groups = []
    for members in _tie_groups(results):
        form = tie_form if tie_form is not None and tie_form.target == members[0].solution_id else None
        kind = members[0].group_key.partition(":")[0]
        scenario = members[0].solution.scenario
        tie_groups.append(
            {
                "results": members,
                "group": {"track": scenario.track.name, "scenario": scenario.title}.get(kind, ""),
                "form": form or TieDecisionForm(target=members[0].solution_id, results=members),
            }
        )
    publication = current_publication(round_)
    exports = [
        {
            "label": label,
            "url": reverse("results-export", kwargs={"round_id": round_.pk, "kind": kind, "fmt": fmt}),
        }
        for kind, fmt, label in EXPORTS
    ]
    status = aggregation_status_get(round_=round_)
    status["updated"] = parse_datetime(status["updated_at"]) if status.get("updated_at") else None
    context = {
        "contest": round_.contest,
        "round": round_,
        "status": status,
        "status_url": reverse("results-aggregate-status", kwargs={"round_id": round_.pk}),
        "results": results,
        "advancing": sum(1 for r in results if r.advanced),
        "tie_groups": tie_groups,
        "publication": publication,
        "publication_differs": bool(publication and publication_differs(publication=publication)),
        "publish_form": publish_form or PublishForm(),
        "confirm_final_blocker": confirm_final_blocker(round_=round_, publication=publication),
        "open_objections": objections_open_count(round_=round_),
        "exports": exports,
        "section": "results",
    }
    return render(request, "results/staff/results.html", context)


def _done(round_) -> str:
    return reverse("dashboard_results", args=[round_.pk])


@login_required
@require_safe
def dashboard_results(request, pk):
    return results_page(request, organizer_round_or_404(request, pk))


@staff_action
def results_aggregate(request, pk):
    round_ = organizer_round_or_404(request, pk)
    return message_action(
        request,
        lambda: aggregation_enqueue(round_=round_, actor=request.user),
        _("Aggregation has started."),
        done=_done(round_),
    )


@staff_action
def results_override(request, pk, solution_pk):
    round_ = organizer_round_or_404(request, pk)
    result = get_object_or_404(round_result_get(round_=round_, solution_id=solution_pk))
    form = AdvancementOverrideForm(request.POST, target=result.solution_id)
    return form_action(
        request,
        form,
        lambda data: advancement_override(
            round_=round_,
            solution_id=result.solution_id,
            advanced=data["advanced"],
            reason=data["reason"],
            actor=request.user,
        ),
        _("The advancement list has been changed."),
        done=_done(round_),
        page=lambda: results_page(request, round_, override_forms={result.solution_id: form}),
    )


@staff_action
def results_publish(request, pk):
    round_ = organizer_round_or_404(request, pk)
    form = PublishForm(request.POST)
    return form_action(
        request,
        form,
        lambda data: publication_publish(
            round_=round_,
            actor=request.user,
            publicity_starts_at=data["publicity_starts_at"],
            publicity_ends_at=data["publicity_ends_at"],
        ),
        _("The results are published."),
        done=_done(round_),
        page=lambda: results_page(request, round_, publish_form=form),
    )


@staff_action
def results_tie_decide(request, pk, solution_pk):
    """The committee's order of the group of solutions sharing a rank with `solution_pk`."""
    round_ = organizer_round_or_404(request, pk)
    result = get_object_or_404(round_result_get(round_=round_, solution_id=solution_pk))
    group = tie_group_of(round_=round_, result=result)
    if len(group) < 2:
        messages.error(request, _("These solutions no longer share a rank; see the table below."))
        return redirect(_done(round_))
    form = TieDecisionForm(request.POST, target=group[0].solution_id, results=group)
    return form_action(
        request,
        form,
        lambda data: tie_decision_record(
            round_=round_, solution_ids=data["solution_ids"], reason=data["reason"], actor=request.user
        ),
        _("The committee's decision is recorded and the ranking updated."),
        done=_done(round_),
        page=lambda: results_page(request, round_, tie_form=form),
    )


@staff_action
def results_confirm_final(request, pk):
    round_ = organizer_round_or_404(request, pk)
    return message_action(
        request,
        lambda: publication_confirm_final(round_=round_, actor=request.user),
        _("The final list is confirmed and advancement is applied."),
        done=_done(round_),
    )


# --- objections ------------------------------------------------------------------------------


def objections_page(request, contest, forms: dict | None = None):
    """The contest's objections, open ones first; `forms` (objection id → form) shows a
    decision's errors in place."""
    forms = forms or {}
    objections = list(
        objection_list_for_user(user=request.user, contest=contest).select_related(
            "solution__team", "publication__round"
        )
    )
    objections.sort(key=lambda o: (o.status != ObjectionStatus.OPEN, o.pk))
    for o in objections:
        if o.status == ObjectionStatus.OPEN:
            o.decide_form = forms.get(o.pk) or ObjectionDecideForm(target=o.pk)
    context = {"contest": contest, "objections": objections, "section": "objections"}
    return render(request, "results/staff/objections.html", context)


@login_required
@require_safe
def dashboard_objections(request, slug):
    return objections_page(request, organizer_contest_or_404(request, slug))


@staff_action
def objection_decide_view(request, slug, pk):
    contest = organizer_contest_or_404(request, slug)
    objection = get_object_or_404(contest_objection_get(contest=contest, pk=pk))
    form = ObjectionDecideForm(request.POST, target=objection.pk)
    return form_action(
        request,
        form,
        lambda data: objection_decide(
            objection=objection, actor=request.user, uphold=data["decision"] == "uphold", response=data["response"]
        ),
        _("The objection has been decided."),
        done=reverse("dashboard_objections", args=[contest.slug]),
        page=lambda: objections_page(request, contest, {objection.pk: form}),
    )


# --- awards ----------------------------------------------------------------------------------


def awards_page(request, contest, *, form=None, revoke_forms=None, reissue_forms=None):
    """Before confirmation: the rank-range form. Once awards exist they are shown as confirmed
    (no range form: confirming again is refused), each with revoke and, once revoked, re-issue.
    The keyword forms, when given, are an action's form with its errors (by award id)."""
    revoke_forms, reissue_forms = revoke_forms or {}, reissue_forms or {}
    awards = awards_for_organizer(contest=contest)
    if awards:
        form = None
    elif form is None:
        form = AwardsForm(contest=contest)
    reissued = {a.replaces_id for a in awards if a.replaces_id}
    pending = objection_pending_solution_ids(solution_ids=[a.solution_id for a in awards], contest=contest)
    for a in awards:
        a.objection_pending = a.solution_id in pending
        if a.revoked_at is None:
            a.revoke_form = revoke_forms.get(a.pk) or AwardRevokeForm(target=a.pk)
        elif a.pk not in reissued:
            a.reissue_form = reissue_forms.get(a.pk) or AwardReissueForm(
                target=a.pk, initial={"level": a.level, "final_rank": a.final_rank, "matched": a.matched}
            )
    last = final_round(contest)
    context = {
        "contest": contest,
        "form": form,
        "final_round": last,
        "final_publication": current_publication(last) if last else None,
        "awards": awards,
        "section": "awards",
    }
    return render(request, "results/staff/awards.html", context)


@login_required
@require_safe
def dashboard_awards(request, slug):
    return awards_page(request, organizer_contest_or_404(request, slug))


@staff_action
def awards_confirm_view(request, slug):
    contest = organizer_contest_or_404(request, slug)
    done = reverse("dashboard_awards", args=[contest.slug])
    if award_count(contest=contest):
        # Confirmed awards are never re-ranked: the service refuses; say why.
        run_action(request, lambda: awards_confirm(contest=contest, actor=request.user), "")
        return redirect(done)
    form = AwardsForm(request.POST, contest=contest)
    return form_action(
        request,
        form,
        lambda data: awards_confirm(
            contest=contest, actor=request.user, ranges=data["ranges"], merit_round=data["merit_round"]
        ),
        _("The awards are confirmed."),
        done=done,
        page=lambda: awards_page(request, contest, form=form),
    )


@staff_action
def award_revoke_view(request, slug, pk):
    contest = organizer_contest_or_404(request, slug)
    award = get_object_or_404(contest_award_get(contest=contest, pk=pk))
    form = AwardRevokeForm(request.POST, target=award.pk)
    return form_action(
        request,
        form,
        lambda data: award_revoke(award=award, actor=request.user, reason=data["reason"]),
        _("The award is revoked."),
        done=reverse("dashboard_awards", args=[contest.slug]),
        page=lambda: awards_page(request, contest, revoke_forms={award.pk: form}),
    )


@staff_action
def award_reissue_view(request, slug, pk):
    contest = organizer_contest_or_404(request, slug)
    award = get_object_or_404(contest_award_get(contest=contest, pk=pk))
    form = AwardReissueForm(request.POST, target=award.pk)
    return form_action(
        request,
        form,
        lambda data: award_reissue(revoked=award, actor=request.user, **data),
        _("The award is issued again with a new certificate code."),
        done=reverse("dashboard_awards", args=[contest.slug]),
        page=lambda: awards_page(request, contest, reissue_forms={award.pk: form}),
    )
