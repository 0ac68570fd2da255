"""A scenario withdrawn (撤榜): its solutions go pending transfer, the captain moves them to another
scenario of the track before the first round's deadline, or they end."""

import datetime as dt

from django.db import transaction

from contest import clock
from contest.audit import audit_record
from contest.enums import ScenarioStatus
from contest.models import Contest, Scenario, User

from .. import permissions
from ..enums import (
    EntryStatus,
    SolutionStatus,
)
from ..errors import (
    CaptainOnlyError,
    EntryCapReachedError,
    SolutionExistsError,
    SolutionStateError,
    TransferNotAllowedError,
)
from ..models import (
    RoundEntry,
    Solution,
    TeamMembership,
)
from ..selectors import (
    qualification_round,
    round_deadline_passed,
)
from ._common import (
    IN_CONTEST_STATUSES,
    _counted_entries,
    _local,
    _lock_solution,
    _lock_team,
    _notify_team,
    _refuse_publisher_staff,
    _require_first_round_open,
    _solution_context,
    _solution_state,
)
from ._versions import (
    _activate_entry,
    _issue_receipt,
    _notify_receipt,
)


def solutions_on_scenario_withdrawn(*, scenario: Scenario, actor: User | None) -> None:
    """Called by contest.services when an organizer approves a scenario's withdrawal (撤榜).

    Must run inside the caller's transaction (which holds the scenario row). Submitted (and
    later-stage) solutions become pending transfer and leave their rounds; drafts become void;
    every affected team's members get a `scenario_withdrawn` notice. Audit per solution.
    Idempotent: solutions already moved on are left alone.
    """
    solutions = (
        Solution.objects.select_for_update(of=("self",))
        .filter(scenario=scenario)
        .select_related("contest", "team", "scenario")
        .order_by("id")
    )
    for solution in solutions:
        before = _solution_state(solution)
        if solution.status == SolutionStatus.DRAFT:
            solution.status = SolutionStatus.VOID
        elif solution.status in IN_CONTEST_STATUSES:
            solution.status = SolutionStatus.PENDING_TRANSFER
            RoundEntry.objects.filter(solution=solution, status=EntryStatus.ACTIVE).update(status=EntryStatus.WITHDRAWN)
        else:
            continue
        solution.status_reason = scenario.withdrawal_reason
        solution.save(update_fields=["status", "status_reason", "updated_at"])
        audit_record(
            actor=actor,
            action="solution.scenario_withdrawn",
            obj=solution,
            before=before,
            after=_solution_state(solution),
        )
        first_round = qualification_round(solution.contest)
        context = _solution_context(solution) | {
            "status": solution.status,
            "reason": scenario.withdrawal_reason,
            "transfer_possible": solution.status == SolutionStatus.PENDING_TRANSFER
            and first_round is not None
            and not round_deadline_passed(first_round, clock.now()),
            "deadline": _local(first_round.submission_deadline if first_round else None, solution.contest),
        }
        _notify_team(team=solution.team, kind="scenario_withdrawn", key=f"{scenario.pk}:{solution.pk}", context=context)


def solution_transfer(*, actor: User, solution: Solution, scenario: Scenario) -> Solution:
    """The captain moves a pending-transfer solution to another published scenario of the same
    track before the first round's deadline, keeping its versions.

    Back to submitted (or draft if it never had a final version). Audit `solution.transfer`.
    """
    if not permissions.can_transfer_solution(actor, solution):
        raise CaptainOnlyError()
    with transaction.atomic():
        # Team row: entry cap and one solution per (team, scenario) for the target.
        team = _lock_team(solution.team_id)
        # Solution row: its status and scenario change together.
        solution = _lock_solution(solution.pk)
        if solution.status != SolutionStatus.PENDING_TRANSFER:
            raise SolutionStateError(extra={"status": solution.status})
        at = clock.now()
        round_ = _require_first_round_open(solution.contest, at)
        old_scenario = solution.scenario
        if (
            scenario.pk == old_scenario.pk
            or scenario.track_id != old_scenario.track_id
            or scenario.status != ScenarioStatus.PUBLISHED
        ):
            raise TransferNotAllowedError(extra={"scenario": scenario.pk})
        _refuse_publisher_staff(
            contest_id=team.contest_id,
            user_ids=TeamMembership.objects.filter(team=team).values_list("user_id", flat=True),
            publisher_ids=[scenario.publisher_id],
        )
        if Solution.objects.filter(team=team, scenario=scenario).exists():
            raise SolutionExistsError()
        cap = team.contest.max_entries_per_team
        if _counted_entries(team, exclude_id=solution.pk) >= cap:
            raise EntryCapReachedError(extra={"limit": cap})
        before = _solution_state(solution)
        solution.scenario = scenario
        solution.status = SolutionStatus.SUBMITTED if solution.final_version_id else SolutionStatus.DRAFT
        solution.status_reason = ""
        fields = ["scenario", "status", "status_reason", "updated_at"]
        receipt = None
        if solution.final_version_id:
            # A transfer is a new submission to the new scenario: its time is now, with a
            # receipt. The earlier time must not carry over (it would win tie-breaks).
            solution.submitted_at = at
            fields.append("submitted_at")
        solution.save(update_fields=fields)
        if solution.final_version_id:
            _activate_entry(round_, solution)
            version = solution.final_version
            receipt = _issue_receipt(solution=solution, version=version, round_=round_, actor=actor, at=at)
        after = _solution_state(solution)
        if receipt is not None:
            after |= {"receipt": receipt.code, "sha256": receipt.sha256, "round": round_.pk}
        audit_record(actor=actor, action="solution.transfer", obj=solution, before=before, after=after)
        if receipt is not None:
            _notify_receipt(solution, receipt, version)
    return solution


def solutions_end_untransferred(*, at: dt.datetime | None = None, contest_id: int | None = None) -> int:
    """Pending-transfer solutions not moved by the first round's deadline end without judging.

    Idempotent (only pending-transfer rows change). Audit `solution.end` per solution.
    Returns how many ended.
    """
    at = at or clock.now()
    contests = Contest.objects.filter(solutions__status=SolutionStatus.PENDING_TRANSFER).distinct()
    if contest_id is not None:
        contests = contests.filter(pk=contest_id)
    ended = 0
    for contest in contests:
        first_round = qualification_round(contest)
        if first_round is None or not round_deadline_passed(first_round, at):
            continue
        with transaction.atomic():
            for solution in Solution.objects.select_for_update().filter(
                contest=contest, status=SolutionStatus.PENDING_TRANSFER
            ):
                before = _solution_state(solution)
                solution.status = SolutionStatus.ENDED
                solution.save(update_fields=["status", "updated_at"])
                audit_record(
                    actor=None, action="solution.end", obj=solution, before=before, after=_solution_state(solution)
                )
                ended += 1
    return ended
