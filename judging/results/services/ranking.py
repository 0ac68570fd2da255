"""Ranking within the advancement group, with the declared tie-break chain.

Order within a group (track, scenario or whole contest, per `Round.advancement_scope`):

1. the higher final score (as published, i.e. rounded to 2 places);
2. the higher sum of all valid judge totals (exact);
3. the higher mean on each criterion in order of weight (highest weight first; equal weights
   in rubric order);
4. the earlier final submission (`Solution.submitted_at`);
5. otherwise the solutions share the rank (competition ranking: 1, 2, 2, 4) until the
   committee records a decision (TieDecision) ordering every one of them.

Each row records the deepest rule needed to place it among the solutions with the same score
(`tie_rule`), and for the criterion rule which criterion decided (`tie_detail`). Incomplete and
disqualified results get no rank, so the entries below move up (依次递补) within the group only.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from django.db import transaction

from contest.audit import audit_record
from contest.models import Round
from judging.models import Criterion
from judging.results.enums import TieRule
from judging.results.errors import AlreadyPublishedError, ResultsNotAggregatedError, TieDecisionInvalidError
from judging.results.models import Publication, RoundResult, TieDecision

_FAR_FUTURE = dt.datetime.max.replace(tzinfo=dt.UTC)


def _ordered_criteria(round_: Round) -> list[Criterion]:
    return sorted(Criterion.objects.filter(rubric__round=round_), key=lambda c: (-c.weight, c.order, c.pk))


def _mean(sums: dict, criterion_id: int) -> Fraction:
    total, count = sums.get(criterion_id, (0, 1))
    return Fraction(total, 100 * count)


def _mean_text(total: int, count: int) -> str:
    """total/(100·count) half-up to 4 places, in integers (no float, no Decimal context)."""
    q = (total * 200 + count) // (2 * count)
    return f"{q // 10000}.{q % 10000:04d}"


def _compare_level(a: dict, b: dict, criteria: list[Criterion]) -> tuple[int, str]:
    """The first rule of the chain on which a and b differ (0 = score), with a detail."""
    if a["score"] != b["score"]:
        return 0, ""
    if a["total_key"] != b["total_key"]:
        return 1, ""
    for criterion in criteria:
        if _mean(a["means"], criterion.pk) != _mean(b["means"], criterion.pk):
            return 2, criterion.name
    if (a["submitted_at"] or _FAR_FUTURE) != (b["submitted_at"] or _FAR_FUTURE):
        return 3, ""
    return 4, ""


_LEVEL_RULE = {
    0: TieRule.NONE,
    1: TieRule.TOTAL_SUM,
    2: TieRule.CRITERION,
    3: TieRule.SUBMISSION_TIME,
    4: TieRule.SHARED,
}


def rank_results(*, round_: Round, rows: list[dict], load_criterion_means) -> None:
    """Fill rank, tie_rule, tie_detail and criterion_means on each row dict (in place).

    Rows need: solution_id, group_key, score, total_key (exact integer key of the sum of
    totals), submitted_at, incomplete, disqualified. Sorts on (score, sum of totals) first
    and applies the rest of the chain only inside runs still tied:
    `load_criterion_means(solution_ids)` is called once, for those runs only, so per-criterion
    means are read for the few solutions whose order depends on them (they are stored in
    `criterion_means` for exactly those rows; anyone's means are available on demand through
    aggregation.criterion_sums, e.g. for a team's feedback).
    """
    criteria = _ordered_criteria(round_)
    keys = {c.pk: c.key for c in criteria}
    decisions = dict(TieDecision.objects.filter(round=round_).values_list("solution_id", "position"))

    groups: dict[str, list[dict]] = {}
    for row in rows:
        row["means"], row["criterion_means"] = {}, {}
        row["rank"], row["tie_rule"], row["tie_detail"] = None, TieRule.NONE, ""
        if row["incomplete"] or row["disqualified"]:
            continue
        groups.setdefault(row["group_key"], []).append(row)

    def cheap_key(r):
        return (r["score"], r["total_key"])

    tied_ids = []
    for members in groups.values():
        members.sort(key=lambda r: (-r["score"], -r["total_key"], r["solution_id"]))
        for i, row in enumerate(members):
            if (i > 0 and cheap_key(members[i - 1]) == cheap_key(row)) or (
                i + 1 < len(members) and cheap_key(members[i + 1]) == cheap_key(row)
            ):
                tied_ids.append(row["solution_id"])
    if tied_ids:
        means = load_criterion_means(tied_ids)
        for members in groups.values():
            for row in members:
                if row["solution_id"] in means:
                    row["means"] = means[row["solution_id"]]
                    row["criterion_means"] = {
                        keys.get(cid, str(cid)): _mean_text(total, count)
                        for cid, (total, count) in sorted(row["means"].items())
                    }

    def full_key(row):
        return (
            *[-_mean(row["means"], c.pk) for c in criteria],
            row["submitted_at"] or _FAR_FUTURE,
            decisions.get(row["solution_id"], 1 << 30),
            row["solution_id"],
        )

    for group_key, unsorted in groups.items():
        members: list[dict] = []
        start = 0
        while start < len(unsorted):
            end = start + 1
            head = unsorted[start]
            while end < len(unsorted) and (unsorted[end]["score"], unsorted[end]["total_key"]) == (
                head["score"],
                head["total_key"],
            ):
                end += 1
            run = unsorted[start:end]
            if len(run) > 1:
                run.sort(key=full_key)
            members.extend(run)
            start = end
        groups[group_key] = members
        levels = [_compare_level(members[i - 1], members[i], criteria) for i in range(1, len(members))]
        # Clusters of fully equal rows: shared unless the committee ordered every one of them.
        i = 0
        while i < len(members):
            j = i
            while j + 1 < len(members) and levels[j][0] == 4:
                j += 1
            cluster = members[i : j + 1]
            committee = len(cluster) > 1 and all(m["solution_id"] in decisions for m in cluster)
            for offset, row in enumerate(cluster):
                if len(cluster) > 1 and not committee:
                    row["rank"] = i + 1
                else:
                    row["rank"] = i + offset + 1
                if len(cluster) > 1:
                    row["tie_rule"] = TieRule.COMMITTEE if committee else TieRule.SHARED
            i = j + 1
        for index, row in enumerate(members):
            if row["tie_rule"] in (TieRule.SHARED, TieRule.COMMITTEE):
                continue
            neighbour_levels = []
            if index > 0:
                neighbour_levels.append(levels[index - 1])
            if index < len(levels):
                neighbour_levels.append(levels[index])
            level, detail = max(neighbour_levels, default=(0, ""), key=lambda x: x[0])
            row["tie_rule"] = _LEVEL_RULE[level]
            row["tie_detail"] = detail[:200] if level == 2 else ""


def tie_decision_record(*, round_: Round, solution_ids: list[int], reason: str, actor) -> list[TieDecision]:
    """Record the committee's order of solutions that share a rank, then re-rank.

    Preconditions: the round not yet published; the solutions have results in the round that
    currently share one rank in one group; a reason. Side effects: TieDecision rows (replacing
    earlier ones for those solutions), a synchronous re-aggregation of the round (which
    re-ranks), an audit event.
    """
    from judging.results.services.aggregation import results_aggregate

    reason = (reason or "").strip()
    if not reason:
        from judging.errors import ReasonRequiredError

        raise ReasonRequiredError()
    if len(solution_ids) < 2 or len(set(solution_ids)) != len(solution_ids):
        raise TieDecisionInvalidError()
    with transaction.atomic():
        if Publication.objects.filter(round=round_, superseded=False).exists():
            raise AlreadyPublishedError()
        results = list(RoundResult.objects.filter(round=round_, solution_id__in=solution_ids))
        if not results:
            raise ResultsNotAggregatedError()
        if len(results) != len(solution_ids):
            raise TieDecisionInvalidError()
        if len({(r.group_key, r.rank) for r in results}) != 1 or any(
            r.tie_rule not in (TieRule.SHARED, TieRule.COMMITTEE) for r in results
        ):
            raise TieDecisionInvalidError(extra={"ranks": sorted({r.rank for r in results if r.rank is not None})})
        TieDecision.objects.filter(round=round_, solution_id__in=solution_ids).delete()
        decisions = TieDecision.objects.bulk_create(
            [
                TieDecision(round=round_, solution_id=sid, position=position, reason=reason, decided_by=actor)
                for position, sid in enumerate(solution_ids, start=1)
            ]
        )
        audit_record(
            actor=actor,
            action="results.tie_decision",
            obj=round_,
            after={"order": solution_ids, "reason": reason},
        )
        results_aggregate(round_=round_, actor=actor)
    return decisions
