import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from contest.enums import RoundStatus
from contest.models import AuditEvent
from judging.errors import (
    JudgingClosedError,
    JudgingWindowInvalidError,
    RoundStatusError,
    RubricExistsError,
    RubricFrozenError,
)
from judging.models import JudgeAssignment
from judging.services.progress import round_progress
from judging.services.rounds import round_close_judging, round_open_judging
from judging.services.rubrics import (
    criterion_create,
    criterion_delete,
    criterion_update,
    rubric_create,
    rubric_delete,
    rubric_is_frozen,
    rubric_update,
)
from judging.services.scoring import review_return, review_save_draft, review_submit, review_void
from submissions.enums import SolutionStatus
from tests.factories.contest import ScenarioFactory, TrackFactory
from tests.factories.judging import JudgeAssignmentFactory
from tests.factories.submissions import RoundEntryFactory, SolutionFactory
from tests.judging.helpers import full_scores

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


# --- rubric freezing -------------------------------------------------------------------------
def test_rubric_editable_until_first_score_then_frozen(world):
    rubric_update(actor=world.organizer, rubric=world.rubric, score_step=Decimal("1"))
    rubric_update(actor=world.organizer, rubric=world.rubric, score_step=Decimal("0.5"))
    extra = criterion_create(
        actor=world.organizer, rubric=world.rubric, key="extra", name="附加", max_score=Decimal("5")
    )
    criterion_delete(actor=world.organizer, criterion=extra)
    # A draft without scores does not freeze; the first score does.
    review_save_draft(judge=world.judge, assignment_id=world.assignment.pk, comment="开始")
    assert rubric_is_frozen(round_id=world.round.pk) is False
    review_save_draft(judge=world.judge, assignment_id=world.assignment.pk, scores=full_scores(world)[:1])
    assert rubric_is_frozen(round_id=world.round.pk) is True
    attempts = [
        lambda: rubric_update(actor=world.organizer, rubric=world.rubric, name="x"),
        lambda: rubric_delete(actor=world.organizer, rubric=world.rubric),
        lambda: criterion_create(actor=world.organizer, rubric=world.rubric, key="k", name="n", max_score=Decimal("1")),
        lambda: criterion_update(actor=world.organizer, criterion=world.criteria[0], max_score=Decimal("100")),
        lambda: criterion_delete(actor=world.organizer, criterion=world.criteria[1]),
        lambda: rubric_create(actor=world.organizer, round_=world.round, name="t", track=world.solution.scenario.track),
    ]
    for attempt in attempts:
        with pytest.raises(RubricFrozenError):
            attempt()
    world.criteria[0].refresh_from_db()
    assert world.criteria[0].max_score == Decimal("10")


def test_voided_scores_still_freeze(world):
    review = review_submit(judge=world.judge, assignment_id=world.assignment.pk, scores=full_scores(world))
    review_void(actor=world.organizer, review=review, reason="冲突")
    with pytest.raises(RubricFrozenError):
        rubric_update(actor=world.organizer, rubric=world.rubric, name="x")


def test_one_default_rubric_per_round(world):
    with pytest.raises(RubricExistsError):
        rubric_create(actor=world.organizer, round_=world.round, name="第二张")
    track_rubric = rubric_create(
        actor=world.organizer, round_=world.round, name="赛道", track=world.solution.scenario.track
    )
    assert track_rubric.track == world.solution.scenario.track
    assert AuditEvent.objects.filter(action="judging.rubric_created").count() == 1


# --- judging window services -----------------------------------------------------------------
def test_open_and_close_judging(world):
    world.round.status = RoundStatus.OPEN
    world.round.judging_opens_at = timezone.now() + dt.timedelta(days=3)
    world.round.save()
    with pytest.raises(JudgingClosedError):
        review_save_draft(judge=world.judge, assignment_id=world.assignment.pk, comment="x")
    round_ = round_open_judging(actor=world.organizer, round_=world.round)
    assert round_.status == RoundStatus.JUDGING and round_.judging_opens_at <= timezone.now()
    review_save_draft(judge=world.judge, assignment_id=world.assignment.pk, comment="x")
    original_close = round_.judging_closes_at
    round_ = round_close_judging(actor=world.organizer, round_=round_)
    assert round_.judging_closes_at <= timezone.now() < original_close
    assert round_.status == RoundStatus.JUDGING
    with pytest.raises(JudgingClosedError):
        review_save_draft(judge=world.judge, assignment_id=world.assignment.pk, comment="y")
    closed_at = round_.judging_closes_at
    round_ = round_close_judging(actor=world.organizer, round_=round_)  # idempotent: min(existing, now)
    assert round_.judging_closes_at == closed_at
    with pytest.raises(JudgingWindowInvalidError):
        round_open_judging(actor=world.organizer, round_=round_)
    round_ = round_open_judging(actor=world.organizer, round_=round_, closes_at=timezone.now() + dt.timedelta(days=1))
    review_save_draft(judge=world.judge, assignment_id=world.assignment.pk, comment="z")
    actions = list(AuditEvent.objects.filter(action__startswith="judging.round_").values_list("action", flat=True))
    assert actions == ["judging.round_judging_opened", "judging.round_judging_closed", "judging.round_judging_opened"]


