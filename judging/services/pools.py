"""Judge pools: who may judge in a round, for which tracks, in which group, up to which load."""

from django.db import transaction

from contest.audit import audit_record
from contest.enums import Role
from contest.models import ContestRole, Round, Track, User
from judging.errors import JudgeAlreadyInPoolError, TrackNotInContestError
from judging.models import JudgePoolMember


def _state(member: JudgePoolMember) -> dict:
    return {
        "judge": member.judge_id,
        "tracks": sorted(t.pk for t in member.tracks.all()),
        "group": member.group,
        "load_cap": member.load_cap,
    }


def _check_tracks(round_: Round, tracks) -> list[Track]:
    tracks = list(tracks or [])
    if any(t.contest_id != round_.contest_id for t in tracks):
        raise TrackNotInContestError()
    return tracks


@transaction.atomic
def pool_member_add(
    *, actor: User, round_: Round, judge: User, tracks=(), group: str = "", load_cap: int | None = None
) -> JudgePoolMember:
    """Add a judge to the round's pool (optionally limited to tracks). Also gives the judge the
    contest's judge role if missing. Audited."""
    tracks = _check_tracks(round_, tracks)
    if JudgePoolMember.objects.filter(round=round_, judge=judge).exists():
        raise JudgeAlreadyInPoolError()
    member = JudgePoolMember.objects.create(round=round_, judge=judge, group=group, load_cap=load_cap)
    member.tracks.set(tracks)
    role, created = ContestRole.objects.get_or_create(user=judge, contest_id=round_.contest_id, role=Role.JUDGE)
    if created:
        audit_record(actor=actor, action="contest.role_granted", obj=role, after={"user": judge.pk, "role": Role.JUDGE})
    audit_record(actor=actor, action="judging.pool_member_added", obj=member, after=_state(member))
    return member


@transaction.atomic
def pool_member_update(*, actor: User, member: JudgePoolMember, **changes) -> JudgePoolMember:
    """Change a pool entry's tracks, group or load cap. Existing assignments are not moved. Audited."""
    before = _state(member)
    if "group" in changes:
        member.group = changes["group"]
    if "load_cap" in changes:
        member.load_cap = changes["load_cap"]
    member.save()
    if "tracks" in changes:
        member.tracks.set(_check_tracks(member.round, changes["tracks"]))
    audit_record(actor=actor, action="judging.pool_member_updated", obj=member, before=before, after=_state(member))
    return member


@transaction.atomic
def pool_member_remove(*, actor: User, member: JudgePoolMember) -> None:
    """Remove a judge from the pool. Their existing assignments stay (end them one by one). Audited."""
    audit_record(actor=actor, action="judging.pool_member_removed", obj=member, before=_state(member))
    member.delete()
