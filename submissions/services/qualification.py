"""Qualification review (资格审查): eligibility decisions and supplements (补正)."""

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext

from contest import clock
from contest.audit import audit_record
from contest.models import Round, User

from .. import files as file_checks
from .. import permissions
from ..enums import (
    EligibilityOutcome,
    EntryStatus,
    SolutionStatus,
)
from ..errors import (
    CaptainOnlyError,
    NoFilesError,
    OrganizerOnlyError,
    ReasonRequiredError,
    ReviewNotOpenError,
    SolutionStateError,
    SupplementChangesLockedContentError,
    SupplementDeadlinePassedError,
)
from ..models import (
    EligibilityDecision,
    RoundEntry,
    Solution,
    SubmissionReceipt,
)
from ..selectors import (
    latest_eligibility_decision,
    next_round,
    qualification_round,
    round_deadline_passed,
)
from ._common import (
    SUPPLEMENT_TTL,
    _fmt,
    _local,
    _lock_solution,
    _notify_team,
    _solution_context,
    _solution_state,
)
from ._versions import (
    _activate_entry,
    _create_version_locked,
    _issue_receipt,
    _notify_receipt,
    _prepare_uploads,
    _store_all,
)


def eligibility_decide(
    *,
    actor: User,
    solution: Solution,
    outcome: str,
    reason: str = "",
    supplement_deadline: dt.datetime | None = None,
) -> EligibilityDecision:
    """An organizer reviews a submitted solution after the qualification round's deadline.

    qualified → solution qualified, its entry advanced and an ACTIVE entry in the next round;
    disqualified (reason required) → solution disqualified, entry eliminated;
    supplement requested (reason required, deadline default 48 h) → the team may supplement
    attachments until then. Notices `qualification_decision` or `supplement_requested` to the
    team; audit `eligibility.decide`.
    """
    if not permissions.can_decide_eligibility(actor, solution):
        raise OrganizerOnlyError()
    reason = (reason or "").strip()
    if outcome not in EligibilityOutcome.values:
        raise SolutionStateError(extra={"outcome": outcome})
    if outcome != EligibilityOutcome.QUALIFIED and not reason:
        raise ReasonRequiredError()
    with transaction.atomic():
        # Solution row: two organizers deciding at once must not both apply.
        solution = _lock_solution(solution.pk)
        at = clock.now()
        round_ = qualification_round(solution.contest)
        if round_ is None or not round_deadline_passed(round_, at):
            raise ReviewNotOpenError()
        if solution.status not in (SolutionStatus.SUBMITTED, SolutionStatus.SUPPLEMENT_REQUESTED):
            raise SolutionStateError(extra={"status": solution.status})
        entry = RoundEntry.objects.filter(round=round_, solution=solution).first()
        if entry is None:
            raise SolutionStateError(extra={"status": solution.status, "entry": None})
        if outcome == EligibilityOutcome.SUPPLEMENT_REQUESTED:
            supplement_deadline = supplement_deadline or at + SUPPLEMENT_TTL
            if clock.deadline_passed(supplement_deadline, at):
                raise SupplementDeadlinePassedError()
        else:
            supplement_deadline = None
        before = _solution_state(solution)
        decision = EligibilityDecision.objects.create(
            solution=solution,
            round=round_,
            outcome=outcome,
            reason=reason,
            supplement_deadline=supplement_deadline,
            reviewer=actor,
        )
        _apply_decision(solution=solution, entry=entry, round_=round_, outcome=outcome, reason=reason)
        audit_record(
            actor=actor,
            action="eligibility.decide",
            obj=solution,
            before=before,
            after=_solution_state(solution)
            | {
                "decision": decision.pk,
                "outcome": outcome,
                "reason": reason,
                "supplement_deadline": supplement_deadline,
            },
        )
        _notify_decision(solution, decision)
    return decision


def _apply_decision(*, solution: Solution, entry: RoundEntry, round_: Round, outcome: str, reason: str) -> None:
    if outcome == EligibilityOutcome.QUALIFIED:
        solution.status = SolutionStatus.QUALIFIED
        solution.status_reason = ""
        entry.status = EntryStatus.ADVANCED
        following = next_round(round_)
        if following is not None:
            _activate_entry(following, solution)
    elif outcome == EligibilityOutcome.DISQUALIFIED:
        solution.status = SolutionStatus.DISQUALIFIED
        solution.status_reason = reason
        entry.status = EntryStatus.ELIMINATED
    else:
        solution.status = SolutionStatus.SUPPLEMENT_REQUESTED
        solution.status_reason = reason
    solution.save(update_fields=["status", "status_reason", "updated_at"])
    entry.save(update_fields=["status", "updated_at"])


def _notify_decision(solution: Solution, decision: EligibilityDecision) -> None:
    kind = (
        "supplement_requested"
        if decision.outcome == EligibilityOutcome.SUPPLEMENT_REQUESTED
        else "qualification_decision"
    )
    following = next_round(decision.round)
    context = _solution_context(solution) | {
        "outcome": decision.outcome,
        "qualified": decision.outcome == EligibilityOutcome.QUALIFIED,
        "next_round_name": following.name if following else "",
        "reason": decision.reason,
        "supplement_deadline": _local(decision.supplement_deadline, solution.contest),
    }
    _notify_team(team=solution.team, kind=kind, key=str(decision.pk), context=context)


