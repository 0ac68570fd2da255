"""Use cases of the contest domain: contests, tracks, rounds and the scenario workflow.

Scenario workflow::

    draft --submit--> pending_review --approve--> published --close--> closed
      ^                    |                          |
      +------reject--------+                          +--request withdrawal, approve--> withdrawn

Every function is keyword-only, runs in one transaction, checks the actor's role (the
predicates of contest.permissions) and the object's state, and writes an audit event.
Scenario transitions lock the scenario row, so two concurrent actions cannot both pass the
state check.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from notifications.services import notify

from . import clock, permissions, signals
from .audit import audit_record
from .clock import round_accepts_submissions  # noqa: F401  (re-exported: contest.services is the documented home)
from .enums import OrganizingRole, Role, ScenarioStatus
from .errors import (
    DuplicateError,
    InvalidRoundSettingsError,
    InvalidTransitionError,
    InvalidWindowError,
    NotOrganizerError,
    NotPublisherError,
    NotStaffError,
    ReasonRequiredError,
    TrackMismatchError,
    UnknownFieldError,
)
from .models import Contest, ContestOrganization, ContestRole, Organization, Round, Scenario, Track, User
from .roles import publisher_organization_ids

SCENARIO_EDITABLE_FIELDS = (
    "track",
    "code",
    "title",
    "summary",
    "problem",
    "expected_outcome",
    "conditions",
    "resources",
    "reward",
    "duration_months",
    "max_teams",
    "contact_name",
    "contact_phone",
    "contact_email",
)
CONTEST_EDITABLE_FIELDS = (
    "name",
    "name_en",
    "slug",
    "theme",
    "description",
    "time_zone",
    "status",
    "max_team_size",
    "max_co_units",
    "max_entries_per_team",
)
TRACK_EDITABLE_FIELDS = ("name", "name_en", "description", "host", "order")
ROUND_EDITABLE_FIELDS = (
    "sequence",
    "name",
    "name_en",
    "kind",
    "submission_opens_at",
    "submission_deadline",
    "judging_opens_at",
    "judging_closes_at",
    "publish_at",
    "publicity_days",
    "max_upload_bytes",
    "required_documents",
    "judges_per_solution",
    "min_reviews",
    "aggregation_method",
    "trim_threshold",
    "judge_group_weights",
    "carry_over",
    "blind_review",
    "advancement_scope",
    "advancement_kind",
    "advancement_value",
)


def snapshot(obj, fields) -> dict[str, Any]:
    """Plain values of `fields` for an audit event (foreign keys as ids)."""
    data = {}
    for name in fields:
        field = obj._meta.get_field(name)
        value = getattr(obj, field.attname)
        data[name] = str(value) if isinstance(value, Decimal) else value
    return data


SCENARIO_AUDIT_FIELDS = (
    "status",
    *SCENARIO_EDITABLE_FIELDS,
    "rejection_reason",
    "withdrawal_requested",
    "withdrawal_reason",
    "published_at",
)


def _apply(obj, data: dict, allowed) -> list[str]:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise UnknownFieldError(extra={"fields": unknown})
    changed = []
    for name, value in data.items():
        field = obj._meta.get_field(name)
        current = getattr(obj, field.attname)
        if field.is_relation:
            value_key = value.pk if value is not None else None
        else:
            value_key = value
        if current != value_key:
            setattr(obj, name, value)
            changed.append(name)
    return changed


def _full_clean(obj, exclude=None) -> None:
    """Model validation; raised as Django's ValidationError, which the API renders as 400."""
    obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)


def _save_unique(obj, *, detail=None) -> None:
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise DuplicateError(detail) from exc


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequiredError()
    return reason


def _lock_scenario(scenario: Scenario) -> Scenario:
    # Lock the scenario row: two organizers approving/rejecting at once must not both pass
    # the state check (no-op on SQLite, which serialises writers anyway).
    return Scenario.objects.select_for_update().select_related("contest", "track", "publisher").get(pk=scenario.pk)


def _require_status(scenario: Scenario, *allowed: str, action: str) -> None:
    if scenario.status not in allowed:
        raise InvalidTransitionError(extra={"status": scenario.status, "action": action, "allowed_from": list(allowed)})


def _publisher_users(scenario: Scenario):
    return User.objects.filter(
        contest_roles__contest_id=scenario.contest_id,
        contest_roles__role=Role.PUBLISHER,
        contest_roles__organization_id=scenario.publisher_id,
        is_active=True,
    ).distinct()


