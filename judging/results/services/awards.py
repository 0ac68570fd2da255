"""Awards by rank ranges of the final round, matched (揭榜成功) per scenario, certificates.

Awards are confirmed once. A confirmed award and its certificate never change: a correction is
`award_revoke` (reason, audited; its code then verifies as revoked on that date) followed by
`award_reissue` (a new award with a new code, a reason and a link to the revoked one)."""

from __future__ import annotations

import hashlib
import io
import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from contest import clock
from contest.audit import audit_record
from contest.models import Contest, Round
from judging.errors import AwardsConfirmedError, ReasonRequiredError
from judging.results.enums import AwardLevel, ObjectionStatus
from judging.results.errors import (
    AwardNotRevokedError,
    AwardRangesInvalidError,
    AwardReissuedError,
    AwardRevokedError,
    FinalRoundNotReadyError,
    ObjectionsOpenError,
)
from judging.results.models import Award, Objection, RoundResult, audit_label
from judging.results.services.publication import current_publication
from notifications.services import NoticeSpec, notify_many
from submissions.enums import SolutionStatus
from submissions.models import Solution, TeamMembership

# The demo contest's ranges: 一等奖 1–3, 二等奖 4–8, 三等奖 9–15.
DEFAULT_RANGES = [
    {"level": AwardLevel.FIRST, "from": 1, "to": 3},
    {"level": AwardLevel.SECOND, "from": 4, "to": 8},
    {"level": AwardLevel.THIRD, "from": 9, "to": 15},
]


def _validate_ranges(ranges: list[dict]) -> list[tuple[str, int, int]]:
    parsed = []
    try:
        for item in ranges:
            level, low, high = str(item["level"]), int(item["from"]), int(item["to"])
            if level not in AwardLevel.values or level == AwardLevel.MERIT or low < 1 or high < low:
                raise ValueError
            parsed.append((level, low, high))
    except (KeyError, TypeError, ValueError) as exc:
        raise AwardRangesInvalidError() from exc
    spans = sorted((low, high) for _, low, high in parsed)
    if not parsed or any(spans[i][0] <= spans[i - 1][1] for i in range(1, len(spans))):
        raise AwardRangesInvalidError()
    return parsed


def final_round(contest: Contest) -> Round | None:
    return Round.objects.filter(contest=contest).order_by("-sequence").first()


def awards_confirm(
    *, contest: Contest, actor, ranges: list[dict] | None = None, merit_round: Round | None = None
) -> list[Award]:
    """Confirm the awards of a contest.

    Preconditions: no award of the contest was confirmed before (`awards_confirmed`, 409: a
    confirmed award is changed only by revocation and re-issue); the final round is published,
    its publicity period is over and no objection on it is open. Levels go by rank ranges of
    the final ranking; disqualified entries have no rank, so the ranges' members shift up.
    Entries eliminated in `merit_round` (e.g. the semifinal) get the merit award (优胜奖). The
    best-ranked awarded entry of each scenario is marked matched (揭榜成功). Each award records
    the team name and titles of the moment.
    Locks: the final round row, then the contest row (confirmations serialise).
    Side effects: Award rows, solutions → awarded, award_confirmed notices, audit event.
    """
    parsed = _validate_ranges(ranges if ranges is not None else DEFAULT_RANGES)
    last = final_round(contest)
    with transaction.atomic():
        last = Round.objects.select_for_update().get(pk=last.pk) if last else None
        Contest.objects.select_for_update().filter(pk=contest.pk).first()
        if Award.objects.filter(contest=contest).exists():
            raise AwardsConfirmedError()
        publication = current_publication(last) if last else None
        if publication is None or not clock.deadline_passed(publication.publicity_ends_at, clock.now()):
            raise FinalRoundNotReadyError()
        if Objection.objects.filter(publication__round=last, status=ObjectionStatus.OPEN).exists():
            raise ObjectionsOpenError()
        wanted: dict[int, tuple[str, int | None]] = {}
        ranked = RoundResult.objects.filter(round=last, rank__isnull=False, disqualified=False).order_by(
            "rank", "solution_id"
        )
        for result in ranked:
            for level, low, high in parsed:
                if low <= result.rank <= high:
                    wanted[result.solution_id] = (level, result.rank)
        if merit_round is not None:
            eliminated = RoundResult.objects.filter(
                round=merit_round, advanced=False, disqualified=False, incomplete=False
            ).values_list("solution_id", flat=True)
            for solution_id in eliminated:
                wanted.setdefault(solution_id, (AwardLevel.MERIT, None))
        solutions = {s.pk: s for s in Solution.objects.filter(pk__in=wanted).select_related("scenario", "team")}
        best_by_scenario: dict[int, tuple[int, int]] = {}
        for solution_id, (_level, rank) in wanted.items():
            if rank is None:
                continue
            scenario_id = solutions[solution_id].scenario_id
            if scenario_id not in best_by_scenario or (rank, solution_id) < best_by_scenario[scenario_id]:
                best_by_scenario[scenario_id] = (rank, solution_id)
        matched_ids = {solution_id for _, solution_id in best_by_scenario.values()}

        now = timezone.now()
        awards = [
            _new_award(
                contest=contest,
                solution=solutions[solution_id],
                level=level,
                final_rank=rank,
                matched=solution_id in matched_ids,
                actor=actor,
                now=now,
            )
            for solution_id, (level, rank) in sorted(wanted.items(), key=lambda kv: (kv[1][1] or 10**9, kv[0]))
        ]
        Solution.objects.filter(pk__in=wanted).update(status=SolutionStatus.AWARDED, updated_at=now)
        audit_record(
            actor=actor,
            action="awards.confirm",
            obj=contest,
            after={
                "awards": [[a.solution_id, a.level, a.final_rank, a.matched] for a in awards],
                "ranges": [list(p) for p in parsed],
            },
        )
        _notify(contest, awards, solutions)
    return awards


