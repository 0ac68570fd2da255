"""Who may do what in judging. Plain predicates; DRF permission classes adapt them.

Visibility (what a judge may even see) lives in judging/selectors.py: a judge reaches an
assignment only through `assignment_list_for_judge`, which already drops conflicted ones.
A track host (承办) runs the pool, assignments and progress of its track; which rows of a
round it sees is `selectors.track_scope`. Nothing here lets it read a score, a review or a
result: those stay with `can_manage_judging` / `can_view_results` (organizers).
"""

from contest.models import Round
from contest.roles import hosted_track_ids, is_organizer, is_track_host
from judging.models import JudgeAssignment, JudgePoolMember, Rubric


def can_manage_judging(user, round_: Round) -> bool:
    """Rubrics, conflicts by hand, reviews (return/void, their scores), the judging window:
    organizers of the whole round."""
    return is_organizer(user, round_.contest)


def can_run_track_judging(user, round_: Round) -> bool:
    """Pool, assignments, auto-assignment and progress counts: organizers for every track,
    track hosts for their own (the views narrow the rows with `selectors.track_scope`)."""
    return is_organizer(user, round_.contest) or is_track_host(user, round_.contest)


def can_set_judge_organization(user, round_: Round) -> bool:
    """The organization a judge's conflicts are checked against: organizers only (never the
    judge, nor a track host)."""
    return is_organizer(user, round_.contest)


def can_set_pool_tracks(user, round_: Round, track_ids) -> bool:
    """A pool entry limited to `track_ids` (empty = every track): a track host only within its tracks."""
    if is_organizer(user, round_.contest):
        return True
    track_ids = set(track_ids)
    return bool(track_ids) and track_ids <= hosted_track_ids(user, round_.contest)


def can_manage_pool_member(user, member: JudgePoolMember) -> bool:
    """Change or remove a pool entry: a track host only one limited to its own tracks."""
    return can_set_pool_tracks(user, member.round, [t.pk for t in member.tracks.all()])


def can_assign_solution(user, round_: Round, track_id: int | None) -> bool:
    """Assign a judge by hand to a solution of track `track_id`."""
    return is_organizer(user, round_.contest) or track_id in hosted_track_ids(user, round_.contest)


def can_manage_assignment(user, assignment: JudgeAssignment) -> bool:
    """End an assignment: organizers, or the host of the solution's track."""
    return can_assign_solution(user, assignment.round, assignment.solution.scenario.track_id)


def can_resolve_conflict_flag(user, flag) -> bool:
    """Only an organizer voids (or keeps) a review flagged for a conflict found after scoring."""
    return is_organizer(user, flag.round.contest)


def can_view_rubric(user, rubric: Rubric) -> bool:
    if is_organizer(user, rubric.round.contest):
        return True
    if user is None or not user.is_authenticated:
        return False
    return (
        JudgePoolMember.objects.filter(round_id=rubric.round_id, judge=user).exists()
        or JudgeAssignment.objects.filter(round_id=rubric.round_id, judge=user, active=True).exists()
    )


def can_view_round_rubrics(user, round_: Round) -> bool:
    if is_organizer(user, round_.contest):
        return True
    if user is None or not user.is_authenticated:
        return False
    return (
        JudgePoolMember.objects.filter(round=round_, judge=user).exists()
        or JudgeAssignment.objects.filter(round=round_, judge=user, active=True).exists()
    )


def can_score_assignment(user, assignment: JudgeAssignment) -> bool:
    """The assigned judge only (the selector has already excluded conflicts)."""
    return user is not None and user.is_authenticated and assignment.judge_id == user.pk and assignment.active


def can_declare_conflict(user, assignment: JudgeAssignment) -> bool:
    return can_score_assignment(user, assignment)
