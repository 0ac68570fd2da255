"""What judging answers for submissions, installed from `JudgingConfig.ready()`.

Submissions does not import judging (the dependency points judging → submissions), yet its
pages and selectors need answers only judging can give, because they rest on judging's
one conflict rule (`judging.services.conflicts.ConflictIndex`) and its results: which
solutions a judge sees and which of them in a blind round (a team's published results come from
judging.results, judging/results/hooks.py). Judging installs them here (dependency inversion),
and connects its conflict sweep to `submissions.signals.team_facts_changed`.
"""

from dataclasses import replace

from submissions.selectors import install_judging_hooks, judging_hooks
from submissions.signals import team_facts_changed

from .selectors import solution_ids_assigned_blind, solution_ids_visible_to_judge
from .services.conflicts import conflicts_sweep


def _sweep_conflicts(sender, *, actor, contest_id, team_ids, **kwargs):
    """A team's facts changed: judges now in conflict lose their assignments (same transaction)."""
    conflicts_sweep(actor=actor, contest_id=contest_id, team_ids=team_ids)


def install() -> None:
    install_judging_hooks(
        replace(judging_hooks(), visible_ids=solution_ids_visible_to_judge, blind_ids=solution_ids_assigned_blind)
    )
    team_facts_changed.connect(_sweep_conflicts, dispatch_uid="judging.conflicts_sweep")
