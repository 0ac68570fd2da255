from decimal import Decimal

import pytest
from django.db import transaction

from contest import services
from contest.enums import ScenarioStatus
from contest.errors import (
    InvalidTransitionError,
    NotOrganizerError,
    NotPublisherError,
    ReasonRequiredError,
    TrackMismatchError,
    UnknownFieldError,
)
from contest.models import AuditEvent, Scenario
from notifications.models import Notification
from tests.factories.contest import ContestRoleFactory, TrackFactory

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

S = ScenarioStatus


def _events(scenario):
    return list(AuditEvent.objects.filter(object_type="contest.scenario", object_id=str(scenario.pk)).order_by("id"))


# --- allowed transitions -----------------------------------------------------------------------


def test_scenario_create_drafts_for_the_publishers_own_organization(world):
    scenario = services.scenario_create(
        actor=world.users["own_publisher"],
        track=world.track,
        data={"title": "供应链金融", "reward": Decimal("3000000.00")},
    )

    assert (scenario.status, scenario.publisher, scenario.contest) == (S.DRAFT, world.own_org, world.contest)
    assert [e.action for e in _events(scenario)] == ["scenario.create"]
    assert _events(scenario)[0].after["reward"] == "3000000.00"


def test_scenario_update_changes_a_draft_and_audits_before_and_after(world):
    scenario = world.scenario(S.DRAFT, title="旧标题")

    services.scenario_update(actor=world.users["own_publisher"], scenario=scenario, data={"title": "新标题"})

    scenario.refresh_from_db()
    assert scenario.title == "新标题"
    (event,) = _events(scenario)
    assert (event.action, event.before["title"], event.after["title"]) == ("scenario.update", "旧标题", "新标题")


def test_scenario_submit_for_review_moves_draft_to_pending(world):
    scenario = world.scenario(S.DRAFT)

    result = services.scenario_submit_for_review(actor=world.users["own_publisher"], scenario=scenario)

    assert result.status == S.PENDING_REVIEW
    (event,) = _events(scenario)
    assert (event.action, event.before["status"], event.after["status"]) == (
        "scenario.submit",
        "draft",
        "pending_review",
    )


def test_scenario_approve_publishes_sets_published_at_and_notifies_the_publishers_users(world):
    scenario = world.scenario(S.PENDING_REVIEW, rejection_reason="旧理由")
    colleague = ContestRoleFactory(contest=world.contest, role="publisher", organization=world.own_org).user

    result = services.scenario_approve(actor=world.users["organizer"], scenario=scenario)

    assert result.status == S.PUBLISHED
    assert result.published_at is not None
    assert result.rejection_reason == ""
    assert _events(scenario)[-1].action == "scenario.approve"
    notices = Notification.objects.filter(kind="scenario_approved")
    assert {n.recipient for n in notices} == {world.users["own_publisher"], colleague}
    assert world.users["other_publisher"] not in {n.recipient for n in notices}


def test_scenario_reject_returns_to_draft_keeps_reason_and_notifies(world):
    scenario = world.scenario(S.PENDING_REVIEW)

    result = services.scenario_reject(actor=world.users["organizer"], scenario=scenario, reason="预算依据不足")

    assert (result.status, result.rejection_reason) == (S.DRAFT, "预算依据不足")
    assert _events(scenario)[-1].after["rejection_reason"] == "预算依据不足"
    notice = Notification.objects.filter(kind="scenario_rejected", recipient=world.users["own_publisher"]).first()
    assert notice is not None and "预算依据不足" in notice.body


def test_scenario_rejected_twice_notifies_twice(world):
    scenario = world.scenario(S.PENDING_REVIEW)
    services.scenario_reject(actor=world.users["organizer"], scenario=scenario, reason="一")
    services.scenario_submit_for_review(actor=world.users["own_publisher"], scenario=scenario)
    services.scenario_reject(actor=world.users["organizer"], scenario=scenario, reason="二")

    in_app = Notification.objects.filter(
        kind="scenario_rejected", recipient=world.users["own_publisher"], channel="in_app"
    )
    assert in_app.count() == 2


def test_scenario_close_moves_published_to_closed(world):
    scenario = world.scenario(S.PUBLISHED)

    assert services.scenario_close(actor=world.users["organizer"], scenario=scenario).status == S.CLOSED
    assert _events(scenario)[-1].action == "scenario.close"


