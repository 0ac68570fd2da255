import pytest

from contest.enums import RoundStatus
from contest.models import AuditEvent
from judging.enums import AssignmentSource, ReviewStatus
from judging.errors import (
    AlreadyAssignedError,
    AssignmentHasReviewError,
    JudgeNotInPoolError,
    LoadCapReachedError,
    RoundFinishedError,
    SolutionNotInRoundError,
)
from judging.models import JudgeAssignment
from judging.services.assignment import assignment_auto_run, assignment_create, assignment_remove
from judging.services.scoring import review_save_draft, review_submit
from notifications.models import Notification
from submissions.enums import EntryStatus, SolutionStatus
from tests.factories.contest import ContestFactory, RoundFactory, ScenarioFactory, TrackFactory, UserFactory
from tests.factories.judging import JudgePoolMemberFactory
from tests.factories.submissions import RoundEntryFactory, SolutionFactory
from tests.judging.helpers import full_scores

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


def _round_with(n_solutions=6, n_judges=4, per_solution=2, tracks=1):
    contest = ContestFactory()
    round_ = RoundFactory(contest=contest, judges_per_solution=per_solution, status=RoundStatus.JUDGING)
    track_list = [TrackFactory(contest=contest) for _ in range(tracks)]
    scenarios = [ScenarioFactory(track=t, contest=contest) for t in track_list]
    solutions = []
    for i in range(n_solutions):
        solution = SolutionFactory(contest=contest, scenario=scenarios[i % tracks])
        RoundEntryFactory(round=round_, solution=solution)
        solutions.append(solution)
    judges = [UserFactory() for _ in range(n_judges)]
    for j in judges:
        JudgePoolMemberFactory(round=round_, judge=j)
    return round_, solutions, judges, track_list


def _pairs(round_):
    return set(JudgeAssignment.objects.filter(round=round_, active=True).values_list("solution_id", "judge_id"))


def test_auto_run_covers_every_solution_balanced():
    round_, solutions, judges, _ = _round_with(n_solutions=7, n_judges=4, per_solution=2)
    organizer = UserFactory()
    report = assignment_auto_run(actor=organizer, round_=round_, seed=7)
    assert report.created == 14 and report.short == [] and report.complete == 7
    loads = [JudgeAssignment.objects.filter(judge=j).count() for j in judges]
    assert sorted(loads) == [3, 3, 4, 4]
    assert set(JudgeAssignment.objects.values_list("source", flat=True)) == {AssignmentSource.AUTO}
    event = AuditEvent.objects.get(action="judging.assignment_auto_run")
    assert len(event.after["created"]) == 14


def test_auto_run_skips_inactive_entries_and_withdrawn_solutions():
    round_, solutions, judges, _ = _round_with(n_solutions=4, n_judges=3, per_solution=1)
    solutions[0].status = SolutionStatus.WITHDRAWN
    solutions[0].save()
    entry = solutions[1].round_entries.get()
    entry.status = EntryStatus.ELIMINATED
    entry.save()
    assignment_auto_run(actor=None, round_=round_)
    assert {s for s, _ in _pairs(round_)} == {solutions[2].pk, solutions[3].pk}


def test_auto_run_respects_track_pools():
    round_, solutions, judges, tracks = _round_with(n_solutions=4, n_judges=3, per_solution=1, tracks=2)
    pool = {m.judge_id: m for m in round_.judge_pool.all()}
    pool[judges[0].pk].tracks.set([tracks[0]])
    pool[judges[1].pk].tracks.set([tracks[1]])
    assignment_auto_run(actor=None, round_=round_)
    for solution_id, judge_id in _pairs(round_):
        track = next(s for s in solutions if s.pk == solution_id).scenario.track
        if judge_id == judges[0].pk:
            assert track == tracks[0]
        if judge_id == judges[1].pk:
            assert track == tracks[1]


def test_auto_run_is_deterministic_for_a_seed():
    round_, solutions, judges, _ = _round_with(n_solutions=9, n_judges=5, per_solution=2)
    assignment_auto_run(actor=None, round_=round_, seed=42)
    first = _pairs(round_)
    JudgeAssignment.objects.all().delete()
    assignment_auto_run(actor=None, round_=round_, seed=42)
    assert _pairs(round_) == first


