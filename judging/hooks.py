"""What judging answers for submissions, installed from `JudgingConfig.ready()`.

Submissions does not import judging (the dependency points judging → submissions), yet its
pages and selectors need three answers only judging can give, because they rest on judging's
one conflict rule (`judging.services.conflicts.ConflictIndex`) and its results: which
solutions a judge sees, which of them in a blind round, and a team's published results. Judging
installs them here (dependency inversion), and connects its conflict sweep to
`submissions.signals.team_facts_changed`.
"""

from django.http import Http404
from django.urls import reverse

from contest import clock
from submissions.permissions import is_team_member
from submissions.selectors import JudgingHooks, install_judging_hooks
from submissions.signals import team_facts_changed

from .models import Publication
from .results_selectors import feedback_for_team_member
from .selectors import solution_ids_assigned_blind, solution_ids_visible_to_judge
from .services.conflicts import conflicts_sweep


def team_results_for_solution(*, user, solution):
    """The team's published results and anonymised feedback, round by round (only once published)."""
    if not is_team_member(user, solution.team):
        return None
    at = clock.now()
    rounds = []
    publications = (
        Publication.objects.filter(round__contest_id=solution.contest_id, superseded=False)
        .select_related("round")
        .order_by("round__sequence", "-number")
    )
    seen = set()
    for publication in publications:
        if publication.round_id in seen:
            continue
        seen.add(publication.round_id)
        try:
            feedback = feedback_for_team_member(user=user, round_=publication.round)
        except Http404:
            continue
        for item in feedback:
            if item["solution_id"] != solution.pk:
                continue
            window_open = clock.within_window(publication.publicity_starts_at, publication.publicity_ends_at, at)
            rounds.append(
                {
                    "round_name": publication.round.name,
                    "rank": item["rank"],
                    "score": item["score"],
                    "advanced": item["advanced"],
                    "objection_pending": item["objection_pending"],
                    "criteria": [
                        {"name": c["criterion"], "mean": c["mean"], "max": c["max_score"]}
                        for c in item["criterion_means"]
                    ],
                    "comments": [c["comment"] for c in item["comments"]],
                    "objection_url": reverse("objection_create", args=[publication.pk]) if window_open else "",
                }
            )
    return {"rounds": rounds} if rounds else None


def _sweep_conflicts(sender, *, actor, contest_id, team_ids, **kwargs):
    """A team's facts changed: judges now in conflict lose their assignments (same transaction)."""
    conflicts_sweep(actor=actor, contest_id=contest_id, team_ids=team_ids)


def install() -> None:
    install_judging_hooks(
        JudgingHooks(
            visible_ids=solution_ids_visible_to_judge,
            blind_ids=solution_ids_assigned_blind,
            team_results=team_results_for_solution,
        )
    )
    team_facts_changed.connect(_sweep_conflicts, dispatch_uid="judging.conflicts_sweep")
