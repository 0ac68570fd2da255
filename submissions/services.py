"""Teams, solutions, versions, submissions and qualification. Every function here is a use case."""


def solutions_on_scenario_withdrawn(*, scenario, actor) -> None:
    """Called by contest.services when an organizer approves a scenario's withdrawal (撤榜).

    Submitted solutions become pending transfer, drafts become void; teams are notified.
    Must run inside the caller's transaction.
    """
