"""Objections (异议) during the publicity period (公示期).

Only signed-in users under a real name: an individual gives real name, organization and phone;
an organization attaches its sealed letter (盖章函). The objector's identity is shown to
organizers only, never to the team concerned.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from contest import clock
from contest.audit import audit_record
from contest.enums import DocumentKind, Role
from contest.models import ContestRole
from judging.results.enums import ObjectionStatus, ObjectorKind
from judging.results.errors import (
    AnonymousObjectionError,
    ObjectionDecidedError,
    ObjectionTargetError,
    ObjectionWindowClosedError,
    RealNameRequiredError,
    ResponseRequiredError,
)
from judging.results.models import Objection, ObjectionFile, Publication, RoundResult, audit_label
from judging.results.services.aggregation import results_aggregate
from judging.results.services.publication import publication_publish
from notifications.services import NoticeSpec, notify, notify_many
from submissions.enums import SolutionStatus
from submissions.files import check_upload, delete_stored_quietly, upload_handlers_for
from submissions.models import Solution

MAX_EVIDENCE_FILES = 5
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
# The body of an objection: every evidence file and the sealed letter at their limit, plus the
# multipart envelope and the text fields.
OBJECTION_BODY_BYTES = (MAX_EVIDENCE_FILES + 1) * MAX_EVIDENCE_BYTES + 256 * 1024


def objection_body_limit(request, kwargs) -> int:
    """An objection's body limit (config/body_limits.py), read through the limited handlers."""

    request.upload_handlers = upload_handlers_for(request, limit=OBJECTION_BODY_BYTES)[1]
    return OBJECTION_BODY_BYTES


def _store(uploaded, *, objection_id: int, kind: str) -> ObjectionFile:
    checked = check_upload(
        uploaded,
        kind=DocumentKind.COMMITMENT if kind == "sealed_letter" else DocumentKind.ATTACHMENT,
        max_bytes=MAX_EVIDENCE_BYTES,
    )
    name = f"objections/{int(objection_id)}/{uuid.uuid4().hex}.{checked.extension}"
    uploaded.seek(0)
    saved = default_storage.save(name, uploaded)
    return ObjectionFile(
        objection_id=objection_id,
        kind=kind,
        file=saved,
        original_name=checked.original_name,
        size=checked.size,
        sha256=checked.sha256,
    )


def objection_create(
    *,
    user,
    publication: Publication,
    solution_id: int,
    objector_kind: str,
    reason: str,
    real_name: str = "",
    organization_name: str = "",
    phone: str = "",
    evidence_files=(),
    sealed_letter=None,
) -> Objection:
    """Raise an objection against one entry of a published result.

    Preconditions: a signed-in user; now inside the publicity window (both ends inclusive) of
    the current publication; real-name data. Side effects: Objection and its files, an
    objection_filed notice to each organizer, audit event.
    """
    if user is None or not user.is_authenticated:
        raise AnonymousObjectionError()
    real_name, organization_name, phone = real_name.strip(), organization_name.strip(), phone.strip()
    missing = [n for n, v in (("real_name", real_name), ("organization_name", organization_name)) if not v]
    if objector_kind == ObjectorKind.INDIVIDUAL and not phone:
        missing.append("phone")
    if objector_kind == ObjectorKind.ORGANIZATION and sealed_letter is None:
        missing.append("sealed_letter")
    if objector_kind not in ObjectorKind.values:
        missing.append("objector_kind")
    if missing:
        raise RealNameRequiredError(extra={"missing": missing})
    if not reason.strip():
        raise RealNameRequiredError(extra={"missing": ["reason"]})
    if len(evidence_files) > MAX_EVIDENCE_FILES:
        raise ObjectionTargetError(extra={"max_files": MAX_EVIDENCE_FILES})
    now = clock.now()
    publication = Publication.objects.get(pk=publication.pk)  # superseded may have changed since it was read
    if publication.superseded or not clock.within_window(
        publication.publicity_starts_at, publication.publicity_ends_at, now
    ):
        raise ObjectionWindowClosedError(
            extra={
                "publicity_starts_at": publication.publicity_starts_at.isoformat(),
                "publicity_ends_at": publication.publicity_ends_at.isoformat(),
            }
        )
    if not RoundResult.objects.filter(
        round_id=publication.round_id, solution_id=solution_id, disqualified=False
    ).exists():
        raise ObjectionTargetError()
    stored: list[str] = []
    try:
        with transaction.atomic():
            objection = Objection.objects.create(
                publication=publication,
                solution_id=solution_id,
                raised_by=user,
                objector_kind=objector_kind,
                real_name=real_name,
                organization_name=organization_name,
                phone=phone,
                reason=reason.strip(),
            )
            files = []
            if sealed_letter is not None:
                files.append(_store(sealed_letter, objection_id=objection.pk, kind="sealed_letter"))
                stored.append(files[-1].file.name)
            for uploaded in evidence_files:
                files.append(_store(uploaded, objection_id=objection.pk, kind="evidence"))
                stored.append(files[-1].file.name)
            ObjectionFile.objects.bulk_create(files)
            audit_record(
                actor=user,
                action="objection.create",
                obj=objection,
                object_type=audit_label(objection),
                after={"publication_id": publication.pk, "solution_id": solution_id, "kind": objector_kind},
            )
            _notify_organizers(objection)
    except Exception:
        delete_stored_quietly(stored)
        raise
    return objection


