"""Teams, solutions, versions, submissions and qualification. Every function here is a use case.

Locking discipline (pretix style): lock the row that guards a limit, once per transaction, as
late as possible, always in the order contest → round → team → invitation → solution. Each
`select_for_update` below names the race it prevents. `select_for_update` is a no-op on SQLite,
where writes are serialised by the database lock anyway; the race tests run on PostgreSQL.

Times come from `contest.clock.now()` read *after* the locks are held, so a deadline is judged
at the moment the transaction may commit the change, never from anything the client claims.
"""

import datetime as dt
import hashlib
import json
import os
import secrets
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from config.compiled import CompiledRead, insert_row, update_row
from contest import clock
from contest.audit import audit_record
from contest.enums import ContestStatus, Role, ScenarioStatus
from contest.models import Contest, ContestRole, Organization, Round, Scenario, User
from contest.roles import is_judge, is_organizer, is_track_host
from notifications.services import NoticeSpec, notify, notify_many

from . import files as file_checks
from . import permissions
from .enums import (
    UNCOUNTED_STATUSES,
    EligibilityOutcome,
    EntryStatus,
    InvitationStatus,
    MemberRole,
    SolutionStatus,
)
from .errors import (
    AlreadyInTeamError,
    AlreadyMemberError,
    CannotRemoveCaptainError,
    CaptainOnlyError,
    ConfirmationRequiredError,
    ContestNotOpenError,
    DeadlinePassedError,
    EmailNotVerifiedError,
    EntryCapReachedError,
    FileTooLargeError,
    InvalidCoUnitError,
    InvitationExpiredError,
    InvitationNotFoundError,
    InvitationNotYoursError,
    InvitationRevokedError,
    InvitationUsedError,
    MissingDocumentsError,
    NoFilesError,
    NotAMemberError,
    NotTeamMemberError,
    OrganizerOnlyError,
    PublisherStaffCannotCompeteError,
    ReasonRequiredError,
    ReviewNotOpenError,
    ScenarioNotOpenError,
    SolutionExistsError,
    SolutionStateError,
    StaffCannotCompeteError,
    SubmissionClosedError,
    SupplementChangesLockedContentError,
    SupplementDeadlinePassedError,
    TeamFactsFrozenError,
    TeamFullError,
    TeamNameTakenError,
    TooManyCoUnitsError,
    TransferNotAllowedError,
    VersionNotFoundError,
)
from .models import (
    EligibilityDecision,
    Invitation,
    RoundEntry,
    Solution,
    SolutionFile,
    SolutionVersion,
    SubmissionReceipt,
    Team,
    TeamMembership,
)
from .selectors import (
    latest_eligibility_decision,
    next_round,
    qualification_round,
    round_deadline_passed,
    team_facts_frozen,
)

INVITATION_TTL = dt.timedelta(days=7)
SUPPLEMENT_TTL = dt.timedelta(hours=48)

# Statuses in which the team still edits and submits for the first round (揭榜).
FIRST_ROUND_STATUSES = (SolutionStatus.DRAFT, SolutionStatus.SUBMITTED, SolutionStatus.WITHDRAWN)
# Statuses that take part in a later round (they hold an ACTIVE RoundEntry there).
LATER_ROUND_STATUSES = (SolutionStatus.QUALIFIED, SolutionStatus.ADVANCED)
# Statuses that retire (退赛) after the deadline and go pending transfer when the scenario is withdrawn.
IN_CONTEST_STATUSES = (
    SolutionStatus.SUBMITTED,
    SolutionStatus.SUPPLEMENT_REQUESTED,
    SolutionStatus.QUALIFIED,
    SolutionStatus.ADVANCED,
)


# --- helpers ---------------------------------------------------------------------------------


# `of=("self",)`: lock only the row itself. A plain FOR UPDATE over the joins would also lock the
# contest, team and scenario rows, so every upload and submission of a contest would queue behind
# one another at the deadline (bench/bench_deadline_rush.py).
def _lock_team(team_id: int) -> Team:
    return Team.objects.select_for_update(of=("self",)).select_related("contest").get(pk=team_id)


