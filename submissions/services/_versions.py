"""Building a version (its files, digest) and a receipt: shared by submit and supplement. Private
to the package; the caller holds the solution row lock."""

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Sequence

from django.db import IntegrityError, transaction

from contest.models import Round, User

from .. import files as file_checks
from ..enums import (
    EntryStatus,
)
from ..models import (
    RoundEntry,
    Solution,
    SolutionFile,
    SolutionVersion,
    SubmissionReceipt,
)
from ._common import (
    _local,
    _notify_team,
    _solution_context,
)


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
    solution.save(update_fields=["version_count"])
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
    version.save(force_insert=True)
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


def _issue_receipt(
    *, solution: Solution, version: SolutionVersion, round_: Round | None, actor: User, at
) -> SubmissionReceipt:
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return SubmissionReceipt.objects.create(
                    solution=solution,
                    version=version,
                    round=round_,
                    code=_receipt_code(at),
                    sha256=version.sha256,
                    submitted_by=actor,
                    submitted_at=at,
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
