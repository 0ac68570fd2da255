"""The qualification queue of a contest's first round, and the organizer's decision on each
solution in it. The overview of the contest counts the queue (`overview`)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from contest.clock import deadline_passed, now
from contest.selectors import first_round_of
from contest.staff.base import form_action, organizer_contest_or_404, staff_action
from contest.staff.overview import overview_contributor

from ..selectors import (
    contest_solution_get,
    qualification_decided,
    qualification_queue,
    qualification_queue_count,
)
from ..services import eligibility_decide
from .forms import QualificationForm


@overview_contributor
def overview(request, contest, forms) -> dict:
    return {
        "q_round": first_round_of(contest),
        "counts": {"qualification": qualification_queue_count(contest=contest)},
    }


def qualification_page(request, contest, forms: dict | None = None):
    """The queue; `forms` (solution id → bound form) shows a decision's errors in place."""
    forms = forms or {}
    q_round = first_round_of(contest)
    queue = qualification_queue(contest=contest)
    for s in queue:
        s.decision_form = forms.get(s.pk) or QualificationForm(target=s.pk)
        s.files = [
            {"f": f, "url": reverse("submissions-api:file-download", kwargs={"pk": f.pk})}
            for f in (s.final_version.files.all() if s.final_version else [])
        ]
    context = {
        "contest": contest,
        "q_round": q_round,
        "review_open": bool(q_round and deadline_passed(q_round.submission_deadline, now())),
        "queue": queue,
        "decided": qualification_decided(contest=contest),
        "section": "qualification",
    }
    return render(request, "submissions/staff/qualification.html", context)


@login_required
@require_safe
def dashboard_qualification(request, slug):
    return qualification_page(request, organizer_contest_or_404(request, slug))


@staff_action
def qualify(request, slug, pk):
    contest = organizer_contest_or_404(request, slug)
    solution = get_object_or_404(contest_solution_get(contest=contest, pk=pk))
    form = QualificationForm(request.POST, target=solution.pk)
    return form_action(
        request,
        form,
        lambda data: eligibility_decide(
            actor=request.user,
            solution=solution,
            outcome=data["outcome"],
            reason=data["reason"],
            supplement_deadline=data["supplement_deadline"],
        ),
        _("The decision on “%(title)s” is recorded.") % {"title": solution.title},
        done=reverse("dashboard_qualification", args=[contest.slug]),
        page=lambda: qualification_page(request, contest, {solution.pk: form}),
    )
