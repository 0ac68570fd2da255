"""Qualification review (资格审查) and supplements (补正)."""

import datetime as dt

import pytest

from contest.models import AuditEvent
from notifications.models import Notification
from submissions import services
from submissions.enums import EligibilityOutcome, EntryStatus, SolutionStatus
from submissions.errors import (
    CaptainOnlyError,
    OrganizerOnlyError,
    ReasonRequiredError,
    ReviewNotOpenError,
    SolutionStateError,
    SupplementChangesLockedContentError,
    SupplementDeadlinePassedError,
)
from submissions.models import EligibilityDecision, RoundEntry, SolutionVersion
from submissions.tasks import expire_supplements_task

from .conftest import AFTER, PNG, pdf, upload

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


@pytest.fixture
def reviewable(clock, submitted, round2):
    clock(AFTER)
    return submitted


def test_review_waits_for_the_deadline(submitted, organizer, round2):
    with pytest.raises(ReviewNotOpenError):
        services.eligibility_decide(actor=organizer, solution=submitted, outcome=EligibilityOutcome.QUALIFIED)


def test_review_organizer_only(reviewable, captain, publisher):
    for user in (captain, publisher):
        with pytest.raises(OrganizerOnlyError):
            services.eligibility_decide(actor=user, solution=reviewable, outcome=EligibilityOutcome.QUALIFIED)


def test_qualified_enters_next_round(reviewable, organizer, round1, round2, captain):
    services.eligibility_decide(actor=organizer, solution=reviewable, outcome=EligibilityOutcome.QUALIFIED)
    reviewable.refresh_from_db()
    assert reviewable.status == SolutionStatus.QUALIFIED
    entries = dict(RoundEntry.objects.filter(solution=reviewable).values_list("round_id", "status"))
    assert entries == {round1.pk: EntryStatus.ADVANCED, round2.pk: EntryStatus.ACTIVE}
    notice = Notification.objects.get(kind="qualification_decision", recipient=captain, channel="in_app")
    assert reviewable.title in notice.body
    with pytest.raises(SolutionStateError):
        services.eligibility_decide(
            actor=organizer, solution=reviewable, outcome=EligibilityOutcome.DISQUALIFIED, reason="x"
        )


def test_disqualified_needs_reason_and_never_enters_next_round(reviewable, organizer, round2):
    with pytest.raises(ReasonRequiredError):
        services.eligibility_decide(actor=organizer, solution=reviewable, outcome=EligibilityOutcome.DISQUALIFIED)
    services.eligibility_decide(
        actor=organizer, solution=reviewable, outcome=EligibilityOutcome.DISQUALIFIED, reason="缺少营业执照"
    )
    reviewable.refresh_from_db()
    assert (reviewable.status, reviewable.status_reason) == (SolutionStatus.DISQUALIFIED, "缺少营业执照")
    assert not RoundEntry.objects.filter(solution=reviewable, round=round2).exists()
    assert AuditEvent.objects.filter(action="eligibility.decide", object_id=str(reviewable.pk)).exists()