@pytest.mark.parametrize("status", [RoundStatus.AGGREGATED, RoundStatus.PUBLISHED, RoundStatus.CLOSED])
def test_finished_round_cannot_reopen(world, status):
    world.round.status = status
    world.round.save()
    with pytest.raises(RoundStatusError):
        round_open_judging(actor=world.organizer, round_=world.round)
    with pytest.raises(RoundStatusError):
        round_close_judging(actor=world.organizer, round_=world.round)


def test_return_needs_round_in_judging(world):
    review = review_submit(judge=world.judge, assignment_id=world.assignment.pk, scores=full_scores(world))
    world.round.status = RoundStatus.AGGREGATED
    world.round.save()
    with pytest.raises(RoundStatusError):
        review_return(actor=world.organizer, review=review, reason="x")


# --- progress --------------------------------------------------------------------------------
def test_progress_per_round_track_and_judge_from_one_query(world, django_assert_num_queries):
    track2 = TrackFactory(contest=world.contest)
    solution2 = SolutionFactory(contest=world.contest, scenario=ScenarioFactory(track=track2, contest=world.contest))
    RoundEntryFactory(round=world.round, solution=solution2)
    a3 = JudgeAssignmentFactory(round=world.round, solution=solution2, judge=world.judge)
    JudgeAssignmentFactory(round=world.round, solution=solution2, judge=world.unassigned_judge)
    withdrawn = SolutionFactory(contest=world.contest, status=SolutionStatus.WITHDRAWN)
    RoundEntryFactory(round=world.round, solution=withdrawn)
    JudgeAssignmentFactory(round=world.round, solution=withdrawn, judge=world.judge)  # not counted
    JudgeAssignment.objects.create(round=world.round, solution=solution2, judge=world.other_judge, active=False)
    review_submit(judge=world.judge, assignment_id=world.assignment.pk, scores=full_scores(world))
    r2 = review_submit(judge=world.other_judge, assignment_id=world.other_assignment.pk, scores=full_scores(world))
    review_return(actor=world.organizer, review=r2, reason="补充")
    review_save_draft(judge=world.judge, assignment_id=a3.pk, comment="草稿")
    with django_assert_num_queries(1):
        progress = round_progress(round_=world.round)
    assert progress["round"] == {
        "id": world.round.pk,
        "assigned": 4,
        "submitted": 1,
        "missing": 3,
        "returned": 1,
        "voided": 0,
    }
    track1 = world.solution.scenario.track_id
    assert [(t["track_id"], t["assigned"], t["submitted"], t["missing"]) for t in progress["tracks"]] == sorted(
        [(track1, 2, 1, 1), (track2.pk, 2, 0, 2)]
    )
    by_judge = {j["judge_id"]: (j["assigned"], j["submitted"], j["missing"]) for j in progress["judges"]}
    assert by_judge == {
        world.judge.pk: (2, 1, 1),
        world.other_judge.pk: (1, 0, 1),
        world.unassigned_judge.pk: (1, 0, 1),
    }


def test_pool_add_grants_the_judge_role_once_and_audits(world):
    from contest.enums import Role
    from contest.models import ContestRole
    from judging.services.pools import pool_member_add, pool_member_remove, pool_member_update
    from tests.factories.contest import UserFactory

    newcomer = UserFactory()
    member = pool_member_add(
        actor=world.organizer,
        round_=world.round,
        judge=newcomer,
        tracks=[world.solution.scenario.track],
        group="外部专家",
    )
    assert ContestRole.objects.filter(user=newcomer, contest=world.contest, role=Role.JUDGE).count() == 1
    pool_member_update(actor=world.organizer, member=member, load_cap=3, tracks=[])
    member.refresh_from_db()
    assert (member.load_cap, list(member.tracks.all())) == (3, [])
    pool_member_remove(actor=world.organizer, member=member)
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions == [
        "contest.role_granted",
        "judging.pool_member_added",
        "judging.pool_member_updated",
        "judging.pool_member_removed",
    ]
