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
from dataclasses import replace
from fractions import Fraction

from django.db import transaction

from contest.audit import audit_record
from contest.models import Round
from judging.errors import ReasonRequiredError
from judging.models import Criterion
from judging.results.enums import TieRule
from judging.results.errors import AlreadyPublishedError, ResultsNotAggregatedError, TieDecisionInvalidError
from judging.results.models import Publication, RoundResult, TieDecision
from judging.results.services.aggregation import results_aggregate
from judging.results.services.rows import ResultRow

_FAR_FUTURE = dt.datetime.max.replace(tzinfo=dt.UTC)


def ordered_criteria(criteria) -> list[Criterion]:
    """The criteria in the order the chain compares their means: highest weight first, equal
    weights in rubric order."""
    return sorted(criteria, key=lambda c: (-c.weight, c.order, c.pk))


def _mean(sums: dict, criterion_id: int) -> Fraction:
    total, count = sums.get(criterion_id, (0, 1))
    return Fraction(total, 100 * count)


def _mean_text(total: int, count: int) -> str:
    """total/(100·count) half-up to 4 places, in integers (no float, no Decimal context)."""
    q = (total * 200 + count) // (2 * count)
    return f"{q // 10000}.{q % 10000:04d}"


TieKey = tuple[tuple[str, tuple], ...]


def tie_key(row: ResultRow, criteria: list[Criterion], means: dict) -> TieKey:
    """The tie-break chain, written once: one (rule, values) component per rule, in the order
    the rules apply; the smaller key ranks higher. `criteria` in `ordered_criteria` order,
    `means`: {criterion id: (sum of scores × 100, count)} of the row's solution.

    The sort is by this key; which rule placed a row is the first component in which it differs
    from its neighbour (`tie_level`), so the order and the explanation cannot disagree."""
    return (
        (TieRule.NONE, (-row.score,)),
        (TieRule.TOTAL_SUM, (-row.total_key,)),
        (TieRule.CRITERION, tuple(-_mean(means, c.pk) for c in criteria)),
        (TieRule.SUBMISSION_TIME, (row.submitted_at or _FAR_FUTURE,)),
    )


def tie_level(a: TieKey, b: TieKey) -> tuple[int, str, int | None]:
    """(depth, rule, position) of the first component of two keys that differs, the position
    being the first differing value inside it (for the criterion rule: which criterion);
    (len(a), SHARED, None) when the keys are equal."""
    for depth, ((rule, va), (_rule, vb)) in enumerate(zip(a, b, strict=True)):
        if va != vb:
            return depth, rule, next(i for i, (x, y) in enumerate(zip(va, vb, strict=True)) if x != y)
    return len(a), TieRule.SHARED, None


def _needs_means(key: TieKey) -> int:
    """How many leading components of the key come before the criterion means."""
    return [rule for rule, _values in key].index(TieRule.CRITERION)


def rank_results(*, round_: Round, rows: list[ResultRow], load_criterion_means) -> list[ResultRow]:
    """The rows (same order) with rank, tie_rule, tie_detail and criterion_means filled.

    Rows are sorted by `tie_key` within their group; incomplete and disqualified rows get no
    rank. The per-criterion means the key needs are loaded by
    `load_criterion_means(solution_ids)`, called once, only for the rows still tied on the
    components before the criterion means (they are stored in `criterion_means` for exactly
    those rows; anyone's means are available on demand through exact.criterion_sums, e.g.
    for a team's feedback).
    """
    criteria = ordered_criteria(Criterion.objects.filter(rubric__round=round_))
    keys = {c.pk: c.key for c in criteria}
    decisions = dict(TieDecision.objects.filter(round=round_).values_list("solution_id", "position"))

    groups: dict[str, list[ResultRow]] = {}
    for row in rows:
        if not (row.incomplete or row.disqualified):
            groups.setdefault(row.group_key, []).append(row)

    means: dict[int, dict] = {}
    heads: dict[tuple, list[int]] = {}
    for group_key, members in groups.items():
        for row in members:
            key = tie_key(row, criteria, {})
            heads.setdefault((group_key, key[: _needs_means(key)]), []).append(row.solution_id)
    tied_ids = sorted(sid for ids in heads.values() if len(ids) > 1 for sid in ids)
    if tied_ids:
        means = load_criterion_means(tied_ids)

    placed: dict[int, dict] = {}  # solution id: the fields ranking fills
    for unsorted in groups.values():
        keyed = [(tie_key(row, criteria, means.get(row.solution_id, {})), row) for row in unsorted]
        keyed.sort(key=lambda kr: (kr[0], decisions.get(kr[1].solution_id, 1 << 30), kr[1].solution_id))
        members = [row.solution_id for _key, row in keyed]
        levels = [tie_level(keyed[i - 1][0], keyed[i][0]) for i in range(1, len(keyed))]
        for sid in members:
            placed[sid] = {"rank": None, "tie_rule": TieRule.NONE, "tie_detail": ""}
        # Clusters of fully equal rows: shared unless the committee ordered every one of them.
        i = 0
        while i < len(members):
            j = i
            while j + 1 < len(members) and levels[j][1] == TieRule.SHARED:
                j += 1
            cluster = members[i : j + 1]
            committee = len(cluster) > 1 and all(sid in decisions for sid in cluster)
            for offset, sid in enumerate(cluster):
                placed[sid]["rank"] = i + 1 if len(cluster) > 1 and not committee else i + offset + 1
                if len(cluster) > 1:
                    placed[sid]["tie_rule"] = TieRule.COMMITTEE if committee else TieRule.SHARED
            i = j + 1
        for index, sid in enumerate(members):
            if placed[sid]["tie_rule"] in (TieRule.SHARED, TieRule.COMMITTEE):
                continue
            neighbour_levels = []
            if index > 0:
                neighbour_levels.append(levels[index - 1])
            if index < len(levels):
                neighbour_levels.append(levels[index])
            _depth, rule, position = max(neighbour_levels, default=(0, TieRule.NONE, None), key=lambda x: x[0])
            placed[sid]["tie_rule"] = rule
            placed[sid]["tie_detail"] = criteria[position].name[:200] if rule == TieRule.CRITERION else ""

    unranked = {"rank": None, "tie_rule": TieRule.NONE, "tie_detail": ""}
    return [
        replace(
            row,
            **placed.get(row.solution_id, unranked),
            criterion_means={
                keys.get(cid, str(cid)): _mean_text(total, count)
                for cid, (total, count) in sorted(means.get(row.solution_id, {}).items())
            },
        )
        for row in rows
    ]


def tie_decision_record(*, round_: Round, solution_ids: list[int], reason: str, actor) -> list[TieDecision]:
    """Record the committee's order of solutions that share a rank, then re-rank.

    Preconditions: the round not yet published; the solutions have results in the round that
    currently share one rank in one group; a reason. Side effects: TieDecision rows (replacing
    earlier ones for those solutions), a synchronous re-aggregation of the round (which
    re-ranks), an audit event.
    """

    reason = (reason or "").strip()
    if not reason:
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