# The deadline requests' locks and reads are compiled once (config/compiled.py).
_TEAM_ROW_LOCK = CompiledRead(lambda team_id: Team.objects.select_for_update().filter(pk=team_id).values_list("pk"))
_SOLUTION_ROW_LOCK = CompiledRead(lambda pk: Solution.objects.select_for_update(of=("self",)).filter(pk=pk)[:1])
_SOLUTION_LOCK = CompiledRead(
    lambda pk: (
        Solution.objects.select_for_update(of=("self",)).select_related("contest", "team", "scenario").filter(pk=pk)[:1]
    )
)
_MEMBER_USERS = CompiledRead(
    lambda team_id: User.objects.filter(memberships__team_id=team_id).order_by("memberships__id")
)


def _lock_team_row(team_id: int) -> None:
    """`_lock_team` for a caller that needs only the lock, not the row."""
    if not _TEAM_ROW_LOCK.all(team_id):
        raise Team.DoesNotExist


def _lock_solution(solution_id: int, *, related: bool = True) -> Solution:
    """The solution row, locked; `related`: with its contest, team and scenario (not locked)."""
    solution = (_SOLUTION_LOCK if related else _SOLUTION_ROW_LOCK).first(solution_id)
    if solution is None:
        raise Solution.DoesNotExist
    return solution


def _counted_entries(team: Team, *, exclude_id: int | None = None) -> int:
    qs = Solution.objects.filter(team=team).exclude(status__in=UNCOUNTED_STATUSES)
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    return qs.count()


def _solution_state(solution: Solution) -> dict:
    return {
        "status": solution.status,
        "scenario": solution.scenario_id,
        "final_version": solution.final_version_id,
        "submitted_at": solution.submitted_at,
    }


def _member_users(team: Team) -> list[User]:
    """The team's members, in the order they joined."""
    return _MEMBER_USERS.all(team.pk)


def _notify_team(*, team: Team, kind: str, key: str, context: dict, users: Iterable[User] | None = None) -> None:
    """One notice per member, written together (two statements, not four per member and channel)."""
    notify_many(
        kind=kind,
        notices=[
            NoticeSpec(recipient=user, context=context, dedup_key=f"{kind}:{key}:{user.pk}")
            for user in (users if users is not None else _member_users(team))
        ],
    )


def _solution_context(solution: Solution) -> dict:
    return {
        "contest_name": solution.contest.name,
        "team_name": solution.team.name,
        "solution_title": solution.title,
        "solution_id": solution.pk,
        "scenario_title": solution.scenario.title,
    }


def _fmt(at: dt.datetime | None) -> str:
    return at.isoformat() if at else ""


def _local(at: dt.datetime | None, contest: Contest) -> str:
    """A time as users read it: in the contest's time zone, to the second."""
    if at is None:
        return ""
    return timezone.localtime(at, ZoneInfo(contest.time_zone or "Asia/Shanghai")).strftime("%Y-%m-%d %H:%M:%S")


def _require_first_round_open(contest: Contest, at: dt.datetime) -> Round:
    round_ = qualification_round(contest)
    _require_accepting(round_, at)
    return round_


def _require_accepting(round_: Round | None, at: dt.datetime) -> None:
    if round_ is None:
        raise SubmissionClosedError()
    if clock.round_accepts_submissions(round_, at):
        return
    if round_deadline_passed(round_, at):
        raise DeadlinePassedError(extra={"round": round_.pk, "deadline": _fmt(round_.submission_deadline)})
    raise SubmissionClosedError(extra={"round": round_.pk, "opens_at": _fmt(round_.submission_opens_at)})


def submission_round_for(solution: Solution, at: dt.datetime) -> Round:
    """The round this solution currently submits to, or an error saying why none does.

    First-round statuses submit to the contest's first round; qualified/advanced solutions to
    the latest round where they hold an ACTIVE entry.
    """
    if solution.status in FIRST_ROUND_STATUSES:
        round_ = qualification_round(solution.contest_id)
    elif solution.status in LATER_ROUND_STATUSES:
        entry = (
            RoundEntry.objects.filter(solution=solution, status=EntryStatus.ACTIVE)
            .select_related("round")
            .order_by("-round__sequence")
            .first()
        )
        round_ = entry.round if entry else None
    else:
        raise SolutionStateError(extra={"status": solution.status})
    _require_accepting(round_, at)
    return round_


