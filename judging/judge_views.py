"""Judge pages: my assignments with progress, the scoring sheet, conflict declaration.

Every page starts from `judging.selectors.assignment_list_for_judge`, so another judge's
assignment, an ended one or one the judge conflicts with is a 404. In a blind round nothing on
these pages names the team, its members, its organizations or the uploader: the selector does
not even join the team, and file names are neutral.
"""

from collections import OrderedDict
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from config.api import ApplicationError
from contest.security_events import record_form_refusal
from judging.enums import ReviewStatus
from judging.judge_forms import (
    ACTION_DRAFT,
    ACTION_SUBMIT,
    ConflictDeclareForm,
    ScoreSheetForm,
    score_field_name,
)
from judging.models import JudgeAssignment, Review
from judging.permissions import can_declare_conflict, can_score_assignment
from judging.selectors import assignment_get_for_judge, assignment_list_for_judge, rubric_for_track
from judging.services.conflicts import conflict_declare
from judging.services.scoring import judge_total, judging_window_open, review_save_draft, review_submit

LOCKED_STATUSES = (ReviewStatus.SUBMITTED, ReviewStatus.VOIDED)


def _review(assignment: JudgeAssignment) -> Review | None:
    try:
        return assignment.review
    except JudgeAssignment.review.RelatedObjectDoesNotExist:
        return None


@login_required
def judge_home(request):
    """My assignments grouped by round, each round with "n / m submitted" and a progress bar."""
    rounds: OrderedDict = OrderedDict()
    for assignment in assignment_list_for_judge(judge=request.user):
        review = _review(assignment)
        assignment.review_status = review.status if review else ""
        assignment.review_status_label = review.get_status_display() if review else _("Not started")
        entry = rounds.setdefault(
            assignment.round_id,
            {
                "round": assignment.round,
                "assignments": [],
                "submitted": 0,
                "open": judging_window_open(assignment.round),
            },
        )
        entry["assignments"].append(assignment)
        if assignment.review_status == ReviewStatus.SUBMITTED:
            entry["submitted"] += 1
    groups = list(rounds.values())
    for group in groups:
        total = len(group["assignments"])
        group["total"] = total
        group["percent"] = round(100 * group["submitted"] / total) if total else 0
    return render(request, "judging/judge/home.html", {"groups": groups})


def _own_assignment(request, pk):
    assignment = assignment_get_for_judge(judge=request.user, assignment_id=pk)
    if assignment is None or not can_score_assignment(request.user, assignment):
        raise Http404
    return assignment


def _files(assignment, *, blind: bool) -> list[dict]:
    version = assignment.solution.final_version
    if version is None:
        return []
    files = []
    for f in version.files.all():
        ext = f.original_name.rpartition(".")[2] if "." in f.original_name else "bin"
        name = f"solution-{assignment.solution_id}-v{version.number}-{f.kind}.{ext}" if blind else f.original_name
        files.append(
            {
                "name": name,
                "kind": f.get_kind_display(),
                "size": f.size,
                "sha256": f.sha256,
                "url": reverse("submissions-api:file-download", kwargs={"pk": f.pk}),
            }
        )
    return files


def _team_facts(assignment) -> dict | None:
    """Who submitted the solution, for rounds that are not blind (None when blind)."""
    if assignment.round.blind_review:
        return None
    team = assignment.solution.team
    return {"name": team.name, "lead_unit": str(team.lead_unit)}


def _apply_service_error(form, exc: ApplicationError) -> None:
    record_form_refusal(exc)  # a refused state change is recorded
    extra = getattr(exc, "extra", None) or {}
    message = str(exc.detail)
    criterion_ids = extra.get("missing") or ([extra["criterion"]] if "criterion" in extra else [])
    placed = False
    for criterion in form.criteria:
        if criterion.pk in criterion_ids:
            form.add_error(score_field_name(criterion), message)
            placed = True
    if not placed:
        form.add_error(None, message)


@login_required
@require_http_methods(["GET", "POST"])
def judge_assignment(request, pk):
    """The scoring sheet: rubric with guidance, one number per criterion, a running weighted total
    (static/js/scoring.js, the same formula as the server), save draft, submit (confirmed)."""
    assignment = _own_assignment(request, pk)
    round_ = assignment.round
    solution = assignment.solution
    rubric = rubric_for_track(round_=round_, track_id=solution.scenario.track_id)
    criteria = list(rubric.criteria.order_by("order", "id")) if rubric else []
    review = _review(assignment)
    window_open = judging_window_open(round_)
    editable = bool(rubric and criteria and window_open and not (review and review.status in LOCKED_STATUSES))
    step = rubric.score_step if rubric else Decimal("0.5")

    initial = {"comment": review.comment if review else "", "team_comment": review.team_comment if review else ""}
    saved = {s.criterion_id: s.value for s in review.scores.all()} if review else {}
    for criterion in criteria:
        if criterion.pk in saved:
            initial[score_field_name(criterion)] = saved[criterion.pk]

    action = request.POST.get("action") if request.method == "POST" else ACTION_DRAFT
    action = ACTION_SUBMIT if action == ACTION_SUBMIT else ACTION_DRAFT
    form = ScoreSheetForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        criteria=criteria,
        step=step,
        action=action,
        disabled=not editable,
    )
    if request.method == "POST":
        if not editable:
            messages.error(request, _("This review can no longer be changed."))
            return redirect("judge_assignment", pk=assignment.pk)
        if form.is_valid():
            service = review_submit if action == ACTION_SUBMIT else review_save_draft
            try:
                service(
                    judge=request.user,
                    assignment_id=assignment.pk,
                    scores=form.score_entries(),
                    comment=form.cleaned_data["comment"],
                    team_comment=form.cleaned_data["team_comment"],
                )
            except ApplicationError as exc:
                _apply_service_error(form, exc)
            else:
                if action == ACTION_SUBMIT:
                    messages.success(request, _("Your review has been submitted."))
                    return redirect("judge_home")
                messages.success(request, _("Your draft has been saved."))
                return redirect("judge_assignment", pk=assignment.pk)

    total = None
    if criteria and all(c.pk in saved for c in criteria):
        total = judge_total(saved, criteria).quantize(Decimal("0.01"))
    context = {
        "assignment": assignment,
        "round": round_,
        "solution": solution,
        "scenario": solution.scenario,
        "rubric": rubric,
        "form": form,
        "review": review,
        "editable": editable,
        "window_open": window_open,
        "total": total,
        "files": _files(assignment, blind=round_.blind_review),
        "team": _team_facts(assignment),
        "blind": round_.blind_review,
    }
    return render(request, "judging/judge/assignment.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def judge_conflict(request, pk):
    """Declare a conflict of interest on an assigned solution (ends the assignment)."""
    assignment = _own_assignment(request, pk)
    if not can_declare_conflict(request.user, assignment):
        raise Http404
    form = ConflictDeclareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            conflict_declare(judge=request.user, assignment=assignment, reason=form.cleaned_data["reason"])
        except ApplicationError as exc:
            record_form_refusal(exc)  # a refused state change is recorded
            form.add_error("reason" if getattr(exc, "code", "") == "reason_required" else None, str(exc.detail))
        else:
            messages.success(request, _("Your conflict of interest has been recorded; the solution left your list."))
            return redirect("judge_home")
    return render(
        request,
        "judging/judge/conflict.html",
        {"assignment": assignment, "solution": assignment.solution, "round": assignment.round, "form": form},
    )
