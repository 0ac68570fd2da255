import datetime as dt
from decimal import Decimal

import pytest

from judging.errors import ReasonRequiredError
from judging.results.enums import TieRule
from judging.results.errors import TieDecisionInvalidError
from judging.results.models import RoundResult
from judging.results.services.advancement import advancement_apply, advancement_override
from judging.results.services.aggregation import results_aggregate
from judging.results.services.ranking import tie_decision_record
from submissions.enums import EntryStatus, SolutionStatus
from submissions.models import RoundEntry
from tests.factories.contest import RoundFactory, TrackFactory

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


def _r(round_, solution):
    return RoundResult.objects.get(round=round_, solution=solution)


def test_tie_broken_by_sum_of_totals(builder):
    # Same trimmed mean 80.00, but the second one's dropped extremes sum higher: 401 vs 400.
    b = builder(aggregation_method="trimmed_mean")
    a = b.scored([70, 80, 80, 80, 90])
    c = b.scored([61, 80, 80, 80, 100])

    results_aggregate(round_=b.round)

    assert _r(b.round, a).score == _r(b.round, c).score == Decimal("80.00")
    assert (_r(b.round, c).rank, _r(b.round, a).rank) == (1, 2)
    assert _r(b.round, c).tie_rule == TieRule.TOTAL_SUM == _r(b.round, a).tie_rule


def test_tie_broken_by_highest_weighted_criterion_first(builder):
    b = builder(aggregation_method="mean")
    b.use_criteria([("team", "团队能力", 1, 50), ("innovation", "创新性", 2, 25)])
    # Totals equal: A (innovation 20, team 30) = (2·20 + 30)/100 = 70 %; B (innovation 15, team 40) = 70 %.
    a = b.solution()
    c = b.solution()
    for judge in ("x", "y", "z"):
        b.review(a, judge, [30, 20])
        b.review(c, judge, [40, 15])

    results_aggregate(round_=b.round)

    ra, rc = _r(b.round, a), _r(b.round, c)
    assert ra.score == rc.score == Decimal("70.00") and ra.total_sum == rc.total_sum
    assert (ra.rank, rc.rank) == (1, 2)
    assert ra.tie_rule == TieRule.CRITERION and ra.tie_detail == "创新性"
    assert ra.criterion_means == {"innovation": "20.0000", "team": "30.0000"}


def test_tie_broken_by_earlier_submission(builder):
    b = builder(aggregation_method="mean")
    late = b.scored([80, 80, 80], submitted_offset=10)
    early = b.scored([80, 80, 80], submitted_offset=0)

    results_aggregate(round_=b.round)

    assert (_r(b.round, early).rank, _r(b.round, late).rank) == (1, 2)
    assert _r(b.round, early).tie_rule == TieRule.SUBMISSION_TIME


def test_full_tie_shares_rank_until_committee_decides(builder, organizer):
    b = builder(aggregation_method="mean")
    top = b.scored([90, 90, 90])
    x = b.scored([80, 80, 80])
    y = b.scored([80, 80, 80])
    last = b.scored([70, 70, 70])
    results_aggregate(round_=b.round)

    assert [_r(b.round, s).rank for s in (top, x, y, last)] == [1, 2, 2, 4]
    assert _r(b.round, x).tie_rule == TieRule.SHARED

    with pytest.raises(ReasonRequiredError):
        tie_decision_record(round_=b.round, solution_ids=[y.pk, x.pk], reason=" ", actor=organizer)
    with pytest.raises(TieDecisionInvalidError):
        tie_decision_record(round_=b.round, solution_ids=[top.pk, x.pk], reason="评审委员会表决", actor=organizer)
    tie_decision_record(round_=b.round, solution_ids=[y.pk, x.pk], reason="评审委员会表决 5:2", actor=organizer)

    assert [_r(b.round, s).rank for s in (top, y, x, last)] == [1, 2, 3, 4]
    assert _r(b.round, y).tie_rule == TieRule.COMMITTEE


def test_ranks_within_track_groups(builder):
    b = builder(aggregation_method="mean", advancement_scope="track")
    other_track = TrackFactory(contest=b.contest)
    a1 = b.scored([90, 90, 90])
    a2 = b.scored([80, 80, 80])
    b1 = b.scored([70, 70, 70], track=other_track)

    results_aggregate(round_=b.round)

    assert (_r(b.round, a1).rank, _r(b.round, a2).rank, _r(b.round, b1).rank) == (1, 2, 1)
    assert _r(b.round, b1).group_key == f"track:{other_track.pk}"


def test_contest_scope_ranks_everyone_together(builder):
    b = builder(aggregation_method="mean", advancement_scope="contest")
    other_track = TrackFactory(contest=b.contest)
    a1 = b.scored([90, 90, 90])
    b1 = b.scored([95, 95, 95], track=other_track)

    results_aggregate(round_=b.round)

    assert (_r(b.round, b1).rank, _r(b.round, a1).rank) == (1, 2)
    assert _r(b.round, a1).group_key == "contest"