def _notify_publishers(*, scenario: Scenario, kind: str, event_id: int, reason: str = "") -> None:
    context = {
        "scenario_id": scenario.pk,
        "scenario_title": scenario.title,
        "contest_name": scenario.contest.name,
        "reason": reason,
    }
    for user in _publisher_users(scenario):
        notify(
            kind=kind,
            recipient=user,
            context=context,
            dedup_key=f"{kind}:{scenario.pk}:{event_id}:{user.pk}",
            link=f"/api/v1/scenarios/{scenario.pk}/",
        )


# --- scenarios -----------------------------------------------------------------------------


@transaction.atomic
def scenario_create(*, actor: User, track: Track, data: dict[str, Any]) -> Scenario:
    """A publisher drafts a scenario for their own organization in the track's contest.

    The publisher organization is the one of the actor's publisher role in that contest.
    Side effects: audit `scenario.create`.
    """
    contest = track.contest
    org_ids = publisher_organization_ids(actor, contest)
    if not org_ids:
        raise NotPublisherError()
    scenario = Scenario(contest=contest, track=track, publisher_id=min(org_ids), created_by=actor)
    _apply(scenario, {k: v for k, v in data.items() if k != "track"}, SCENARIO_EDITABLE_FIELDS)
    _full_clean(scenario, exclude=["contest", "track", "publisher", "created_by"])
    scenario.save()
    audit_record(actor=actor, action="scenario.create", obj=scenario, after=snapshot(scenario, SCENARIO_AUDIT_FIELDS))
    return scenario


@transaction.atomic
def scenario_update(*, actor: User, scenario: Scenario, data: dict[str, Any]) -> Scenario:
    """The publisher's own organization edits a draft. Side effects: audit `scenario.update`."""
    scenario = _lock_scenario(scenario)
    if not permissions.can_edit_scenario(actor, scenario):
        raise NotPublisherError()
    _require_status(scenario, ScenarioStatus.DRAFT, action="update")
    if "track" in data and data["track"].contest_id != scenario.contest_id:
        raise TrackMismatchError()
    before = snapshot(scenario, SCENARIO_AUDIT_FIELDS)
    changed = _apply(scenario, data, SCENARIO_EDITABLE_FIELDS)
    if changed:
        _full_clean(scenario, exclude=["contest", "publisher", "created_by"])
        scenario.save()
        audit_record(
            actor=actor,
            action="scenario.update",
            obj=scenario,
            before=before,
            after=snapshot(scenario, SCENARIO_AUDIT_FIELDS),
        )
    return scenario


def _transition(scenario: Scenario, *, actor: User, action: str, changes: dict[str, Any]) -> tuple[Scenario, Any]:
    before = snapshot(scenario, SCENARIO_AUDIT_FIELDS)
    for name, value in changes.items():
        setattr(scenario, name, value)
    scenario.save(update_fields=[*changes, "updated_at"])
    event = audit_record(
        actor=actor, action=action, obj=scenario, before=before, after=snapshot(scenario, SCENARIO_AUDIT_FIELDS)
    )
    return scenario, event


@transaction.atomic
def scenario_submit_for_review(*, actor: User, scenario: Scenario) -> Scenario:
    """The publisher sends a draft to the organizers: draft → pending_review."""
    scenario = _lock_scenario(scenario)
    if not permissions.can_submit_scenario(actor, scenario):
        raise NotPublisherError()
    _require_status(scenario, ScenarioStatus.DRAFT, action="submit")
    scenario, _event = _transition(
        scenario, actor=actor, action="scenario.submit", changes={"status": ScenarioStatus.PENDING_REVIEW}
    )
    return scenario


@transaction.atomic
def scenario_approve(*, actor: User, scenario: Scenario) -> Scenario:
    """An organizer publishes a scenario pending review: pending_review → published.

    Sets `published_at` and clears an earlier rejection reason (kept in the audit trail).
    Side effects: audit `scenario.approve`; notice `scenario_approved` to the publisher's users.
    """
    scenario = _lock_scenario(scenario)
    if not permissions.can_review_scenario(actor, scenario):
        raise NotOrganizerError()
    _require_status(scenario, ScenarioStatus.PENDING_REVIEW, action="approve")
    scenario, event = _transition(
        scenario,
        actor=actor,
        action="scenario.approve",
        changes={"status": ScenarioStatus.PUBLISHED, "published_at": clock.now(), "rejection_reason": ""},
    )
    _notify_publishers(scenario=scenario, kind="scenario_approved", event_id=event.pk)
    return scenario


