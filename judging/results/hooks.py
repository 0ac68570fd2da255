"""What judging.results answers for submissions, installed from `ResultsConfig.ready()`: a team's
published results and anonymised feedback on its solution page (submissions must not import
results; see judging/hooks.py for the judge's view).
"""

from dataclasses import replace

from django.http import Http404
from django.urls import reverse

from contest import clock
from submissions.permissions import is_team_member
from submissions.selectors import install_judging_hooks, judging_hooks

from .models import Publication
from .selectors import feedback_for_team_member


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


def install() -> None:
    install_judging_hooks(replace(judging_hooks(), team_results=team_results_for_solution))