def _new_award(*, contest, solution, level, final_rank, matched, actor, now, replaces=None, reason="") -> Award:
    return Award.objects.create(
        contest=contest,
        solution=solution,
        level=level,
        final_rank=final_rank,
        matched=matched,
        verification_code=secrets.token_hex(8).upper(),
        team_name=solution.team.name,
        solution_title=solution.title,
        scenario_title=solution.scenario.title,
        confirmed_at=now,
        confirmed_by=actor,
        replaces=replaces,
        reissue_reason=reason,
    )


def _award_snapshot(award: Award) -> dict:
    return {
        "solution_id": award.solution_id,
        "level": award.level,
        "final_rank": award.final_rank,
        "matched": award.matched,
        "verification_code": award.verification_code,
        "team_name": award.team_name,
    }


def award_revoke(*, award: Award, actor, reason: str) -> Award:
    """Revoke a confirmed award (its certificate then verifies as revoked on this date).

    Preconditions: a reason; the award is not revoked yet (`award_revoked`, 409).
    Locks: the award row. Side effects: revoked_at/by/reason (nothing else of the award
    changes), audit event.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequiredError()
    with transaction.atomic():
        award = Award.objects.select_for_update().get(pk=award.pk)
        if award.revoked_at is not None:
            raise AwardRevokedError(extra={"revoked_at": award.revoked_at.isoformat()})
        award.revoked_at, award.revoked_by, award.revoke_reason = timezone.now(), actor, reason
        award.save(update_fields=["revoked_at", "revoked_by", "revoke_reason", "updated_at"])
        audit_record(
            actor=actor,
            action="award.revoke",
            obj=award,
            object_type=audit_label(award),
            before=_award_snapshot(award),
            after={"revoked_at": award.revoked_at, "reason": reason},
        )
    return award


def award_reissue(*, revoked: Award, actor, level: str, final_rank: int | None, matched: bool, reason: str) -> Award:
    """Issue a corrected award in place of a revoked one: same entry, a new verification code,
    the team name of now, a reason and a link to the revoked award.

    Preconditions: a reason; `revoked` is revoked (`award_not_revoked`) and not re-issued yet
    (`award_reissued`); a valid level. Locks: the revoked award's row.
    Side effects: a new Award, an award_confirmed notice to the team, audit event.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequiredError()
    if level not in AwardLevel.values or (final_rank is not None and final_rank < 1):
        raise AwardRangesInvalidError()
    with transaction.atomic():
        revoked = Award.objects.select_for_update().select_related("contest").get(pk=revoked.pk)
        if revoked.revoked_at is None:
            raise AwardNotRevokedError()
        live = Award.objects.filter(contest_id=revoked.contest_id, solution_id=revoked.solution_id, revoked_at=None)
        if Award.objects.filter(replaces=revoked).exists() or live.exists():
            raise AwardReissuedError()
        solution = Solution.objects.select_related("team", "scenario").get(pk=revoked.solution_id)
        award = _new_award(
            contest=revoked.contest,
            solution=solution,
            level=level,
            final_rank=final_rank,
            matched=bool(matched),
            actor=actor,
            now=timezone.now(),
            replaces=revoked,
            reason=reason,
        )
        audit_record(
            actor=actor,
            action="award.reissue",
            obj=award,
            object_type=audit_label(award),
            before={"replaces": revoked.pk, "verification_code": revoked.verification_code},
            after={**_award_snapshot(award), "reason": reason},
        )
        _notify(revoked.contest, [award], {solution.pk: solution})
    return award