@transaction.atomic
def scenario_reject(*, actor: User, scenario: Scenario, reason: str) -> Scenario:
    """An organizer sends a scenario back to draft with a reason: pending_review → draft.

    Side effects: audit `scenario.reject`; notice `scenario_rejected` (with the reason).
    """
    scenario = _lock_scenario(scenario)
    if not permissions.can_review_scenario(actor, scenario):
        raise NotOrganizerError()
    _require_status(scenario, ScenarioStatus.PENDING_REVIEW, action="reject")
    reason = _require_reason(reason)
    scenario, event = _transition(
        scenario,
        actor=actor,
        action="scenario.reject",
        changes={"status": ScenarioStatus.DRAFT, "rejection_reason": reason},
    )
    _notify_publishers(scenario=scenario, kind="scenario_rejected", event_id=event.pk, reason=reason)
    return scenario


@transaction.atomic
def scenario_close(*, actor: User, scenario: Scenario) -> Scenario:
    """An organizer closes a published scenario to new takers: published → closed."""
    scenario = _lock_scenario(scenario)
    if not permissions.can_close_scenario(actor, scenario):
        raise NotOrganizerError()
    _require_status(scenario, ScenarioStatus.PUBLISHED, action="close")
    scenario, _event = _transition(
        scenario, actor=actor, action="scenario.close", changes={"status": ScenarioStatus.CLOSED}
    )
    return scenario


@transaction.atomic
def scenario_withdrawal_request(*, actor: User, scenario: Scenario, reason: str) -> Scenario:
    """The publisher asks to withdraw (撤榜) a published scenario, giving a public reason."""
    scenario = _lock_scenario(scenario)
    if not permissions.can_request_withdrawal_scenario(actor, scenario):
        raise NotPublisherError()
    _require_status(scenario, ScenarioStatus.PUBLISHED, action="request_withdrawal")
    if scenario.withdrawal_requested:
        raise InvalidTransitionError(extra={"status": scenario.status, "action": "request_withdrawal"})
    reason = _require_reason(reason)
    scenario, _event = _transition(
        scenario,
        actor=actor,
        action="scenario.withdrawal_request",
        changes={"withdrawal_requested": True, "withdrawal_reason": reason},
    )
    return scenario


@transaction.atomic
def scenario_withdrawal_approve(*, actor: User, scenario: Scenario) -> Scenario:
    """An organizer approves a requested withdrawal: published → withdrawn.

    The scenario stays listed with its reason. Side effects: audit `scenario.withdraw`;
    the `contest.signals.scenario_withdrawn` signal in the same transaction (submissions' receiver:
    submitted solutions become pending transfer, drafts void, teams notified).
    """
    scenario = _lock_scenario(scenario)
    if not permissions.can_approve_withdrawal_scenario(actor, scenario):
        raise NotOrganizerError()
    _require_status(scenario, ScenarioStatus.PUBLISHED, action="approve_withdrawal")
    if not scenario.withdrawal_requested:
        raise InvalidTransitionError(
            detail=_("The publisher has not requested a withdrawal."),
            extra={"status": scenario.status, "action": "approve_withdrawal"},
        )
    scenario, _event = _transition(
        scenario, actor=actor, action="scenario.withdraw", changes={"status": ScenarioStatus.WITHDRAWN}
    )
    signals.scenario_withdrawn.send(sender=Scenario, scenario=scenario, actor=actor)
    return scenario


# --- contests, tracks, rounds ----------------------------------------------------------------

CONTEST_AUDIT_FIELDS = CONTEST_EDITABLE_FIELDS
TRACK_AUDIT_FIELDS = ("contest", *TRACK_EDITABLE_FIELDS)
ROUND_AUDIT_FIELDS = ("contest", "status", *ROUND_EDITABLE_FIELDS)


@transaction.atomic
def contest_create(*, actor: User, data: dict[str, Any]) -> Contest:
    """Site staff create a contest; the creator becomes its organizer.

    Side effects: audit `contest.create`; ContestRole(organizer) for the actor.
    """
    if not permissions.can_create_contest(actor):
        raise NotStaffError()
    contest = Contest()
    _apply(contest, data, CONTEST_EDITABLE_FIELDS)
    _full_clean(contest)
    _save_unique(contest)
    ContestRole.objects.create(user=actor, contest=contest, role=Role.ORGANIZER)
    audit_record(actor=actor, action="contest.create", obj=contest, after=snapshot(contest, CONTEST_AUDIT_FIELDS))
    return contest


@transaction.atomic
def contest_update(*, actor: User, contest: Contest, data: dict[str, Any]) -> Contest:
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    if not permissions.can_manage_contest(actor, contest):
        raise NotOrganizerError()
    before = snapshot(contest, CONTEST_AUDIT_FIELDS)
    if _apply(contest, data, CONTEST_EDITABLE_FIELDS):
        _full_clean(contest)
        _save_unique(contest)
        audit_record(
            actor=actor,
            action="contest.update",
            obj=contest,
            before=before,
            after=snapshot(contest, CONTEST_AUDIT_FIELDS),
        )
    return contest