def test_scenario_withdrawal_request_keeps_the_reason(world):
    scenario = world.scenario(S.PUBLISHED)

    result = services.scenario_withdrawal_request(
        actor=world.users["own_publisher"], scenario=scenario, reason="业务调整"
    )

    assert (result.status, result.withdrawal_requested, result.withdrawal_reason) == (S.PUBLISHED, True, "业务调整")
    assert _events(scenario)[-1].action == "scenario.withdrawal_request"


def test_scenario_withdrawal_approve_withdraws_and_hands_over_to_submissions_in_the_transaction(world, monkeypatch):
    scenario = world.scenario(S.PUBLISHED, withdrawal_requested=True, withdrawal_reason="业务调整")
    calls = []

    def spy(*, scenario, actor):
        calls.append((scenario.pk, scenario.status, actor, transaction.get_connection().in_atomic_block))

    monkeypatch.setattr("submissions.receivers.solutions_on_scenario_withdrawn", spy)

    result = services.scenario_withdrawal_approve(actor=world.users["organizer"], scenario=scenario)

    assert (result.status, result.withdrawal_reason) == (S.WITHDRAWN, "业务调整")
    assert calls == [(scenario.pk, S.WITHDRAWN, world.users["organizer"], True)]
    assert _events(scenario)[-1].action == "scenario.withdraw"


def test_a_failing_withdrawal_hand_over_rolls_everything_back(world, monkeypatch):
    scenario = world.scenario(S.PUBLISHED, withdrawal_requested=True, withdrawal_reason="业务调整")

    def boom(*, scenario, actor):
        raise RuntimeError("boom")

    monkeypatch.setattr("submissions.receivers.solutions_on_scenario_withdrawn", boom)
    with pytest.raises(RuntimeError):
        services.scenario_withdrawal_approve(actor=world.users["organizer"], scenario=scenario)

    scenario.refresh_from_db()
    assert scenario.status == S.PUBLISHED
    assert _events(scenario) == []


# --- refused transitions ------------------------------------------------------------------------

ACTIONS = {
    "update": (
        lambda w, s: services.scenario_update(actor=w.users["own_publisher"], scenario=s, data={"title": "x"}),
        {S.DRAFT},
    ),
    "submit": (lambda w, s: services.scenario_submit_for_review(actor=w.users["own_publisher"], scenario=s), {S.DRAFT}),
    "approve": (lambda w, s: services.scenario_approve(actor=w.users["organizer"], scenario=s), {S.PENDING_REVIEW}),
    "reject": (
        lambda w, s: services.scenario_reject(actor=w.users["organizer"], scenario=s, reason="r"),
        {S.PENDING_REVIEW},
    ),
    "close": (lambda w, s: services.scenario_close(actor=w.users["organizer"], scenario=s), {S.PUBLISHED}),
    "request_withdrawal": (
        lambda w, s: services.scenario_withdrawal_request(actor=w.users["own_publisher"], scenario=s, reason="r"),
        {S.PUBLISHED},
    ),
    "approve_withdrawal": (
        lambda w, s: services.scenario_withdrawal_approve(actor=w.users["organizer"], scenario=s),
        {S.PUBLISHED},
    ),
}
REFUSED = [(action, status) for action, (_, ok) in ACTIONS.items() for status in S.values if status not in ok]


@pytest.mark.parametrize(("action", "status"), REFUSED)
def test_refused_transition_raises_invalid_transition_and_changes_nothing(world, action, status):
    scenario = world.scenario(status, withdrawal_requested=(action == "approve_withdrawal"))
    call, _ = ACTIONS[action]

    with pytest.raises(InvalidTransitionError) as exc:
        call(world, scenario)

    assert exc.value.code == "invalid_transition"
    assert exc.value.extra["status"] == status
    assert Scenario.objects.get(pk=scenario.pk).status == status
    assert _events(scenario) == []


def test_approve_withdrawal_without_a_request_is_refused(world):
    scenario = world.scenario(S.PUBLISHED)
    with pytest.raises(InvalidTransitionError):
        services.scenario_withdrawal_approve(actor=world.users["organizer"], scenario=scenario)


def test_second_withdrawal_request_is_refused(world):
    scenario = world.scenario(S.PUBLISHED, withdrawal_requested=True, withdrawal_reason="一")
    with pytest.raises(InvalidTransitionError):
        services.scenario_withdrawal_request(actor=world.users["own_publisher"], scenario=scenario, reason="二")