def solution_supplement(
    *,
    actor: User,
    solution: Solution,
    uploads: Sequence[tuple[str, object]],
    title: str | None = None,
    abstract: str | None = None,
) -> SubmissionReceipt:
    """The captain supplies the supplement (补正) before its deadline.

    Only attachments may change: title, abstract and the proposal must equal the final
    version's (compared by SHA-256). Creates a new version (kinds not uploaded carried over
    from the final version), makes it final, issues a receipt and puts the solution back to
    submitted for a new review. After the deadline: `supplement_deadline_passed`, nothing
    changes (the expiry sweep disqualifies). Audit `solution.supplement`.
    """
    if not permissions.can_supplement_solution(actor, solution):
        raise CaptainOnlyError()
    if not uploads:
        raise NoFilesError()
    round_ = qualification_round(solution.contest)
    prepared = _prepare_uploads(uploads, limit=round_.max_upload_bytes if round_ else 0)
    stored_names: list[str] = []
    try:
        with transaction.atomic():
            # Solution row: the supplement and the expiry sweep must not both apply.
            solution = _lock_solution(solution.pk)
            at = clock.now()
            if solution.status != SolutionStatus.SUPPLEMENT_REQUESTED:
                raise SolutionStateError(extra={"status": solution.status})
            decision = latest_eligibility_decision(solution)
            deadline = decision.supplement_deadline if decision else None
            if deadline is None or clock.deadline_passed(deadline, at):
                raise SupplementDeadlinePassedError(extra={"deadline": _fmt(deadline)})
            final = solution.final_version
            new_title = final.title if title is None else title.strip()
            new_abstract = final.abstract if abstract is None else abstract
            if new_title != final.title or new_abstract != final.abstract:
                raise SupplementChangesLockedContentError(extra={"field": "title/abstract"})
            locked = {f.sha256 for f in final.files.filter(kind="proposal")}
            for kind, _upload, checked in prepared:
                if kind == "proposal" and checked.sha256 not in locked:
                    raise SupplementChangesLockedContentError(extra={"field": "proposal"})
            stored = _store_all(solution, prepared, stored_names)
            version = _create_version_locked(
                solution=solution,
                actor=actor,
                round_=round_,
                title=new_title,
                abstract=new_abstract,
                stored=stored,
                carry_from=final,
                at=at,
            )
            before = _solution_state(solution)
            solution.status = SolutionStatus.SUBMITTED
            solution.status_reason = ""
            solution.final_version = version
            solution.save(update_fields=["status", "status_reason", "final_version", "updated_at"])
            receipt = _issue_receipt(solution=solution, version=version, round_=round_, actor=actor, at=at)
            audit_record(
                actor=actor,
                action="solution.supplement",
                obj=solution,
                before=before,
                after=_solution_state(solution) | {"receipt": receipt.code, "sha256": receipt.sha256},
            )
            _notify_receipt(solution, receipt, version)
    except BaseException:
        file_checks.delete_stored_quietly(stored_names)
        raise
    return receipt


def supplements_expire(*, at: dt.datetime | None = None) -> int:
    """Solutions whose supplement deadline passed without a supplement are disqualified.

    The decision is recorded in the name of the organizer who requested the supplement.
    Idempotent: only solutions still awaiting a supplement change. Returns how many.
    """
    at = at or clock.now()
    count = 0
    candidates = Solution.objects.filter(status=SolutionStatus.SUPPLEMENT_REQUESTED).values_list("pk", flat=True)
    for solution_id in list(candidates):
        with transaction.atomic():
            solution = _lock_solution(solution_id)
            if solution.status != SolutionStatus.SUPPLEMENT_REQUESTED:
                continue
            request = latest_eligibility_decision(solution)
            if request is None or not clock.deadline_passed(request.supplement_deadline, at):
                continue
            entry = RoundEntry.objects.filter(round=request.round, solution=solution).first()
            reason = gettext("No supplement (补正) was received before the deadline.")
            before = _solution_state(solution)
            decision = EligibilityDecision.objects.create(
                solution=solution,
                round=request.round,
                outcome=EligibilityOutcome.DISQUALIFIED,
                reason=reason,
                reviewer=request.reviewer,
            )
            if entry is not None:
                _apply_decision(
                    solution=solution, entry=entry, round_=request.round, outcome=decision.outcome, reason=reason
                )
            else:  # pragma: no cover - decisions require an entry
                solution.status = SolutionStatus.DISQUALIFIED
                solution.status_reason = reason
                solution.save(update_fields=["status", "status_reason", "updated_at"])
            audit_record(
                actor=None,
                action="eligibility.supplement_expired",
                obj=solution,
                before=before,
                after=_solution_state(solution) | {"decision": decision.pk},
            )
            _notify_decision(solution, decision)
            count += 1
    return count
