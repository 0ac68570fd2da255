"""Read queries for results, one per viewer. Visibility lives here: before publication the
results exist for organizers only; to anyone else the round has no results (404), so neither
a notice, a list's order nor its paging hints at them."""

from __future__ import annotations

from django.db.models import F
from django.http import Http404

from contest.models import Contest, Round
from contest.roles import is_organizer
from judging.results.enums import ObjectionStatus, TieRule
from judging.results.models import Award, Objection, Publication, RoundResult
from judging.results.services.publication import current_publication
from submissions.models import Solution


def round_get(*, round_id: int) -> Round:
    round_ = Round.objects.select_related("contest").filter(pk=round_id).first()
    if round_ is None:
        raise Http404
    return round_


def result_list_for_organizer(*, user, round_: Round):
    if not is_organizer(user, round_.contest):
        raise Http404
    return RoundResult.objects.filter(round=round_).select_related("solution__team", "solution__scenario")


def publication_current_for_anyone(*, round_: Round) -> Publication:
    """The published table of a round, or 404 while unpublished."""
    publication = current_publication(round_)
    if publication is None:
        raise Http404
    return publication


def publication_list_for_user(*, user, round_: Round):
    qs = Publication.objects.filter(round=round_).order_by("number")
    if not qs.exists():
        raise Http404
    return qs


def publication_get(*, publication_id: int) -> Publication:
    publication = Publication.objects.select_related("round__contest").filter(pk=publication_id).first()
    if publication is None:
        raise Http404
    return publication


def objection_pending_solution_ids(
    *, solution_ids=None, round_: Round | None = None, contest: Contest | int | None = None
) -> set[int]:
    """Which entries (of `solution_ids`, or all) have an objection being handled (异议处理中):
    open objections against them in this round's publications, or in any round of this
    contest. Every answer that shows an entry's result or award marks those entries."""
    qs = Objection.objects.filter(status=ObjectionStatus.OPEN)
    if solution_ids is not None:
        ids = {int(i) for i in solution_ids}
        if not ids:
            return set()
        qs = qs.filter(solution_id__in=ids)
    if round_ is not None:
        qs = qs.filter(publication__round=round_)
    if contest is not None:
        qs = qs.filter(publication__round__contest=contest)
    return set(qs.values_list("solution_id", flat=True).distinct())


def leaderboard_for_public(*, round_: Round, track_id: int | None = None) -> dict:
    """Rank, team, scenario and score of the published table — never per-judge data."""
    publication = publication_current_for_anyone(round_=round_)
    rows = [r for r in publication.table if track_id is None or r["track_id"] == track_id]
    pending = objection_pending_solution_ids(solution_ids=[r["solution_id"] for r in rows], round_=round_)
    return {
        "round_id": round_.pk,
        "publication_number": publication.number,
        "published_at": publication.published_at,
        "publicity_starts_at": publication.publicity_starts_at,
        "publicity_ends_at": publication.publicity_ends_at,
        "digest": publication.digest,
        "rows": [
            {
                **{k: r[k] for k in ("group", "rank", "solution_id", "team", "scenario", "track", "score", "advanced")},
                "objection_pending": r["solution_id"] in pending,
            }
            for r in rows
        ],
    }


def feedback_for_team_member(*, user, round_: Round) -> list[dict]:
    """The user's team's results as the current publication showed them (never the live
    results: a re-aggregation reaches teams when it is published), with the judges' comments
    for the team, anonymised, and whether an objection against the entry is being handled."""

    publication = publication_current_for_anyone(round_=round_)
    if not user.is_authenticated:
        raise Http404
    mine = Solution.objects.filter(contest_id=round_.contest_id, team__memberships__user=user).values_list(
        "pk", flat=True
    )
    items = [publication.feedback[str(pk)] for pk in sorted(set(mine)) if str(pk) in publication.feedback]
    if not items:
        raise Http404
    pending = objection_pending_solution_ids(solution_ids=[i["solution_id"] for i in items], round_=round_)
    return [{**item, "objection_pending": item["solution_id"] in pending} for item in items]


def objection_list_for_user(*, user, contest: Contest | None = None):
    """Organizers see every objection of their contests; anyone else only their own."""
    qs = Objection.objects.select_related("publication__round__contest", "solution").order_by("id")
    if contest is not None:
        qs = qs.filter(publication__round__contest=contest)
        if is_organizer(user, contest):
            return qs
    return qs.filter(raised_by=user)


def objection_get_for_organizer(*, user, objection_id: int) -> Objection:
    objection = Objection.objects.select_related("publication__round__contest").filter(pk=objection_id).first()
    if objection is None or not (
        objection.raised_by_id == user.pk or is_organizer(user, objection.publication.round.contest)
    ):
        raise Http404
    return objection


def objections_open_count(*, round_: Round) -> int:
    return Objection.objects.filter(publication__round=round_, status=ObjectionStatus.OPEN).count()


def award_list_for_public(*, contest: Contest):
    """Every award issued, live and revoked (a revoked one stays listed, marked, next to the
    award that replaced it): nothing issued disappears."""
    return (
        Award.objects.filter(contest=contest)
        .select_related("solution__team", "solution__scenario")
        .order_by(F("final_rank").asc(nulls_last=True), "id")
    )


def award_get_by_code(*, code: str) -> Award:
    award = (
        Award.objects.select_related("contest", "solution__team", "solution__scenario")
        .filter(verification_code=code.strip().upper())
        .first()
    )
    if award is None:
        raise Http404
    return award


def award_get(*, award_id: int) -> Award:
    award = Award.objects.select_related("contest", "solution__team", "solution__scenario").filter(pk=award_id).first()
    if award is None:
        raise Http404
    return award


# --- the organizer back office (judging.staff.results) -------------------------------------------


def results_for_dashboard(*, user, round_: Round) -> list[RoundResult]:
    """The round's results for its organizers' page: by group, rank and id."""
    return list(
        result_list_for_organizer(user=user, round_=round_)
        .select_related("solution__scenario__track", "solution__team__lead_unit")
        .order_by("group_key", "rank", "id")
    )


def round_result_get(*, round_: Round, solution_id: int):
    return RoundResult.objects.filter(round=round_, solution_id=solution_id)


def tie_group_of(*, round_: Round, result: RoundResult) -> list[RoundResult]:
    """The results that share `result`'s rank after the whole tie chain (awaiting the
    committee), by solution id; empty when the result shares no rank."""
    if result.tie_rule != TieRule.SHARED or result.rank is None:
        return []
    return list(
        RoundResult.objects.filter(round=round_, group_key=result.group_key, rank=result.rank, tie_rule=TieRule.SHARED)
        .select_related("solution")
        .order_by("solution_id")
    )


def objections_open_count_for_contest(*, contest: Contest) -> int:
    return Objection.objects.filter(publication__round__contest=contest, status=ObjectionStatus.OPEN).count()


def contest_objection_get(*, contest: Contest, pk: int):
    return Objection.objects.filter(pk=pk, publication__round__contest=contest)


def award_count(*, contest: Contest) -> int:
    return Award.objects.filter(contest=contest).count()


def awards_for_organizer(*, contest: Contest) -> list[Award]:
    """Every award of the contest (revoked ones too), by final rank (unranked last), then id."""
    return list(
        Award.objects.filter(contest=contest)
        .select_related("revoked_by", "replaces")
        .order_by(F("final_rank").asc(nulls_last=True), "id")
    )


def contest_award_get(*, contest: Contest, pk: int):
    return Award.objects.filter(pk=pk, contest=contest)