def test_ties_at_the_cut_all_advance(builder):
    b = builder(aggregation_method="mean", advancement_kind="top_n", advancement_value=2)
    first = b.scored([90, 90, 90])
    tied = [b.scored([80, 80, 80]), b.scored([80, 80, 80])]
    out = b.scored([70, 70, 70])

    results_aggregate(round_=b.round)

    assert _r(b.round, first).advanced
    assert all(_r(b.round, s).advanced and _r(b.round, s).rank == 2 for s in tied)
    assert not _r(b.round, out).advanced


def test_top_percent_rounds_up(builder):
    b = builder(aggregation_method="mean", advancement_kind="top_percent", advancement_value=50)
    solutions = [b.scored([90 - i, 90 - i, 90 - i]) for i in range(5)]  # ceil(5 × 50 %) = 3

    results_aggregate(round_=b.round)

    assert [_r(b.round, s).advanced for s in solutions] == [True, True, True, False, False]


def test_score_floor(builder):
    b = builder(aggregation_method="mean", advancement_kind="score_floor", advancement_value=Decimal("80.00"))
    hi, edge, lo = b.scored([85, 85, 85]), b.scored([80, 80, 80]), b.scored([79.5, 80, 80])

    results_aggregate(round_=b.round)

    assert [_r(b.round, s).advanced for s in (hi, edge, lo)] == [True, True, False]


def test_incomplete_never_advances(builder):
    b = builder(aggregation_method="mean", advancement_kind="top_n", advancement_value=5)
    short = b.scored([99, 99])

    results_aggregate(round_=b.round)

    assert not _r(b.round, short).advanced


def test_override_needs_reason_is_audited_and_survives_rerun(builder, organizer):
    from contest.models import AuditEvent

    b = builder(aggregation_method="mean", advancement_kind="top_n", advancement_value=1)
    first = b.scored([90, 90, 90])
    second = b.scored([80, 80, 80])
    results_aggregate(round_=b.round)

    with pytest.raises(ReasonRequiredError):
        advancement_override(round_=b.round, solution_id=second.pk, advanced=True, reason="", actor=organizer)
    advancement_override(round_=b.round, solution_id=second.pk, advanced=True, reason="专家组复议", actor=organizer)
    results_aggregate(round_=b.round)

    assert _r(b.round, second).advanced and _r(b.round, second).override_reason == "专家组复议"
    assert _r(b.round, first).advanced
    event = AuditEvent.objects.filter(action="results.advancement_override").get()
    assert event.before == {"advanced": False, "override_reason": ""}
    assert event.after["advanced"] is True


def test_apply_advancement_moves_entries_to_next_round(builder, organizer):
    b = builder(aggregation_method="mean", advancement_kind="top_n", advancement_value=1, sequence=1)
    next_round = RoundFactory(contest=b.contest, sequence=2)
    winner = b.scored([90, 90, 90])
    loser = b.scored([80, 80, 80])
    results_aggregate(round_=b.round)

    advancement_apply(round_=b.round, actor=organizer)
    advancement_apply(round_=b.round, actor=organizer)  # idempotent

    winner.refresh_from_db()
    loser.refresh_from_db()
    assert winner.status == SolutionStatus.ADVANCED and loser.status == SolutionStatus.ELIMINATED
    assert RoundEntry.objects.get(round=b.round, solution=winner).status == EntryStatus.ADVANCED
    assert RoundEntry.objects.get(round=b.round, solution=loser).status == EntryStatus.ELIMINATED
    assert list(RoundEntry.objects.filter(round=next_round).values_list("solution_id", "status")) == [
        (winner.pk, EntryStatus.ACTIVE)
    ]


def test_submission_time_none_sorts_last(builder):
    b = builder(aggregation_method="mean")
    a = b.scored([80, 80, 80])
    c = b.scored([80, 80, 80])
    type(c).objects.filter(pk=c.pk).update(submitted_at=None)
    type(a).objects.filter(pk=a.pk).update(submitted_at=b.base_time - dt.timedelta(days=1))

    results_aggregate(round_=b.round)

    assert (_r(b.round, a).rank, _r(b.round, c).rank) == (1, 2)


def test_no_hand_changes_after_publication(builder, organizer):
    from judging.results.errors import AlreadyPublishedError
    from judging.results.services.publication import publication_publish

    b = builder(aggregation_method="mean")
    x = b.scored([80, 80, 80])
    y = b.scored([80, 80, 80])
    results_aggregate(round_=b.round)
    publication_publish(round_=b.round, actor=organizer)

    with pytest.raises(AlreadyPublishedError):
        advancement_override(round_=b.round, solution_id=x.pk, advanced=True, reason="复议", actor=organizer)
    with pytest.raises(AlreadyPublishedError):
        tie_decision_record(round_=b.round, solution_ids=[y.pk, x.pk], reason="表决", actor=organizer)
