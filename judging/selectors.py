"""Judging reads. Visibility lives here: views start from these querysets (invisible -> 404)."""

import unicodedata

from django.db.models import Case, F, Prefetch, Q, QuerySet, When, prefetch_related_objects

from contest.enums import Role
from contest.models import Round, Track, User
from contest.roles import hosted_track_ids, is_organizer
from judging.enums import ConflictFlagStatus
from judging.models import ConflictFlag, ConflictOfInterest, Criterion, JudgeAssignment, JudgePoolMember, Review, Rubric
from judging.services.conflicts import ConflictIndex
from judging.services.conflicts import recorded_judge_org as expression
from submissions.enums import EntryStatus, SolutionStatus
from submissions.models import Solution

# Solutions in these states are not judged even when their round entry is still active.
NOT_JUDGED_STATUSES = (
    SolutionStatus.WITHDRAWN,
    SolutionStatus.RETIRED,
    SolutionStatus.DISQUALIFIED,
    SolutionStatus.VOID,
    SolutionStatus.ENDED,
)


def round_solutions(*, round_: Round) -> QuerySet[Solution]:
    """The solutions judged in a round: an ACTIVE RoundEntry and a status still in the contest."""
    return (
        Solution.objects.filter(round_entries__round=round_, round_entries__status=EntryStatus.ACTIVE)
        .exclude(status__in=NOT_JUDGED_STATUSES)
        .order_by("id")
    )


def rubric_list(*, round_: Round) -> QuerySet[Rubric]:
    return (
        Rubric.objects.filter(round=round_)
        .select_related("track")
        .prefetch_related(Prefetch("criteria", queryset=Criterion.objects.order_by("order", "id")))
        .order_by(F("track_id").asc(nulls_first=True), "id")
    )


def rubric_for_track(*, round_: Round, track_id: int | None) -> Rubric | None:
    """The rubric scoring a solution of `track_id`: the track's own, else the round's default."""
    rubrics = {r.track_id: r for r in Rubric.objects.filter(round=round_)}
    return rubrics.get(track_id) or rubrics.get(None)


def track_scope(user, round_: Round) -> set[int] | None:
    """The tracks of a round whose pool, assignments and progress the user runs: None for
    organizers (every track), the hosted tracks for a track host."""

    return None if is_organizer(user, round_.contest) else hosted_track_ids(user, round_.contest)


def pool_list(*, round_: Round, track_ids: set[int] | None = None) -> QuerySet[JudgePoolMember]:
    """The round's pool; with `track_ids`, the entries that may judge those tracks (limited to
    one of them, or to none: every track)."""
    qs = JudgePoolMember.objects.filter(round=round_)
    if track_ids is not None:
        qs = qs.filter(Q(tracks__isnull=True) | Q(tracks__in=track_ids)).distinct()
    return qs.select_related("judge", "judge__organization", "organization").prefetch_related("tracks").order_by("id")


def conflict_flag_list(*, round_: Round) -> QuerySet[ConflictFlag]:
    """The round's conflict flags (open ones first), for organizers."""
    return (
        ConflictFlag.objects.filter(round=round_)
        .select_related("judge", "resolved_by")
        .order_by(Case(When(status=ConflictFlagStatus.OPEN, then=0), default=1), "id")
    )


def conflict_list(*, round_: Round) -> QuerySet[ConflictOfInterest]:
    return ConflictOfInterest.objects.filter(contest_id=round_.contest_id).select_related("judge").order_by("id")


def _conflicted_solution_ids(*, judge: User, assignments: list[JudgeAssignment]) -> set[int]:
    """`assignments` carry `recorded_org` (conflicts.recorded_judge_org): the judge's organization
    as recorded on the pool entry, never the profile. One index per contest and recorded
    organization (normally one)."""

    if not assignments:
        return set()
    by_key: dict[tuple[int, int | None], dict[int, int]] = {}
    for a in assignments:
        by_key.setdefault((a.solution.contest_id, a.recorded_org), {})[a.solution_id] = a.solution.team_id
    conflicted: set[int] = set()
    for (contest_id, org_id), solutions in by_key.items():
        index = ConflictIndex(contest_id=contest_id, judges={judge.pk: org_id}, solutions=solutions)
        conflicted |= {s for s in solutions if index.conflicted(judge.pk, s)}
    return conflicted


def recorded_judge_org():

    return expression()


