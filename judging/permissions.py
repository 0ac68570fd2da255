"""Who may do what in judging. Plain predicates; DRF permission classes adapt them.

Visibility (what a judge may even see) lives in judging/selectors.py: a judge reaches an
assignment only through `assignment_list_for_judge`, which already drops conflicted ones.
"""

from contest.models import Round
from contest.roles import is_organizer
from judging.models import JudgeAssignment, JudgePoolMember, Rubric


def can_manage_judging(user, round_: Round) -> bool:
    """Rubrics, pool, conflicts by hand, assignments, return/void, window, progress."""
    return is_organizer(user, round_.contest)


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


# --- results, publication, objections and awards ---


def can_manage_results(user, round_) -> bool:
    """Aggregate, decide ties, override advancement, publish, confirm, export."""
    return is_organizer(user, round_.contest)


def can_view_results(user, round_) -> bool:
    """The full results table (per-judge detail included) before and after publication."""
    return is_organizer(user, round_.contest)


def can_raise_objection(user, publication) -> bool:
    return user is not None and user.is_authenticated


def can_decide_objection(user, objection) -> bool:
    return is_organizer(user, objection.publication.round.contest)


def can_manage_awards(user, contest) -> bool:
    return is_organizer(user, contest)


def can_download_certificate(user, award) -> bool:
    if is_organizer(user, award.contest):
        return True
    return bool(user and user.is_authenticated and award.solution.team.memberships.filter(user=user).exists())
