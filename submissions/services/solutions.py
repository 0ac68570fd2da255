"""Solutions: taking up a scenario (揭榜), uploading versions, submitting, withdrawing.

Locking and times follow the package's rules (`submissions.services`)."""

import datetime as dt
from collections.abc import Sequence

from django.db import IntegrityError, transaction

from contest import clock
from contest.audit import audit_record
from contest.enums import ScenarioStatus
from contest.models import Round, Scenario, User
from contest.selectors import first_round_of

from .. import files as file_checks
from .. import hot_reads, permissions
from ..enums import (
    UNCOUNTED_STATUSES,
    EntryStatus,
    SolutionStatus,
)
from ..errors import (
    CaptainOnlyError,
    ConfirmationRequiredError,
    DeadlinePassedError,
    EntryCapReachedError,
    FileTooLargeError,
    MissingDocumentsError,
    NoFilesError,
    NotTeamMemberError,
    ScenarioNotOpenError,
    SolutionExistsError,
    SolutionStateError,
    SubmissionClosedError,
    VersionNotFoundError,
)
from ..models import (
    RoundEntry,
    Solution,
    SolutionVersion,
    SubmissionReceipt,
    Team,
    TeamMembership,
)
from ..selectors import (
    FIRST_ROUND_STATUSES,
    SUBMITTING_STATUSES,
    submission_round_for,
)
from ._common import (
    IN_CONTEST_STATUSES,
    _counted_entries,
    _lock_solution,
    _lock_team,
    _lock_team_row,
    _refuse_publisher_staff,
    _require_accepting,
    _require_first_round_open,
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


def _round_accepting(solution: Solution, at: dt.datetime) -> Round:
    """The round the solution submits to (`selectors.submission_round_for`), accepting
    submissions at `at`, or an error saying why there is none."""
    if solution.status not in SUBMITTING_STATUSES:
        raise SolutionStateError(extra={"status": solution.status})
    round_ = submission_round_for(solution)
    _require_accepting(round_, at)
    return round_


def solution_create(*, actor: User, team: Team, scenario: Scenario, title: str, abstract: str = "") -> Solution:
    """The captain takes up (揭榜) a published scenario while the first round accepts submissions.

    Within the contest's entry cap (withdrawn, pending-transfer, void and ended solutions do
    not count); one solution per (team, scenario). Audit `solution.create`.
    """
    if not permissions.can_create_solution(actor, team):
        raise CaptainOnlyError()
    if scenario.contest_id != team.contest_id or scenario.status != ScenarioStatus.PUBLISHED:
        raise ScenarioNotOpenError(extra={"status": scenario.status})
    with transaction.atomic():
        # Team row: two scenarios taken up at once must not both fit under the entry cap.
        team = _lock_team(team.pk)
        at = clock.now()
        _require_first_round_open(team.contest, at)
        _refuse_publisher_staff(
            contest_id=team.contest_id,
            user_ids=TeamMembership.objects.filter(team=team).values_list("user_id", flat=True),
            publisher_ids=[scenario.publisher_id],
        )
        if Solution.objects.filter(team=team, scenario=scenario).exists():
            raise SolutionExistsError()
        cap = team.contest.max_entries_per_team
        if _counted_entries(team) >= cap:
            raise EntryCapReachedError(extra={"limit": cap})
        try:
            with transaction.atomic():
                solution = Solution.objects.create(
                    contest=team.contest,
                    team=team,
                    scenario=scenario,
                    title=(title or "").strip() or scenario.title,
                    abstract=abstract or "",
                )
        except IntegrityError as exc:
            raise SolutionExistsError() from exc
        audit_record(actor=actor, action="solution.create", obj=solution, after=_solution_state(solution))
    return solution


def solution_version_create(
    *,
    actor: User,
    solution: Solution,
    title: str,
    abstract: str = "",
    uploads: Sequence[tuple[str, object]],
) -> SolutionVersion:
    """A member uploads a new immutable version (title, abstract, files by document kind).

    Files are checked (type from content, ZIP central directory, size within the round's
    limit) and stored under generated names *before* the solution row is locked, so the lock
    is short; on any failure the stored files are deleted. Locks the solution row: two uploads
    at once get distinct, gap-free numbers. Kinds not uploaded are carried over from the
    latest version. Audit `solution.version_create`.
    """
    if not permissions.can_upload_version(actor, solution):
        raise NotTeamMemberError()
    if not uploads:
        raise NoFilesError()
    # A fast refusal before any file is stored; the check that counts repeats on the locked row.
    # The caller's instance is usually read in this request; only when it says no is the row
    # read again, in case the instance predates a decision that moved it to another round.
    at = clock.now()
    try:
        round_ = _round_accepting(solution, at)
    except (DeadlinePassedError, SubmissionClosedError, SolutionStateError):
        solution = Solution.objects.get(pk=solution.pk)
        round_ = _round_accepting(solution, at)
    prepared = _prepare_uploads(uploads, limit=round_.max_upload_bytes)
    stored_names: list[str] = []
    try:
        stored = _store_all(solution, prepared, stored_names)
        with transaction.atomic():
            # Solution row: version numbers, and the deadline judged under the same lock as submit.
            locked = _lock_solution(solution.pk, related=False)
            at = clock.now()
            if solution.status in FIRST_ROUND_STATUSES and locked.status in FIRST_ROUND_STATUSES:
                # Still the contest's first round, read at the start of this request: only the
                # clock is read again (one statement less at the deadline; ARCHITECTURE.md, Deadlines).
                _require_accepting(round_, at)
            else:
                round_ = _round_accepting(locked, at)
            solution = locked
            if sum(checked.size for _k, checked, _n in stored) > round_.max_upload_bytes:
                raise FileTooLargeError(extra={"limit": round_.max_upload_bytes})
            carry_from = solution.versions.order_by("-number").first() if solution.version_count else None
            version = _create_version_locked(
                solution=solution,
                actor=actor,
                round_=round_,
                title=(title or "").strip() or solution.title,
                abstract=abstract or "",
                stored=stored,
                carry_from=carry_from,
                at=at,
            )
            audit_record(
                actor=actor,
                action="solution.version_create",
                obj=version,
                after={"solution": solution.pk, "number": version.number, "sha256": version.sha256},
            )
    except BaseException:
        file_checks.delete_stored_quietly(stored_names)
        raise
    return version


def _version_and_kinds(solution: Solution, number: int) -> tuple[SolutionVersion | None, set[str]]:
    """A version and the document kinds it holds, read in one statement (its files, each with
    the version joined); a version without files is read on its own."""
    files = hot_reads.files_with_version(solution.pk, number)
    if files:
        return files[0].version, {f.kind for f in files}
    return solution.versions.filter(number=number).first(), set()


def solution_submit(*, actor: User, solution: Solution, version_number: int) -> SubmissionReceipt:
    """The captain marks a version as the final submission for the round now accepting it.

    Preconditions checked under the locks, on the server clock: the round accepts submissions
    (`deadline_passed` otherwise), the version holds every document the round requires
    (`missing_documents`), a withdrawn solution coming back fits under the entry cap.
    Effects: solution submitted with this final version and a new submission time;
    RoundEntry(round) active; a receipt naming the version's SHA-256; `submission_receipt`
    notices to every member; audit `solution.submit`. A later submission replaces the final
    version; the receipts keep the history.
    """
    if not permissions.can_submit_solution(actor, solution):
        raise CaptainOnlyError()
    with transaction.atomic():
        # Team row: a withdrawn solution coming back must not overshoot the entry cap.
        _lock_team_row(solution.team_id)
        # Solution row: one final version at a time; serialises with uploads and withdrawal.
        solution = _lock_solution(solution.pk)
        at = clock.now()
        round_ = _round_accepting(solution, at)
        version, present = _version_and_kinds(solution, version_number)
        if version is None:
            raise VersionNotFoundError(extra={"version": version_number})
        missing = [kind for kind in (round_.required_documents or []) if kind not in present]
        if missing:
            raise MissingDocumentsError(extra={"missing": missing, "round": round_.pk})
        if solution.status in UNCOUNTED_STATUSES:
            cap = solution.contest.max_entries_per_team
            if _counted_entries(solution.team, exclude_id=solution.pk) >= cap:
                raise EntryCapReachedError(extra={"limit": cap})
        before = _solution_state(solution)
        if solution.status in (SolutionStatus.DRAFT, SolutionStatus.WITHDRAWN):
            solution.status = SolutionStatus.SUBMITTED
            solution.status_reason = ""
        solution.final_version = version
        solution.submitted_at = at
        # Listings show what was handed in.
        solution.title, solution.abstract = version.title, version.abstract
        fields = ["status", "status_reason", "final_version", "submitted_at", "title", "abstract", "updated_at"]
        solution.save(update_fields=fields)
        _activate_entry(round_, solution)
        receipt = _issue_receipt(solution=solution, version=version, round_=round_, actor=actor, at=at)
        audit_record(
            actor=actor,
            action="solution.submit",
            obj=solution,
            before=before,
            after=_solution_state(solution) | {"receipt": receipt.code, "sha256": receipt.sha256, "round": round_.pk},
        )
        _notify_receipt(solution, receipt, version)
    return receipt


def solution_withdraw(*, actor: User, solution: Solution, confirm: bool = False, reason: str = "") -> Solution:
    """Only the captain withdraws.

    Before the first round's deadline: withdrawn (may be submitted again; stops counting
    against the cap). After it: retirement (退赛), which needs `confirm=True`, is
    irreversible and leaves every round (entries marked withdrawn). Audit `solution.withdraw`
    or `solution.retire`.
    """
    if not permissions.can_withdraw_solution(actor, solution):
        raise CaptainOnlyError()
    with transaction.atomic():
        # Solution row: a withdrawal racing a submission sees one consistent status.
        solution = _lock_solution(solution.pk)
        at = clock.now()
        before = _solution_state(solution)
        first_round = first_round_of(solution.contest_id)
        open_now = first_round is not None and clock.round_accepts_submissions(first_round, at)
        if solution.status == SolutionStatus.DRAFT or (solution.status == SolutionStatus.SUBMITTED and open_now):
            solution.status = SolutionStatus.WITHDRAWN
            action = "solution.withdraw"
        elif solution.status in (*IN_CONTEST_STATUSES, SolutionStatus.PENDING_TRANSFER):
            if not confirm:
                raise ConfirmationRequiredError()
            solution.status = SolutionStatus.RETIRED
            action = "solution.retire"
        else:
            raise SolutionStateError(extra={"status": solution.status})
        solution.status_reason = reason or ""
        solution.save(update_fields=["status", "status_reason", "updated_at"])
        RoundEntry.objects.filter(solution=solution, status=EntryStatus.ACTIVE).update(
            status=EntryStatus.WITHDRAWN, updated_at=at
        )
        audit_record(
            actor=actor,
            action=action,
            obj=solution,
            before=before,
            after=_solution_state(solution) | {"reason": reason},
        )
    return solution