def _notify_organizers(objection: Objection) -> None:

    round_ = objection.publication.round
    organizers = ContestRole.objects.filter(contest_id=round_.contest_id, role=Role.ORGANIZER).select_related("user")
    solution = Solution.objects.get(pk=objection.solution_id)
    context = {
        "contest_name": round_.contest.name,
        "round_name": round_.name,
        "solution_title": solution.title,
        "objector_name": objection.real_name,
        "organization_name": objection.organization_name,
        "reason": objection.reason,
    }
    notify_many(
        kind="objection_filed",
        notices=[
            NoticeSpec(recipient=role.user, dedup_key=f"objection_filed:{objection.pk}:{role.user_id}", context=context)
            for role in organizers
        ],
    )


def objection_decide(
    *,
    objection: Objection,
    actor,
    uphold: bool,
    response: str,
    publicity_ends_at: dt.datetime | None = None,
) -> Objection:
    """Dismiss or uphold an objection.

    Upholding disqualifies the entry (result and solution), re-ranks the round so the entries
    below move up one by one within their own group (依次递补; nothing enters from outside the
    group), and re-publishes with a new digest and a supplementary publicity window (the old
    publication is kept, superseded). Side effects: objection_decided notice to the objector,
    audit events, round_results notices for the supplementary publication.
    """

    response = (response or "").strip()
    if not response:
        raise ResponseRequiredError()
    with transaction.atomic():
        objection = Objection.objects.select_for_update().get(pk=objection.pk)
        if objection.status != ObjectionStatus.OPEN:
            raise ObjectionDecidedError()
        round_ = objection.publication.round
        objection.status = ObjectionStatus.UPHELD if uphold else ObjectionStatus.DISMISSED
        objection.response = response
        objection.decided_by = actor
        objection.decided_at = timezone.now()
        objection.save(update_fields=["status", "response", "decided_by", "decided_at", "updated_at"])
        audit_record(
            actor=actor,
            action="objection.decide",
            obj=objection,
            object_type=audit_label(objection),
            after={"status": objection.status, "response": response},
        )
        if uphold:
            RoundResult.objects.filter(round=round_, solution_id=objection.solution_id).update(
                disqualified=True, advanced=False, updated_at=timezone.now()
            )
            solution = Solution.objects.select_for_update().get(pk=objection.solution_id)
            before = solution.status
            solution.status = SolutionStatus.DISQUALIFIED
            solution.status_reason = response
            solution.save(update_fields=["status", "status_reason", "updated_at"])
            audit_record(
                actor=actor,
                action="solution.disqualify",
                obj=solution,
                before={"status": before},
                after={"status": solution.status, "objection_id": objection.pk},
            )
            results_aggregate(round_=round_, actor=actor)
            publication_publish(round_=round_, actor=actor, supplementary=True, publicity_ends_at=publicity_ends_at)

        notify(
            kind="objection_decided",
            recipient=objection.raised_by,
            dedup_key=f"objection_decided:{objection.pk}:{objection.raised_by_id}",
            context={
                "contest_name": round_.contest.name,
                "round_name": round_.name,
                "solution_title": Solution.objects.get(pk=objection.solution_id).title,
                "upheld": uphold,
                "response": response,
            },
        )
    return objection