def solution_ids_visible_to_judge(*, judge: User, contest_id: int | None = None) -> set[int]:
    """Solutions the user may see as a judge: an active assignment and no conflict of interest.

    Fixed number of queries whatever the number of assignments. Other apps' visibility
    functions (e.g. the solution list and file downloads) use this for the judge role.
    """
    if judge is None or not judge.is_authenticated:
        return set()
    qs = JudgeAssignment.objects.filter(judge=judge, active=True).select_related("solution")
    if contest_id is not None:
        qs = qs.filter(round__contest_id=contest_id)
    assignments = list(
        qs.only("id", "solution_id", "solution__contest_id", "solution__team_id").annotate(
            recorded_org=recorded_judge_org()
        )
    )
    conflicted = _conflicted_solution_ids(judge=judge, assignments=assignments)
    return {a.solution_id for a in assignments} - conflicted


_JUDGE_JOINS = (
    "round",
    "round__contest",
    "solution",
    "solution__scenario",
    "solution__scenario__track",
    "solution__final_version",
    "solution__team",
    "solution__team__lead_unit",
    "review",
)


def _visible_assignments(*, judge: User, **filters) -> list[JudgeAssignment]:
    assignments = list(
        JudgeAssignment.objects.filter(judge=judge, active=True, **filters)
        .select_related(*_JUDGE_JOINS)
        .annotate(recorded_org=recorded_judge_org())
        .order_by("round_id", "id")
    )
    conflicted = _conflicted_solution_ids(judge=judge, assignments=assignments)
    assignments = [a for a in assignments if a.solution_id not in conflicted]
    prefetch_related_objects(assignments, "review__scores", "solution__final_version__files")
    return assignments


def assignment_list_for_judge(*, judge: User, round_id: int | None = None) -> list[JudgeAssignment]:
    """A judge's own active assignments, minus any solution they conflict with.

    Five queries whatever the number of assignments: the assignments (joined with round,
    solution, scenario, track, final version, team and the judge's own review), the conflict rows
    and the organization profile of the teams (ConflictIndex), the review scores and the version
    files; `rubrics_for_rounds` adds one. The team is joined only to compute conflicts and, in
    rounds that are not blind, to name it: payloads decide what to show.
    """
    filters = {"round_id": round_id} if round_id is not None else {}
    return _visible_assignments(judge=judge, **filters)


def assignment_get_for_judge(*, judge: User, assignment_id: int) -> JudgeAssignment | None:
    """One of the judge's own visible assignments (None: not theirs, ended or conflicted)."""
    found = _visible_assignments(judge=judge, pk=assignment_id)
    return found[0] if found else None


def rubrics_for_rounds(round_ids) -> dict[tuple[int, int | None], tuple[Rubric, list[Criterion]]]:
    """{(round id, track id or None): (rubric, criteria in order)} in one query. A rubric without
    criteria is left out: nothing can be scored on it."""
    rubrics: dict[tuple[int, int | None], tuple[Rubric, list[Criterion]]] = {}
    criteria = Criterion.objects.filter(rubric__round_id__in=list(round_ids)).select_related("rubric")
    for criterion in criteria.order_by("rubric_id", "order", "id"):
        key = (criterion.rubric.round_id, criterion.rubric.track_id)
        rubrics.setdefault(key, (criterion.rubric, []))[1].append(criterion)
    return rubrics


def assignment_list_for_round(*, round_: Round, track_ids: set[int] | None = None) -> QuerySet[JudgeAssignment]:
    """Organizer view of a round's assignments (with `track_ids`: of those tracks' solutions)."""
    qs = JudgeAssignment.objects.filter(round=round_)
    if track_ids is not None:
        qs = qs.filter(solution__scenario__track_id__in=track_ids)
    return qs.select_related("judge", "solution", "solution__scenario", "review").order_by("id")


def review_list_for_round(*, round_: Round) -> QuerySet[Review]:
    """Organizer view: every review of a round with its scores."""
    return (
        Review.objects.filter(round=round_)
        .select_related("judge", "solution")
        .prefetch_related("scores", "revisions")
        .order_by("id")
    )


def judge_round_ids(*, user: User) -> set[int]:
    """Rounds where the user is in the judge pool or holds an assignment."""
    if user is None or not user.is_authenticated:
        return set()
    pool = set(JudgePoolMember.objects.filter(judge=user).values_list("round_id", flat=True))
    assigned = set(JudgeAssignment.objects.filter(judge=user).values_list("round_id", flat=True))
    return pool | assigned


def _fold(text: str) -> str:
    """Case- and width-insensitive form: 'ＡＢＣ科技' and 'abc科技' compare equal."""
    return unicodedata.normalize("NFKC", text).casefold()


