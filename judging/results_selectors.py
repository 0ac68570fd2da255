"""Read queries for results, one per viewer. Visibility lives here: before publication the
results exist for organizers only; to anyone else the round has no results (404), so neither
a notice, a list's order nor its paging hints at them."""

from __future__ import annotations

from django.db.models import F
from django.http import Http404

from contest.models import Contest, Round
from contest.roles import is_organizer
from judging.enums import ObjectionStatus, ReviewStatus
from judging.models import Award, Criterion, Objection, Publication, Review, RoundResult
from judging.services.aggregation import criterion_sums
from judging.services.publication import current_publication


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


def leaderboard_for_public(*, round_: Round, track_id: int | None = None) -> dict:
    """Rank, team, scenario and score of the published table — never per-judge data."""
    publication = publication_current_for_anyone(round_=round_)
    rows = [r for r in publication.table if track_id is None or r["track_id"] == track_id]
    return {
        "round_id": round_.pk,
        "publication_number": publication.number,
        "published_at": publication.published_at,
        "publicity_starts_at": publication.publicity_starts_at,
        "publicity_ends_at": publication.publicity_ends_at,
        "digest": publication.digest,
        "rows": [
            {k: r[k] for k in ("group", "rank", "solution_id", "team", "scenario", "track", "score", "advanced")}
            for r in rows
        ],
    }


def feedback_for_team_member(*, user, round_: Round) -> list[dict]:
    """The user's team's results after publication: score, rank, per-criterion means and the
    judges' comments, anonymised (评委 1, 2, … in a fixed order that names nobody)."""
    publication_current_for_anyone(round_=round_)
    if not user.is_authenticated:
        raise Http404
    results = list(
        RoundResult.objects.filter(round=round_, solution__team__memberships__user=user)
        .select_related("solution")
        .order_by("solution_id")
    )
    if not results:
        raise Http404
    criteria = {c.pk: c for c in Criterion.objects.filter(rubric__round=round_)}
    solution_ids = [r.solution_id for r in results]
    sums = criterion_sums(round_, solution_ids=solution_ids)
    # One query for every solution's comments (not one per result).
    comments_of: dict[int, list[str]] = {}
    for solution_id, comment in (
        Review.objects.filter(round=round_, solution_id__in=solution_ids, status=ReviewStatus.SUBMITTED)
        .exclude(comment="")
        .order_by("solution_id", "id")
        .values_list("solution_id", "comment")
    ):
        comments_of.setdefault(solution_id, []).append(comment)
    out = []
    for result in results:
        comments = comments_of.get(result.solution_id, [])
        means = []
        for cid, (total, count) in sorted(
            sums.get(result.solution_id, {}).items(), key=lambda kv: criteria[kv[0]].order
        ):
            criterion = criteria[cid]
            means.append(
                {
                    "criterion": criterion.name,
                    "max_score": f"{criterion.max_score:.2f}",
                    "mean": f"{total / (100 * count):.2f}",
                }
            )
        out.append(
            {
                "solution_id": result.solution_id,
                "solution_title": result.solution.title,
                "score": None if result.score is None or result.disqualified else f"{result.score:.2f}",
                "rank": result.rank,
                "advanced": result.advanced,
                "incomplete": result.incomplete,
                "disqualified": result.disqualified,
                "criterion_means": means,
                "comments": [{"judge": f"评委 {i}", "comment": c} for i, c in enumerate(comments, start=1)],
            }
        )
    return out


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
