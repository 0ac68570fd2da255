"""What submissions does when the contest app below it reports a change (contest.signals).

Connected in SubmissionsConfig.ready; each receiver runs in the sender's transaction.
"""

from contest import signals

from .services import member_organization_follow_profile, solutions_on_scenario_withdrawn


def on_scenario_withdrawn(sender, *, scenario, actor, **kwargs) -> None:
    solutions_on_scenario_withdrawn(scenario=scenario, actor=actor)


def on_profile_organization_changed(sender, *, user, **kwargs) -> None:
    member_organization_follow_profile(actor=user)


def connect() -> None:
    signals.scenario_withdrawn.connect(on_scenario_withdrawn, dispatch_uid="submissions.scenario_withdrawn")
    signals.profile_organization_changed.connect(
        on_profile_organization_changed, dispatch_uid="submissions.profile_organization_changed"
    )
