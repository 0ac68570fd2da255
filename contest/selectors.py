"""Read queries of the contest domain, one per viewer. Invisible objects simply are not in
the queryset, so views built on these return 404 for them."""

from django.db.models import Prefetch, Q, QuerySet

from . import hot_reads
from .enums import ContestStatus, Role, RoundKind, ScenarioStatus
from .models import Contest, ContestOrganization, ContestRole, Round, Scenario, SecurityEvent, Track, User
from .permissions import PUBLIC_SCENARIO_STATUSES
from .roles import hosted_track_ids, organized_contest_ids

PUBLIC_CONTEST_STATUSES = (ContestStatus.PUBLISHED, ContestStatus.CLOSED)


def _role_rows(user) -> list[ContestRole]:
    if user is None or not user.is_authenticated:
        return []
    return list(ContestRole.objects.filter(user=user).only("contest_id", "role", "organization_id"))


def _visible_contest_q(user, rows) -> Q:
    if user is not None and user.is_authenticated and user.is_superuser:
        return Q()
    return Q(status__in=PUBLIC_CONTEST_STATUSES) | Q(pk__in={r.contest_id for r in rows})


def contest_list_for_user(*, user) -> QuerySet[Contest]:
    """Published and closed contests; draft contests only to those holding a role in them."""
    rows = _role_rows(user)
    return Contest.objects.filter(_visible_contest_q(user, rows)).prefetch_related(
        Prefetch(
            "organizing",
            queryset=ContestOrganization.objects.select_related("organization").order_by("role", "id"),
        )
    )


def track_list_for_user(*, user, contest: Contest | None = None) -> QuerySet[Track]:
    rows = _role_rows(user)
    qs = Track.objects.filter(contest__in=Contest.objects.filter(_visible_contest_q(user, rows)))
    if contest is not None:
        qs = qs.filter(contest=contest)
    return qs.select_related("host").prefetch_related("co_hosts")


def round_list_for_user(*, user, contest: Contest | None = None) -> QuerySet[Round]:
    rows = _role_rows(user)
    qs = Round.objects.filter(contest__in=Contest.objects.filter(_visible_contest_q(user, rows)))
    if contest is not None:
        qs = qs.filter(contest=contest)
    return qs


def scenario_list_for_user(*, user, contest: Contest | None = None) -> QuerySet[Scenario]:
    """Scenarios a user may see.

    Everyone: published, closed and withdrawn scenarios (a withdrawn one stays listed with its
    reason) of visible contests. Publishers additionally: every scenario of their own
    organization in that contest (drafts, pending review). Organizers: every scenario of
    their contest.
    """
    rows = _role_rows(user)
    if user is not None and user.is_authenticated and user.is_superuser:
        visible = Q()
    else:
        visible = Q(
            status__in=PUBLIC_SCENARIO_STATUSES, contest__in=Contest.objects.filter(_visible_contest_q(user, rows))
        )
        organizer_contests = {r.contest_id for r in rows if r.role == Role.ORGANIZER}
        if organizer_contests:
            visible |= Q(contest_id__in=organizer_contests)
        for r in rows:
            if r.role == Role.PUBLISHER:
                visible |= Q(contest_id=r.contest_id, publisher_id=r.organization_id)
    qs = Scenario.objects.filter(visible)
    if contest is not None:
        qs = qs.filter(contest=contest)
    return qs.select_related("track", "publisher")


def security_event_list_for_user(
    *, user, contest_id: int | None = None, code: str | None = None, user_id: int | None = None
) -> QuerySet[SecurityEvent]:
    """Refused attempts an organizer may read: those of the contests they organize (a superuser:
    all, also those no contest could be told for), newest first, filtered."""
    qs = SecurityEvent.objects.select_related("contest")
    if user is None or not user.is_authenticated:
        return qs.none()
    if not user.is_superuser:
        qs = qs.filter(contest_id__in=organized_contest_ids(user))
    if contest_id is not None:
        qs = qs.filter(contest_id=contest_id)
    if code:
        qs = qs.filter(code=code)
    if user_id is not None:
        qs = qs.filter(user_id=user_id)
    return qs.order_by("-created_at", "-id")


def contest_get(*, contest_id: int) -> Contest | None:
    return Contest.objects.filter(pk=contest_id).first()