def _version_digest(*, title: str, abstract: str, files: Sequence[tuple[str, str, str]]) -> str:
    """SHA-256 over the title, abstract and the sorted (kind, file SHA-256, name) manifest."""
    manifest = json.dumps(
        {"title": title, "abstract": abstract, "files": sorted([list(f) for f in files])},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(manifest.encode()).hexdigest()


def _receipt_code(at: dt.datetime) -> str:
    return f"JB{at:%Y%m%d}-{secrets.token_hex(5).upper()}"


# --- teams -----------------------------------------------------------------------------------


def _validate_co_units(*, contest: Contest, lead_unit: Organization, co_units: Sequence[Organization]) -> list:
    unique = list({org.pk: org for org in co_units}.values())
    if any(org.pk == lead_unit.pk for org in unique):
        raise InvalidCoUnitError()
    if len(unique) > contest.max_co_units:
        raise TooManyCoUnitsError(extra={"limit": contest.max_co_units, "given": len(unique)})
    return unique


def _refuse_frozen_facts(contest: Contest | int, at: dt.datetime) -> None:
    """After the first round's deadline the units and members are what judging rests on: only an
    organizer changes them (`fact_changes.fact_change_decide`)."""
    if team_facts_frozen(contest, at):
        raise TeamFactsFrozenError()


def _refuse_publisher_staff(*, contest_id: int, user_ids: Iterable[int], publisher_ids: Iterable[int]) -> None:
    """A publisher's staff (its publisher role in the contest) never competes on its scenarios."""
    publisher_ids = set(publisher_ids)
    if (
        publisher_ids
        and ContestRole.objects.filter(
            contest_id=contest_id, role=Role.PUBLISHER, user_id__in=list(user_ids), organization_id__in=publisher_ids
        ).exists()
    ):
        raise PublisherStaffCannotCompeteError()


def _refuse_contest_staff(actor: User, contest: Contest) -> None:
    """Organizers, track hosts and judges of a contest may not compete in it (they would judge
    or assign their own solution)."""
    if is_organizer(actor, contest) or is_judge(actor, contest) or is_track_host(actor, contest):
        raise StaffCannotCompeteError()


def team_create(
    *,
    actor: User,
    contest: Contest,
    name: str,
    lead_unit: Organization,
    co_units: Sequence[Organization] = (),
    organization: Organization | None = None,
) -> Team:
    """Register a team; the actor becomes its captain with their own organization.

    One team per user per contest (database constraint; a concurrent second registration gets
    `already_in_team`). Audit `team.create`.
    """
    if contest.status != ContestStatus.PUBLISHED:
        raise ContestNotOpenError()
    _refuse_contest_staff(actor, contest)
    name = (name or "").strip()
    co_units = _validate_co_units(contest=contest, lead_unit=lead_unit, co_units=co_units)
    with transaction.atomic():
        if TeamMembership.objects.filter(user=actor, contest=contest).exists():
            raise AlreadyInTeamError()
        if Team.objects.filter(contest=contest, name=name).exists():
            raise TeamNameTakenError()
        try:
            with transaction.atomic():
                team = Team.objects.create(contest=contest, name=name, captain=actor, lead_unit=lead_unit)
                TeamMembership.objects.create(
                    team=team,
                    contest=contest,
                    user=actor,
                    role=MemberRole.CAPTAIN,
                    organization=organization or actor.organization,
                )
        except IntegrityError as exc:
            if TeamMembership.objects.filter(user=actor, contest=contest).exists():
                raise AlreadyInTeamError() from exc
            raise TeamNameTakenError() from exc
        team.co_units.set(co_units)
        audit_record(
            actor=actor,
            action="team.create",
            obj=team,
            after={"name": name, "lead_unit": lead_unit.pk, "co_units": sorted(o.pk for o in co_units)},
        )
    return team


def team_update(
    *,
    actor: User,
    team: Team,
    name: str | None = None,
    lead_unit: Organization | None = None,
    co_units: Sequence[Organization] | None = None,
) -> Team:
    """The captain renames the team or changes its units (co-units capped by the contest).

    Units are frozen after the first round's deadline (`team_facts_frozen`): a change is then
    asked for with a `TeamFactChange`. A change of units settles the assignments of judges it
    brings into conflict (judging.services.conflicts)."""
    if not permissions.can_update_team(actor, team):
        raise CaptainOnlyError()
    with transaction.atomic():
        # Team row: two captains' edits (after a captaincy hand-over) must not interleave.
        team = _lock_team(team.pk)
        before = {
            "name": team.name,
            "lead_unit": team.lead_unit_id,
            "co_units": sorted(team.co_units.values_list("pk", flat=True)),
        }
        if name is not None and name.strip() != team.name:
            if Team.objects.filter(contest=team.contest, name=name.strip()).exclude(pk=team.pk).exists():
                raise TeamNameTakenError()
            team.name = name.strip()
        if lead_unit is not None:
            team.lead_unit = lead_unit
        units = list(team.co_units.all()) if co_units is None else co_units
        units = _validate_co_units(contest=team.contest, lead_unit=team.lead_unit, co_units=units)
        team.save(update_fields=["name", "lead_unit", "updated_at"])
        team.co_units.set(units)
        after = {"name": team.name, "lead_unit": team.lead_unit_id, "co_units": sorted(o.pk for o in units)}
        units_changed = (before["lead_unit"], before["co_units"]) != (after["lead_unit"], after["co_units"])
        if units_changed:
            _refuse_frozen_facts(team.contest, clock.now())
        audit_record(actor=actor, action="team.update", obj=team, before=before, after=after)
        if units_changed:
            _end_conflicted_assignments(actor=actor, team=team)
    return team


def member_organization_follow_profile(*, actor: User) -> list[int]:
    """The actor changed the organization on their profile: their memberships in teams whose
    facts are not frozen yet take it over (conflicts then follow, see `_end_conflicted_assignments`);
    frozen memberships keep what was recorded. Returns the teams changed. Audited per membership."""
    changed = []
    at = clock.now()
    with transaction.atomic():
        for membership in TeamMembership.objects.filter(user=actor).select_related("team").order_by("id"):
            if membership.organization_id == actor.organization_id or team_facts_frozen(membership.contest_id, at):
                continue
            team = _lock_team(membership.team_id)
            before = membership.organization_id
            TeamMembership.objects.filter(pk=membership.pk).update(organization_id=actor.organization_id)
            audit_record(
                actor=actor,
                action="team.member_organization",
                obj=team,
                before={"member": actor.pk, "organization": before},
                after={"member": actor.pk, "organization": actor.organization_id},
            )
            _end_conflicted_assignments(actor=actor, team=team)
            changed.append(team.pk)
    return changed


def _end_conflicted_assignments(*, actor: User, team: Team) -> None:
    """A team's members or units changed: judges now in conflict with its solutions lose their
    assignments (reviews voided) in the caller's transaction."""
    from judging.services.conflicts import conflicts_sweep  # judging imports submissions

    conflicts_sweep(actor=actor, contest_id=team.contest_id, team_ids=[team.pk])


def invitation_create(*, actor: User, team: Team, email: str) -> Invitation:
    """The captain invites someone by e-mail: single-use token, valid for 7 days.

    Side effects: a `team_invitation` notice to the address (in-app as well when an account
    with that address exists); audit `invitation.create` (the token is never audited).
    """
    if not permissions.can_invite_member(actor, team):
        raise CaptainOnlyError()
    email = (email or "").strip()
    _refuse_frozen_facts(team.contest_id, clock.now())
    with transaction.atomic():
        if TeamMembership.objects.filter(team=team, user__in=User.objects.with_verified_email(email)).exists():
            raise AlreadyMemberError()
        if TeamMembership.objects.filter(team=team).count() >= team.contest.max_team_size:
            raise TeamFullError(extra={"limit": team.contest.max_team_size})
        now = clock.now()
        invitation = Invitation.objects.create(
            team=team,
            email=email,
            token=secrets.token_urlsafe(32),
            expires_at=now + INVITATION_TTL,
            invited_by=actor,
        )
        audit_record(actor=actor, action="invitation.create", obj=invitation, after={"team": team.pk, "email": email})
        recipient = User.objects.with_verified_email(email).filter(is_active=True).order_by("id").first()
        notify(
            kind="team_invitation",
            recipient=recipient,
            email=email,
            dedup_key=f"team_invitation:{invitation.pk}",
            link=f"/invitations/{invitation.token}/",
            context={
                "contest_name": team.contest.name,
                "team_name": team.name,
                "inviter_name": str(actor),
                "token": invitation.token,
                "expires_at": _local(invitation.expires_at, team.contest),
            },
        )
    return invitation


def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    if not permissions.can_invite_member(actor, invitation.team):
        raise CaptainOnlyError()
    with transaction.atomic():
        updated = Invitation.objects.filter(pk=invitation.pk, status=InvitationStatus.PENDING).update(
            status=InvitationStatus.REVOKED
        )
        if not updated:
            raise InvitationUsedError()
        invitation.refresh_from_db()
        audit_record(actor=actor, action="invitation.revoke", obj=invitation, after={"status": invitation.status})
    return invitation


def _check_invitation(invitation: Invitation, *, actor: User, at: dt.datetime) -> None:
    if invitation.status == InvitationStatus.ACCEPTED:
        raise InvitationUsedError()
    if invitation.status == InvitationStatus.REVOKED:
        raise InvitationRevokedError()
    # Only a proven address is the invitee's: whoever registers an address next is not.
    if (actor.email or "").strip().casefold() != invitation.email.strip().casefold():
        raise InvitationNotYoursError()
    if not actor.has_verified_email:
        raise EmailNotVerifiedError()
    if clock.deadline_passed(invitation.expires_at, at):
        raise InvitationExpiredError()


def invitation_accept(*, actor: User, token: str) -> TeamMembership:
    """The invited person joins the team with their own organization.

    Locks the team row (member cap: two acceptances at once must not both see a free place),
    then the invitation (single use). Side effects: `member_joined` notices to the other
    members; audit `invitation.accept`; judges the newcomer brings into conflict (same
    organization group) lose their assignments to the team's solutions, reviews voided.
    """
    invitation = Invitation.objects.select_related("team").filter(token=token or "").first()
    if invitation is None:
        raise InvitationNotFoundError()
    _check_invitation(invitation, actor=actor, at=clock.now())
    _refuse_contest_staff(actor, invitation.team.contest)
    with transaction.atomic():
        team = _lock_team(invitation.team_id)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        at = clock.now()
        _check_invitation(invitation, actor=actor, at=at)
        _refuse_frozen_facts(team.contest, at)
        _refuse_publisher_staff(
            contest_id=team.contest_id,
            user_ids=[actor.pk],
            publisher_ids=Solution.objects.filter(team=team).values_list("scenario__publisher_id", flat=True),
        )
        existing = TeamMembership.objects.filter(user=actor, contest=team.contest).first()
        if existing is not None:
            raise AlreadyMemberError() if existing.team_id == team.pk else AlreadyInTeamError()
        if TeamMembership.objects.filter(team=team).count() >= team.contest.max_team_size:
            raise TeamFullError(extra={"limit": team.contest.max_team_size})
        others = _member_users(team)
        try:
            with transaction.atomic():
                membership = TeamMembership.objects.create(
                    team=team, contest=team.contest, user=actor, role=MemberRole.MEMBER, organization=actor.organization
                )
        except IntegrityError as exc:  # a concurrent registration in another team won
            raise AlreadyInTeamError() from exc
        invitation.status = InvitationStatus.ACCEPTED
        invitation.accepted_by = actor
        invitation.accepted_at = at
        invitation.save(update_fields=["status", "accepted_by", "accepted_at", "updated_at"])
        audit_record(
            actor=actor,
            action="invitation.accept",
            obj=invitation,
            after={"team": team.pk, "user": actor.pk, "membership": membership.pk},
        )
        _end_conflicted_assignments(actor=actor, team=team)
        _notify_team(
            team=team,
            kind="member_joined",
            key=str(membership.pk),
            users=others,
            context={"contest_name": team.contest.name, "team_name": team.name, "member_name": str(actor)},
        )
    return membership


def member_remove(*, actor: User, team: Team, user: User) -> None:
    """The captain removes a member (or a member leaves). The captain cannot be removed.

    Side effects: `member_removed` notice to the removed person; audit `team.member_remove`.
    """
    if not permissions.can_remove_member(actor, team, user):
        raise CaptainOnlyError()
    with transaction.atomic():
        team = _lock_team(team.pk)
        membership = TeamMembership.objects.filter(team=team, user=user).first()
        if membership is None:
            raise NotAMemberError()
        _refuse_frozen_facts(team.contest, clock.now())
        if membership.role == MemberRole.CAPTAIN:
            raise CannotRemoveCaptainError()
        membership.delete()
        audit_record(
            actor=actor, action="team.member_remove", obj=team, before={"member": user.pk}, after={"member": None}
        )
        notify(
            kind="member_removed",
            recipient=user,
            dedup_key=f"member_removed:{team.pk}:{user.pk}:{membership.pk}",
            context={
                "contest_name": team.contest.name,
                "team_name": team.name,
                "member_name": str(user),
                "removed_self": True,
            },
        )


def captain_transfer(*, actor: User, team: Team, new_captain: User) -> Team:
    """The captain hands the captaincy to another member; exactly one captain remains."""
    if not permissions.can_transfer_captaincy(actor, team):
        raise CaptainOnlyError()
    with transaction.atomic():
        # Team row: a concurrent hand-over or removal must see one consistent captain.
        team = _lock_team(team.pk)
        target = TeamMembership.objects.filter(team=team, user=new_captain).first()
        if target is None:
            raise NotAMemberError()
        if target.role == MemberRole.CAPTAIN:
            return team
        old_captain_id = team.captain_id
        # Demote first: the partial unique index allows one captain per team.
        TeamMembership.objects.filter(team=team, role=MemberRole.CAPTAIN).update(role=MemberRole.MEMBER)
        TeamMembership.objects.filter(pk=target.pk).update(role=MemberRole.CAPTAIN)
        team.captain = new_captain
        team.save(update_fields=["captain", "updated_at"])
        audit_record(
            actor=actor,
            action="team.captain_transfer",
            obj=team,
            before={"captain": old_captain_id},
            after={"captain": new_captain.pk},
        )
    return team


# --- solutions -------------------------------------------------------------------------------


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


def _prepare_uploads(uploads: Sequence[tuple[str, object]], *, limit: int) -> list:
    prepared = []
    total = 0
    for kind, upload in uploads:
        checked = file_checks.check_upload(upload, kind=kind, max_bytes=max(limit - total, 0))
        total += checked.size
        prepared.append((kind, upload, checked))
    return prepared


def _create_version_locked(
    *,
    solution: Solution,
    actor: User,
    round_: Round | None,
    title: str,
    abstract: str,
    stored: list,
    carry_from: SolutionVersion | None,
    at: dt.datetime,
) -> SolutionVersion:
    """Caller holds the solution row lock (so `version_count` was read current under it).
    Kinds not uploaded are carried over from `carry_from`."""
    solution.version_count += 1
    update_row(solution, ["version_count"])
    version = SolutionVersion(
        solution=solution,
        number=solution.version_count,
        round=round_,
        title=title,
        abstract=abstract,
        created_by=actor,
        created_at=at,
    )
    new_kinds = {kind for kind, _checked, _name in stored}
    rows = [
        SolutionFile(
            version=version,
            kind=kind,
            file=name,
            original_name=checked.original_name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
        )
        for kind, checked, name in stored
    ]
    if carry_from is not None:
        # The same stored file may back several versions: versions never delete files.
        rows += [
            SolutionFile(
                version=version,
                kind=f.kind,
                file=f.file.name,
                original_name=f.original_name,
                content_type=f.content_type,
                size=f.size,
                sha256=f.sha256,
            )
            for f in carry_from.files.order_by("id")
            if f.kind not in new_kinds
        ]
    version.sha256 = _version_digest(
        title=title, abstract=abstract, files=[(r.kind, r.sha256, r.original_name) for r in rows]
    )
    insert_row(version)
    for row in rows:
        row.version = version  # now with its primary key
    SolutionFile.objects.bulk_create(rows)
    # `version.files.all()` answers with the rows just written (in id order, as a read would),
    # the way prefetch_related fills its cache: the response needs no query to list them.
    files = SolutionFile.objects.filter(version=version)
    files._result_cache, files._prefetch_done = rows, True
    version._prefetched_objects_cache = {"files": files}
    return version


def _store_all(solution: Solution, prepared: list, stored_names: list) -> list:
    stored = []
    for kind, upload, checked in prepared:
        name = file_checks.store_upload(upload, solution_id=solution.pk, extension=checked.extension)
        stored_names.append(name)
        stored.append((kind, checked, name))
    return stored


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
        round_ = submission_round_for(solution, at)
    except (DeadlinePassedError, SubmissionClosedError, SolutionStateError):
        solution = Solution.objects.get(pk=solution.pk)
        round_ = submission_round_for(solution, at)
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
                round_ = submission_round_for(locked, at)
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


def _issue_receipt(
    *, solution: Solution, version: SolutionVersion, round_: Round | None, actor: User, at
) -> SubmissionReceipt:
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return insert_row(
                    SubmissionReceipt(
                        solution=solution,
                        version=version,
                        round=round_,
                        code=_receipt_code(at),
                        sha256=version.sha256,
                        submitted_by=actor,
                        submitted_at=at,
                    )
                )
        except IntegrityError:  # pragma: no cover - a 40-bit random code collided
            continue
    raise RuntimeError("could not allocate a receipt code")  # pragma: no cover


def _notify_receipt(solution: Solution, receipt: SubmissionReceipt, version: SolutionVersion) -> None:
    context = _solution_context(solution) | {
        "receipt_code": receipt.code,
        "version_number": version.number,
        "sha256": receipt.sha256,
        "submitted_at": _local(receipt.submitted_at, solution.contest),
        "round_name": receipt.round.name if receipt.round_id else "",
    }
    _notify_team(team=solution.team, kind="submission_receipt", key=str(receipt.pk), context=context)


def _activate_entry(round_: Round, solution: Solution) -> None:
    """The solution's entry in the round, created or made active, in one statement (an upsert)."""
    RoundEntry.objects.bulk_create(
        [RoundEntry(round=round_, solution=solution, status=EntryStatus.ACTIVE)],
        update_conflicts=True,
        unique_fields=["round", "solution"],
        update_fields=["status", "updated_at"],
    )


_FILES_WITH_VERSION = CompiledRead(
    lambda solution_id, number: SolutionFile.objects.filter(
        version__solution_id=solution_id, version__number=number
    ).select_related("version")
)


def _version_and_kinds(solution: Solution, number: int) -> tuple[SolutionVersion | None, set[str]]:
    """A version and the document kinds it holds, read in one statement (its files, each with
    the version joined); a version without files is read on its own."""
    files = _FILES_WITH_VERSION.all(solution.pk, number)
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
        round_ = submission_round_for(solution, at)
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
        update_row(solution, fields)
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
        first_round = qualification_round(solution.contest)
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


# --- qualification review (资格审查) -----------------------------------------------------------


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


# --- storage hygiene -------------------------------------------------------------------------

ORPHAN_GRACE = dt.timedelta(hours=1)


def orphan_files_sweep(*, older_than: dt.timedelta = ORPHAN_GRACE) -> int:
    """Delete stored solution files that no version refers to, and stale upload spool files.

    Uploads store files before their transaction commits; a crash or an outer transaction
    rolling back between the two leaves a file without a row. Files younger than `older_than`
    are left alone (their transaction may still be running). Idempotent. Returns how many went.
    """
    cutoff = clock.now() - older_than
    removed = 0
    try:
        solution_dirs, _files = default_storage.listdir("solutions")
    except FileNotFoundError:
        solution_dirs = []
    for directory in solution_dirs:
        if not directory.isdigit():
            continue
        referenced = set(
            SolutionFile.objects.filter(version__solution_id=int(directory)).values_list("file", flat=True)
        )
        _dirs, names = default_storage.listdir(f"solutions/{directory}")
        for name in names:
            path = f"solutions/{directory}/{name}"
            if path not in referenced and default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                removed += 1
    spool = os.path.join(settings.MEDIA_ROOT, file_checks.INCOMING_DIR)
    if os.path.isdir(spool):
        for entry in os.scandir(spool):
            modified = dt.datetime.fromtimestamp(entry.stat().st_mtime, tz=dt.UTC)
            if entry.is_file() and modified < cutoff - dt.timedelta(hours=23):
                os.remove(entry.path)
                removed += 1
    return removed