def _notify(contest: Contest, awards: list[Award], solutions: dict[int, Solution]) -> None:

    team_ids = {solutions[a.solution_id].team_id for a in awards}
    members: dict[int, list] = {}
    for membership in TeamMembership.objects.filter(team_id__in=team_ids).select_related("user"):
        members.setdefault(membership.team_id, []).append(membership.user)
    specs = []
    for award in awards:
        solution = solutions[award.solution_id]
        context = {
            "contest_name": contest.name,
            "solution_title": award.solution_title,
            "level": award.level,
            "level_display": str(award.get_level_display()),
            "matched": award.matched,
            "verification_code": award.verification_code,
        }
        for user in members.get(solution.team_id, []):
            specs.append(
                NoticeSpec(
                    recipient=user,
                    dedup_key=f"award_confirmed:{award.pk}:{award.level}:{user.pk}",
                    context=context,
                )
            )
    notify_many(kind="award_confirmed", notices=specs)


def certificate_pdf(*, award: Award) -> bytes:
    """An A4 landscape certificate in Chinese (reportlab's built-in STSong-Light CID font, so no
    font file ships) carrying the public verification code. Made from the award's recorded
    names only, so the same award always gives the same document; a revoked award has none."""
    # reportlab (and its fonts) load only when a certificate is drawn, not in every web process.
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if award.revoked_at is not None:
        raise AwardRevokedError(extra={"revoked_at": award.revoked_at.isoformat()})
    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height), invariant=1)
    pdf.setTitle(f"{award.contest.name} 获奖证书")
    pdf.setFont(font, 36)
    pdf.drawCentredString(width / 2, height - 120, "荣 誉 证 书")
    pdf.setFont(font, 18)
    lines = [
        f"{award.team_name}：",
        f"贵团队方案《{award.solution_title}》",
        f"（揭榜场景：{award.scenario_title}）",
        f"在{award.contest.name}中荣获{award.get_level_display()}" + ("，揭榜成功。" if award.matched else "。"),
    ]
    y = height - 200
    for line in lines:
        pdf.drawCentredString(width / 2, y, line)
        y -= 36
    pdf.setFont(font, 12)
    pdf.drawString(60, 70, f"证书校验码 Verification code: {award.verification_code}")
    pdf.drawString(60, 50, f"核验地址 Verify at: /api/v1/certificates/{award.verification_code}/")
    pdf.drawRightString(width - 60, 50, timezone.localtime(award.confirmed_at).strftime("%Y-%m-%d"))
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def certificate_file(*, award: Award) -> str:
    """The storage name of the award's certificate, rendered from the recorded names and stored
    the first time it is asked for, served as stored ever after. What the confirmation decided
    (code, level, rank, matched, time) names the file. A revoked award has no certificate, even
    one stored before the revocation."""
    if award.revoked_at is not None:
        raise AwardRevokedError(extra={"revoked_at": award.revoked_at.isoformat()})
    issued = (
        f"{award.verification_code}|{award.level}|{award.final_rank}|{award.matched}|{award.confirmed_at.isoformat()}"
    )
    name = f"certificates/{int(award.pk)}/{hashlib.sha256(issued.encode()).hexdigest()[:32]}.pdf"
    if default_storage.exists(name):
        return name
    saved = default_storage.save(name, ContentFile(certificate_pdf(award=award)))
    if saved != name:  # another request stored it meanwhile (same bytes: the PDF is invariant)
        default_storage.delete(saved)
    return name