@pytest.mark.parametrize("reason", ["", "   "])
def test_reject_and_withdrawal_request_need_a_reason(world, reason):
    pending, published = world.scenario(S.PENDING_REVIEW), world.scenario(S.PUBLISHED)
    with pytest.raises(ReasonRequiredError):
        services.scenario_reject(actor=world.users["organizer"], scenario=pending, reason=reason)
    with pytest.raises(ReasonRequiredError):
        services.scenario_withdrawal_request(actor=world.users["own_publisher"], scenario=published, reason=reason)
    assert Scenario.objects.get(pk=pending.pk).status == S.PENDING_REVIEW
    assert not Scenario.objects.get(pk=published.pk).withdrawal_requested


@pytest.mark.parametrize("role", ["other_publisher", "organizer", "judge", "team_user"])
def test_only_the_own_publisher_edits_submits_and_requests_withdrawal(world, role):
    actor = world.users[role]
    draft, published = world.scenario(S.DRAFT), world.scenario(S.PUBLISHED)
    with pytest.raises(NotPublisherError):
        services.scenario_update(actor=actor, scenario=draft, data={"title": "x"})
    with pytest.raises(NotPublisherError):
        services.scenario_submit_for_review(actor=actor, scenario=draft)
    with pytest.raises(NotPublisherError):
        services.scenario_withdrawal_request(actor=actor, scenario=published, reason="r")


@pytest.mark.parametrize("role", ["own_publisher", "other_publisher", "judge", "team_user"])
def test_only_organizers_approve_reject_close_and_approve_withdrawal(world, role):
    actor = world.users[role]
    pending = world.scenario(S.PENDING_REVIEW)
    published = world.scenario(S.PUBLISHED, withdrawal_requested=True, withdrawal_reason="r")
    for call in (
        lambda: services.scenario_approve(actor=actor, scenario=pending),
        lambda: services.scenario_reject(actor=actor, scenario=pending, reason="r"),
        lambda: services.scenario_close(actor=actor, scenario=published),
        lambda: services.scenario_withdrawal_approve(actor=actor, scenario=published),
    ):
        with pytest.raises(NotOrganizerError):
            call()


@pytest.mark.parametrize("role", ["organizer", "judge", "team_user", "outsider"])
def test_only_publishers_create_scenarios(world, role):
    with pytest.raises(NotPublisherError):
        services.scenario_create(actor=world.users[role], track=world.track, data={"title": "x"})


def test_update_refuses_a_track_of_another_contest(world):
    scenario = world.scenario(S.DRAFT)
    with pytest.raises(TrackMismatchError):
        services.scenario_update(actor=world.users["own_publisher"], scenario=scenario, data={"track": TrackFactory()})


def test_update_refuses_workflow_fields(world):
    scenario = world.scenario(S.DRAFT)
    with pytest.raises(UnknownFieldError):
        services.scenario_update(actor=world.users["own_publisher"], scenario=scenario, data={"status": S.PUBLISHED})


# --- contests, tracks, rounds -------------------------------------------------------------------


def test_track_and_round_services_are_for_organizers(world):
    organizer, judge = world.users["organizer"], world.users["judge"]
    track = services.track_create(
        actor=organizer, contest=world.contest, data={"name": "数字金融", "host": world.own_org}
    )
    round_ = services.round_create(actor=organizer, contest=world.contest, data={"sequence": 9, "name": "决赛"})
    services.round_update(actor=organizer, round_=round_, data={"judges_per_solution": 7})
    services.track_update(actor=organizer, track=track, data={"order": 3})

    assert [e.action for e in AuditEvent.objects.order_by("id")] == [
        "track.create",
        "round.create",
        "round.update",
        "track.update",
    ]
    with pytest.raises(NotOrganizerError):
        services.track_create(actor=judge, contest=world.contest, data={"name": "x", "host": world.own_org})
    with pytest.raises(NotOrganizerError):
        services.round_update(actor=judge, round_=round_, data={"name": "x"})


def test_withdrawal_approve_moves_the_solutions_of_the_scenario(world):
    from submissions.enums import SolutionStatus
    from tests.factories.submissions import SolutionFactory

    scenario = world.scenario(S.PUBLISHED, withdrawal_requested=True, withdrawal_reason="业务调整")
    submitted = SolutionFactory(scenario=scenario, status=SolutionStatus.SUBMITTED)
    draft = SolutionFactory(scenario=scenario, status=SolutionStatus.DRAFT)

    services.scenario_withdrawal_approve(actor=world.users["organizer"], scenario=scenario)

    submitted.refresh_from_db()
    draft.refresh_from_db()
    assert (submitted.status, draft.status) == (SolutionStatus.PENDING_TRANSFER, SolutionStatus.VOID)