def contest_all() -> QuerySet[Contest]:
    """Every contest, published or not (a filter by id that says nothing about visibility)."""
    return Contest.objects.all()


def user_get(*, user_id: int) -> User | None:
    return User.objects.filter(pk=user_id).first()


# --- the first round -------------------------------------------------------------------------
# The first round of a contest is the one with the lowest sequence: every entry starts there (揭榜),
# its deadline freezes the teams' facts and opens the publishers' view. These three are the only
# ways to look it up: one contest, many contests, or inside another query.


def first_round_subquery(contest) -> QuerySet[Round]:
    """The contest's rounds, first round first (`contest`: a contest, an id or an `OuterRef`)."""
    return Round.objects.filter(contest=contest).order_by("sequence")


def first_round_of(contest: Contest | int) -> Round | None:
    """The contest's first round (a contest or its id), or None before any round exists.
    Read by every upload and submission: explicit SQL (contest/hot_reads.py)."""
    return hot_reads.first_round(contest.pk if isinstance(contest, Contest) else contest)


def first_rounds_of(contest_ids) -> dict[int, Round]:
    """`first_round_of` for many contests in one query: contest id → first round."""
    rounds: dict[int, Round] = {}
    for round_ in Round.objects.filter(contest_id__in=set(contest_ids)).order_by("contest_id", "sequence"):
        rounds.setdefault(round_.contest_id, round_)
    return rounds


# --- the organizer back office (contest.staff) ---------------------------------------------------


def round_get_visible(*, user, pk) -> QuerySet[Round]:
    """The round `pk` (with its contest) if its contest is visible to the user: an empty
    queryset otherwise, so a page built on it answers 404."""
    return round_list_for_user(user=user).select_related("contest").filter(pk=pk)


def contests_organized_by(*, user) -> list[Contest]:
    """The visible contests the user organizes (a superuser: every contest), newest first."""
    contests = contest_list_for_user(user=user)
    if not user.is_superuser:
        contests = contests.filter(roles__user=user, roles__role=Role.ORGANIZER)
    return list(contests.distinct().order_by("-id"))


def contests_hosted_by(*, user, exclude_ids=()) -> list[dict]:
    """The visible contests where the user hosts tracks (承办), other than `exclude_ids`, newest
    first: each with the hosted tracks and the contest's scored rounds."""
    hosted = []
    visible = contest_list_for_user(user=user)
    for contest in visible.filter(roles__user=user, roles__role=Role.TRACK_HOST).distinct().order_by("-id"):
        if contest.pk in exclude_ids:
            continue
        tracks = contest.tracks.filter(pk__in=hosted_track_ids(user, contest))
        rounds = contest.rounds.filter(kind=RoundKind.SCORED).order_by("sequence")
        hosted.append({"contest": contest, "tracks": list(tracks), "rounds": list(rounds)})
    return hosted


def scenarios_pending_review(*, contest: Contest) -> list[Scenario]:
    """The scenarios of `contest` waiting for an organizer's approval, oldest change first."""
    return list(
        Scenario.objects.filter(contest=contest, status=ScenarioStatus.PENDING_REVIEW)
        .select_related("track", "publisher", "created_by")
        .order_by("updated_at", "id")
    )


def scenario_pending_review_get(*, contest: Contest, pk: int) -> QuerySet[Scenario]:
    """The scenario `pk` of `contest` (any status: the service says why a decision is refused)."""
    return Scenario.objects.filter(contest=contest, pk=pk)


def contest_rounds(*, contest: Contest, kind: str | None = None) -> QuerySet[Round]:
    """The rounds of `contest` in order (of one kind if given)."""
    qs = contest.rounds.order_by("sequence")
    return qs.filter(kind=kind) if kind else qs


def contest_round_get(*, contest: Contest, pk: int) -> QuerySet[Round]:
    return Round.objects.filter(contest=contest, pk=pk)


def contest_tracks(*, contest: Contest, track_ids=None) -> QuerySet[Track]:
    """The tracks of `contest` in their order (only `track_ids` if given)."""
    qs = Track.objects.filter(contest=contest).order_by("order", "id")
    return qs if track_ids is None else qs.filter(pk__in=track_ids)


def track_names(*, contest: Contest) -> dict[int, str]:
    return dict(contest.tracks.values_list("id", "name"))