@transaction.atomic
def contest_organization_add(*, actor: User, contest: Contest, organization: Organization, role: str) -> None:
    """Name an organizing organization (主办/承办/协办). Idempotent."""
    if not permissions.can_manage_contest(actor, contest):
        raise NotOrganizerError()
    if role not in OrganizingRole.values:
        raise ValidationError({"role": "invalid"})
    _, created = ContestOrganization.objects.get_or_create(contest=contest, organization=organization, role=role)
    if created:
        audit_record(
            actor=actor,
            action="contest.organization_add",
            obj=contest,
            after={"organization": organization.pk, "role": role},
        )


@transaction.atomic
def track_create(*, actor: User, contest: Contest, data: dict[str, Any]) -> Track:
    if not permissions.can_manage_contest(actor, contest):
        raise NotOrganizerError()
    track = Track(contest=contest)
    _apply(track, data, TRACK_EDITABLE_FIELDS)
    _full_clean(track, exclude=["contest"])
    _save_unique(track)
    audit_record(actor=actor, action="track.create", obj=track, after=snapshot(track, TRACK_AUDIT_FIELDS))
    return track


@transaction.atomic
def track_update(*, actor: User, track: Track, data: dict[str, Any]) -> Track:
    track = Track.objects.select_for_update().select_related("contest").get(pk=track.pk)
    if not permissions.can_manage_contest(actor, track.contest):
        raise NotOrganizerError()
    before = snapshot(track, TRACK_AUDIT_FIELDS)
    if _apply(track, data, TRACK_EDITABLE_FIELDS):
        _full_clean(track, exclude=["contest"])
        _save_unique(track)
        audit_record(
            actor=actor, action="track.update", obj=track, before=before, after=snapshot(track, TRACK_AUDIT_FIELDS)
        )
    return track


def _check_round_windows(round_: Round) -> None:
    pairs = (
        ("submission_opens_at", "submission_deadline"),
        ("judging_opens_at", "judging_closes_at"),
    )
    for start, end in pairs:
        a, b = getattr(round_, start), getattr(round_, end)
        if a is not None and b is not None and a >= b:
            raise InvalidWindowError(extra={"fields": [start, end]})


def _check_round_settings(round_: Round) -> None:
    weights = round_.judge_group_weights or {}
    if weights and sum(Decimal(str(w)) for w in weights.values()) != 1:
        raise InvalidRoundSettingsError(
            detail=_("The judge group weights must add up to 1."), extra={"field": "judge_group_weights"}
        )
    carried = round_.carry_over or []
    if carried:
        if any(int(item["round"]) >= round_.sequence for item in carried):
            raise InvalidRoundSettingsError(
                detail=_("Scores can be carried over only from earlier rounds."), extra={"field": "carry_over"}
            )
        if sum(Decimal(str(item["weight"])) for item in carried) >= 1:
            raise InvalidRoundSettingsError(
                detail=_("Carried-over weights must leave a share for this round."), extra={"field": "carry_over"}
            )


@transaction.atomic
def round_create(*, actor: User, contest: Contest, data: dict[str, Any]) -> Round:
    """An organizer adds a round. Sequences are unique per contest (409 `duplicate`)."""
    if not permissions.can_manage_contest(actor, contest):
        raise NotOrganizerError()
    round_ = Round(contest=contest)
    _apply(round_, data, ROUND_EDITABLE_FIELDS)
    _check_round_windows(round_)
    _check_round_settings(round_)
    _full_clean(round_, exclude=["contest"])
    _save_unique(round_)
    audit_record(actor=actor, action="round.create", obj=round_, after=snapshot(round_, ROUND_AUDIT_FIELDS))
    return round_


@transaction.atomic
def round_update(*, actor: User, round_: Round, data: dict[str, Any]) -> Round:
    """An organizer edits a round's settings. The round status is changed only by the
    judging and results services, never here."""
    round_ = Round.objects.select_for_update().select_related("contest").get(pk=round_.pk)
    if not permissions.can_manage_contest(actor, round_.contest):
        raise NotOrganizerError()
    before = snapshot(round_, ROUND_AUDIT_FIELDS)
    if _apply(round_, data, ROUND_EDITABLE_FIELDS):
        _check_round_windows(round_)
        _check_round_settings(round_)
        _full_clean(round_, exclude=["contest"])
        _save_unique(round_)
        audit_record(
            actor=actor, action="round.update", obj=round_, before=before, after=snapshot(round_, ROUND_AUDIT_FIELDS)
        )
    return round_