def test_supplement_flow(clock, reviewable, organizer, captain, member, round2):
    decision = services.eligibility_decide(
        actor=organizer, solution=reviewable, outcome=EligibilityOutcome.SUPPLEMENT_REQUESTED, reason="承诺书未签字"
    )
    assert decision.supplement_deadline == AFTER + dt.timedelta(hours=48)
    assert Notification.objects.filter(kind="supplement_requested", recipient=member).exists()
    reviewable.refresh_from_db()
    assert reviewable.status == SolutionStatus.SUPPLEMENT_REQUESTED
    with pytest.raises(CaptainOnlyError):
        services.solution_supplement(actor=member, solution=reviewable, uploads=[("commitment", upload("c.png", PNG))])
    # Content is locked: the proposal, title and abstract may not change.
    with pytest.raises(SupplementChangesLockedContentError):
        services.solution_supplement(
            actor=captain, solution=reviewable, uploads=[("proposal", upload("new.pdf", pdf("changed")))]
        )
    with pytest.raises(SupplementChangesLockedContentError):
        services.solution_supplement(
            actor=captain, solution=reviewable, title="新标题", uploads=[("commitment", upload("c.png", PNG))]
        )
    assert SolutionVersion.objects.filter(solution=reviewable).count() == 1
    clock(AFTER + dt.timedelta(hours=47))
    signed = PNG + b"signed"
    receipt = services.solution_supplement(
        actor=captain,
        solution=reviewable,
        uploads=[("commitment", upload("签字承诺书.png", signed)), ("proposal", upload("same.pdf", pdf()))],
    )
    reviewable.refresh_from_db()
    assert reviewable.status == SolutionStatus.SUBMITTED
    assert reviewable.final_version.number == 2 and receipt.version.number == 2
    kinds = dict(reviewable.final_version.files.values_list("kind", "original_name"))
    assert (
        kinds == {"proposal": "方案书.pdf", "commitment": "签字承诺书.png"} or kinds["commitment"] == "签字承诺书.png"
    )
    # Reviewed again: qualified now.
    services.eligibility_decide(actor=organizer, solution=reviewable, outcome=EligibilityOutcome.QUALIFIED)
    assert RoundEntry.objects.filter(solution=reviewable, round=round2, status=EntryStatus.ACTIVE).exists()


def test_supplement_after_deadline_refused_and_disqualified(clock, reviewable, organizer, captain, round2):
    services.eligibility_decide(
        actor=organizer, solution=reviewable, outcome=EligibilityOutcome.SUPPLEMENT_REQUESTED, reason="补正"
    )
    clock(AFTER + dt.timedelta(hours=48, seconds=1))  # the deadline's whole last second has gone
    with pytest.raises(SupplementDeadlinePassedError):
        services.solution_supplement(actor=captain, solution=reviewable, uploads=[("commitment", upload("c.png", PNG))])
    assert SolutionVersion.objects.filter(solution=reviewable).count() == 1
    assert expire_supplements_task() == 1
    reviewable.refresh_from_db()
    assert reviewable.status == SolutionStatus.DISQUALIFIED
    assert reviewable.status_reason
    last = EligibilityDecision.objects.filter(solution=reviewable).latest("id")
    assert (last.outcome, last.reviewer) == (EligibilityOutcome.DISQUALIFIED, organizer)
    assert not RoundEntry.objects.filter(solution=reviewable, round=round2).exists()
    assert Notification.objects.filter(kind="qualification_decision", recipient=captain).exists()
    # Idempotent, and the team still cannot supplement.
    assert expire_supplements_task() == 0
    with pytest.raises(SolutionStateError):
        services.solution_supplement(actor=captain, solution=reviewable, uploads=[("commitment", upload("c.png", PNG))])


def test_expire_supplements_leaves_open_requests(clock, reviewable, organizer):
    services.eligibility_decide(
        actor=organizer, solution=reviewable, outcome=EligibilityOutcome.SUPPLEMENT_REQUESTED, reason="补正"
    )
    clock(AFTER + dt.timedelta(hours=47, minutes=59))
    assert services.supplements_expire() == 0
    reviewable.refresh_from_db()
    assert reviewable.status == SolutionStatus.SUPPLEMENT_REQUESTED


def test_qualified_solution_submits_to_next_round(clock, reviewable, organizer, captain, round2):
    from submissions.errors import MissingDocumentsError

    services.eligibility_decide(actor=organizer, solution=reviewable, outcome=EligibilityOutcome.QUALIFIED)
    clock(round2.submission_opens_at + dt.timedelta(days=1))
    services.solution_version_create(
        actor=captain, solution=reviewable, title="T", uploads=[("attachment", upload("a.pdf", pdf()))]
    )
    with pytest.raises(MissingDocumentsError) as exc:
        services.solution_submit(actor=captain, solution=reviewable, version_number=2)
    assert exc.value.extra["missing"] == ["slides"]
    services.solution_version_create(
        actor=captain, solution=reviewable, title="T", uploads=[("slides", upload("路演.pdf", pdf("ppt")))]
    )
    receipt = services.solution_submit(actor=captain, solution=reviewable, version_number=3)
    assert receipt.round == round2
    reviewable.refresh_from_db()
    assert reviewable.status == SolutionStatus.QUALIFIED