def blind_title_flags(*, round_: Round) -> list[dict]:
    """Solutions of the round whose title (or final version's title) contains the name of the
    team, of its lead unit or of a co-unit (full, short or English name; case- and
    width-insensitive; names under two characters are ignored). For the organizer of a blind
    round, before the judges read the titles. Three queries."""
    solutions = (
        round_solutions(round_=round_)
        .select_related("team__lead_unit", "final_version")
        .prefetch_related("team__co_units")
    )
    flags = []
    for solution in solutions:
        team = solution.team
        names = [("team", team.name)]
        for kind, org in [("lead_unit", team.lead_unit)] + [("co_unit", o) for o in team.co_units.all()]:
            names += [(kind, n) for n in (org.name, org.short_name, org.name_en)]
        titles = [("title", solution.title)]
        if solution.final_version is not None and solution.final_version.title != solution.title:
            titles.append(("version_title", solution.final_version.title))
        matches = []
        for field, title in titles:
            folded = _fold(title)
            for kind, name in names:
                if len(name.strip()) >= 2 and _fold(name.strip()) in folded:
                    match = {"field": field, "kind": kind, "name": name.strip()}
                    if match not in matches:
                        matches.append(match)
        if matches:
            flags.append({"solution": solution.pk, "title": solution.title, "team": team.name, "matches": matches})
    return flags


# --- the row an API URL names, with what its permission check reads (None: no such row) ------


def round_get(*, round_id: int) -> Round | None:
    return Round.objects.select_related("contest").filter(pk=round_id).first()


def rubric_get(*, rubric_id: int) -> Rubric | None:
    return Rubric.objects.select_related("round__contest").filter(pk=rubric_id).first()


def criterion_get(*, criterion_id: int) -> Criterion | None:
    return Criterion.objects.select_related("rubric__round__contest").filter(pk=criterion_id).first()


def pool_member_get(*, member_id: int) -> JudgePoolMember | None:
    return JudgePoolMember.objects.select_related("round__contest", "judge").filter(pk=member_id).first()


def conflict_flag_get(*, flag_id: int) -> ConflictFlag | None:
    return ConflictFlag.objects.select_related("round__contest").filter(pk=flag_id).first()


def assignment_get(*, assignment_id: int) -> JudgeAssignment | None:
    return (
        JudgeAssignment.objects.select_related("round__contest", "solution__scenario").filter(pk=assignment_id).first()
    )


def review_get(*, review_id: int) -> Review | None:
    return Review.objects.select_related("round__contest").filter(pk=review_id).first()


def solution_track_id(*, round_: Round, solution_id: int) -> int | None:
    """The track of a solution of the round's contest (None: no such solution there)."""
    return (
        Solution.objects.filter(pk=solution_id, contest_id=round_.contest_id)
        .values_list("scenario__track_id", flat=True)
        .first()
    )


def track_list(*, round_: Round, track_ids) -> list[Track]:
    """Tracks of the round's contest among `track_ids`, in key order."""
    return list(Track.objects.filter(contest_id=round_.contest_id, pk__in=track_ids).order_by("pk"))


def solution_ids_assigned_blind(*, judge: User, solution_ids) -> set[int]:
    """Of these solutions (already visible to the user), those the user holds an active
    assignment for in a blind round (one query). Conflicts are not looked at again: a conflicted
    judge does not see the solution as a judge, so it is visible only through its team, an
    organizer or a publisher, and those decide what is shown before the assignment does."""
    return set(
        JudgeAssignment.objects.filter(
            judge=judge, active=True, solution_id__in=list(solution_ids), round__blind_review=True
        ).values_list("solution_id", flat=True)
    )


# --- the organizer back office (judging.staff) ---------------------------------------------------


def pool_member_in_round(*, round_: Round, pk: int) -> QuerySet[JudgePoolMember]:
    return JudgePoolMember.objects.filter(round=round_, pk=pk).select_related("judge")


def conflict_flag_in_round(*, round_: Round, pk: int) -> QuerySet[ConflictFlag]:
    return ConflictFlag.objects.filter(round=round_, pk=pk)


def pool_candidates(*, round_: Round) -> QuerySet[User]:
    """Judges of the round's contest who are not in its pool yet, by username."""
    in_pool = round_.judge_pool.values_list("judge_id", flat=True)
    return (
        User.objects.filter(contest_roles__contest=round_.contest, contest_roles__role=Role.JUDGE)
        .exclude(pk__in=in_pool)
        .distinct()
        .order_by("username")
    )


def active_user_by_account(account: str) -> User | None:
    """The active user whose username is `account` (any case) or whose confirmed e-mail it is:
    an address names a person only once its owner proved it."""
    return (
        User.objects.filter(is_active=True)
        .filter(Q(username__iexact=account) | Q(pk__in=User.objects.with_verified_email(account).values("pk")))
        .order_by("id")
        .first()
    )