def test_rerun_tops_up_only_and_notifies_once_per_judge_per_run():
    round_, solutions, judges, _ = _round_with(n_solutions=6, n_judges=4, per_solution=2)
    report = assignment_auto_run(actor=None, round_=round_, seed=1)
    notices = Notification.objects.filter(kind="judge_assigned", channel="in_app").all
    assert notices().count() == 4
    assert {n.recipient_id for n in notices()} == {j.pk for j in judges}
    assert all(f"judge_assigned:{round_.pk}:{report.run_id}:" in n.dedup_key for n in notices())
    ids_before = set(JudgeAssignment.objects.values_list("id", "solution_id", "judge_id"))
    again = assignment_auto_run(actor=None, round_=round_, seed=99)
    assert again.created == 0
    assert set(JudgeAssignment.objects.values_list("id", "solution_id", "judge_id")) == ids_before
    assert notices().count() == 4  # nothing new, nobody notified
    # A new solution enters: only it is served; existing rows untouched.
    extra = SolutionFactory(contest=round_.contest, scenario=solutions[0].scenario)
    RoundEntryFactory(round=round_, solution=extra)
    third = assignment_auto_run(actor=None, round_=round_, seed=5)
    assert third.created == 2
    assert ids_before < set(JudgeAssignment.objects.values_list("id", "solution_id", "judge_id"))
    assert {
        s for _, s, _ in set(JudgeAssignment.objects.values_list("id", "solution_id", "judge_id")) - ids_before
    } == {extra.pk}
    assert notices().count() == 6


def test_unsatisfiable_pool_reports_which_and_why():
    round_, solutions, judges, tracks = _round_with(n_solutions=4, n_judges=2, per_solution=3, tracks=2)
    caps = round_.judge_pool.all()
    caps.update(load_cap=1)
    report = assignment_auto_run(actor=None, round_=round_)
    assert report.created == 2
    assert report.complete == 0
    assert {s.solution_id for s in report.short} == {s.pk for s in solutions}
    assert report.reasons == {"not_enough_eligible_judges": 4}
    for short in report.short:
        assert short.required == 3 and short.pool == 2 and short.eligible == 2
        assert short.missing == 3 - short.assigned
    data = report.as_dict()
    assert data["short"][0]["reason"] == "not_enough_eligible_judges"


def test_load_caps_exhausted_reported():
    round_, solutions, judges, _ = _round_with(n_solutions=5, n_judges=3, per_solution=1)
    round_.judge_pool.update(load_cap=1)
    report = assignment_auto_run(actor=None, round_=round_)
    assert report.created == 3
    assert report.reasons == {"load_caps_exhausted": 2}
    assert all(s.eligible == 3 and s.assigned == 0 for s in report.short)


def test_no_pool_for_round_reported():
    round_, solutions, judges, _ = _round_with(n_solutions=2, n_judges=0, per_solution=1)
    report = assignment_auto_run(actor=None, round_=round_)
    assert report.reasons == {"no_judges_in_pool": 2}


def test_finished_round_refuses_assignment():
    round_, solutions, judges, _ = _round_with(n_solutions=1, n_judges=1, per_solution=1)
    round_.status = RoundStatus.AGGREGATED
    round_.save()
    with pytest.raises(RoundFinishedError):
        assignment_auto_run(actor=None, round_=round_)
    with pytest.raises(RoundFinishedError):
        assignment_create(actor=None, round_=round_, solution_id=solutions[0].pk, judge=judges[0])


# --- by hand ---------------------------------------------------------------------------------
def test_hand_assignment_checks(world):
    with pytest.raises(AlreadyAssignedError):
        assignment_create(actor=world.organizer, round_=world.round, solution_id=world.solution.pk, judge=world.judge)
    with pytest.raises(JudgeNotInPoolError):
        assignment_create(actor=world.organizer, round_=world.round, solution_id=world.solution.pk, judge=UserFactory())
    other = SolutionFactory(contest=world.contest)
    with pytest.raises(SolutionNotInRoundError):
        assignment_create(actor=world.organizer, round_=world.round, solution_id=other.pk, judge=world.unassigned_judge)
    member = world.pool[world.unassigned_judge.pk]
    member.tracks.set([TrackFactory(contest=world.contest)])
    with pytest.raises(JudgeNotInPoolError):
        assignment_create(
            actor=world.organizer, round_=world.round, solution_id=world.solution.pk, judge=world.unassigned_judge
        )
    member.tracks.set([])
    member.load_cap = 0
    member.save()
    with pytest.raises(LoadCapReachedError):
        assignment_create(
            actor=world.organizer, round_=world.round, solution_id=world.solution.pk, judge=world.unassigned_judge
        )
    member.load_cap = 1
    member.save()
    assignment = assignment_create(
        actor=world.organizer, round_=world.round, solution_id=world.solution.pk, judge=world.unassigned_judge
    )
    assert assignment.source == AssignmentSource.HAND
    assert Notification.objects.filter(recipient=world.unassigned_judge, kind="judge_assigned").exists()
    assert AuditEvent.objects.filter(action="judging.assignment_created").count() == 1


def test_remove_assignment_and_reassign(world):
    review_save_draft(judge=world.judge, assignment_id=world.assignment.pk, scores=full_scores(world)[:1])
    assignment_remove(actor=world.organizer, assignment=world.assignment)
    world.assignment.refresh_from_db()
    assert world.assignment.active is False
    assert world.assignment.review.status == ReviewStatus.VOIDED
    review_submit(judge=world.other_judge, assignment_id=world.other_assignment.pk, scores=full_scores(world))
    with pytest.raises(AssignmentHasReviewError):
        assignment_remove(actor=world.organizer, assignment=world.other_assignment)
