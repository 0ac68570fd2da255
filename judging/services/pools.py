"""Judge pools: who may judge in a round, for which tracks, in which group, up to which load.

A pool entry records the judge's organization when they join (by default the one on their
profile; an organizer may give another). Conflict checks read that record, and only organizers
change it: a judge editing their profile changes nothing about conflicts. A member of a team
competing in the contest never joins a pool of it."""

from django.db import transaction

from contest.audit import audit_record
from contest.enums import Role
from contest.models import ContestRole, Organization, Round, Track, User
from judging.errors import (
    JudgeAlreadyInPoolError,
    JudgeHasAssignmentsError,
    JudgeIsCompetingError,
    RoundFinishedError,
    TrackNotInContestError,
)
from judging.models import JudgeAssignment, JudgePoolMember
from judging.services.conflicts import FINISHED_STATUSES, conflicts_sweep
from submissions.models import TeamMembership

_UNSET = object()


def _state(member: JudgePoolMember) -> dict:
    return {
        "judge": member.judge_id,
        "tracks": sorted(t.pk for t in member.tracks.all()),
        "group": member.group,
        "load_cap": member.load_cap,
        "organization": member.organization_id,
    }


def _check_tracks(round_: Round, tracks) -> list[Track]:
    tracks = list(tracks or [])
    if any(t.contest_id != round_.contest_id for t in tracks):
        raise TrackNotInContestError()
    return tracks


@transaction.atomic
def pool_member_add(
    *,
    actor: User,
    round_: Round,
    judge: User,
    tracks=(),
    group: str = "",
    load_cap: int | None = None,
    organization: Organization | None | object = _UNSET,
) -> JudgePoolMember:
    """Add a judge to the round's pool (optionally limited to tracks), recording their
    organization: the one given, else the one recorded on their latest pool entry in the
    contest (a profile edit between rounds changes nothing), else the profile's. Refused for a
    member of a team of the contest. Also gives the judge the contest's judge role if missing.
    Audited."""
    tracks = _check_tracks(round_, tracks)
    if TeamMembership.objects.filter(user=judge, contest_id=round_.contest_id).exists():
        raise JudgeIsCompetingError()
    if JudgePoolMember.objects.filter(round=round_, judge=judge).exists():
        raise JudgeAlreadyInPoolError()
    if organization is _UNSET:
        recorded = (
            JudgePoolMember.objects.filter(round__contest_id=round_.contest_id, judge=judge)
            .order_by("-id")
            .values_list("organization_id", flat=True)
        )
        org_id = recorded[0] if recorded else judge.organization_id
    else:
        org_id = getattr(organization, "pk", None)
    member = JudgePoolMember.objects.create(
        round=round_, judge=judge, group=group, load_cap=load_cap, organization_id=org_id
    )
    member.tracks.set(tracks)
    role, created = ContestRole.objects.get_or_create(user=judge, contest_id=round_.contest_id, role=Role.JUDGE)
    if created:
        audit_record(actor=actor, action="contest.role_granted", obj=role, after={"user": judge.pk, "role": Role.JUDGE})
    audit_record(actor=actor, action="judging.pool_member_added", obj=member, after=_state(member))
    return member


@transaction.atomic
def pool_member_update(*, actor: User, member: JudgePoolMember, **changes) -> JudgePoolMember:
    """Change a pool entry's tracks, group, load cap or recorded organization. Refused once the
    round's judging is over (its results rest on these facts). Existing assignments are not
    moved; a new organization that brings a conflict settles the judge's assignments in the
    round (scored reviews are flagged, see conflicts). Audited."""
    round_ = Round.objects.select_for_update(no_key=True).get(pk=member.round_id)
    if round_.status in FINISHED_STATUSES:
        raise RoundFinishedError(extra={"status": round_.status})
    before = _state(member)
    if "group" in changes:
        member.group = changes["group"]
    if "load_cap" in changes:
        member.load_cap = changes["load_cap"]
    if "organization" in changes:
        member.organization = changes["organization"]
    member.save()
    if "tracks" in changes:
        member.tracks.set(_check_tracks(member.round, changes["tracks"]))
    after = _state(member)
    audit_record(actor=actor, action="judging.pool_member_updated", obj=member, before=before, after=after)
    if before["organization"] != after["organization"]:
        conflicts_sweep(actor=actor, contest_id=round_.contest_id, judge_ids=[member.judge_id])
    return member


@transaction.atomic
def pool_member_remove(*, actor: User, member: JudgePoolMember) -> None:
    """Remove a judge from the pool. Refused while the judge has active assignments in the
    round (end them first): the pool entry is what their conflicts are checked against, and
    without it the judge's own profile would decide. Audited."""
    if JudgeAssignment.objects.filter(round_id=member.round_id, judge_id=member.judge_id, active=True).exists():
        raise JudgeHasAssignmentsError()
    audit_record(actor=actor, action="judging.pool_member_removed", obj=member, before=_state(member))
    member.delete()
