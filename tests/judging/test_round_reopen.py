"""Reopening a finished round is an explicit organizer action with a reason: nothing else brings
an aggregated, published or closed round back, and it is refused once its results were applied
to the next round or the contest's awards are confirmed."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from contest.enums import RoundStatus
from contest.models import AuditEvent
from judging.enums import ReviewStatus
from submissions.models import RoundEntry
from tests.factories.contest import RoundFactory
from tests.judging.test_fact_freeze import _close_and_award, _judge_org, _scored

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _reopen(user, round_, **body):
    body.setdefault("closes_at", (timezone.now() + dt.timedelta(days=2)).isoformat())
    return _client(user).post(f"/api/v1/judging/rounds/{round_.pk}/reopen/", body, content_type="application/json")


def _finish(world, status=RoundStatus.CLOSED):
    world.round.status = status
    world.round.save()


def test_an_organizer_reopens_a_closed_round_with_a_reason_and_then_voids_the_flagged_review(world):
    from submissions.fact_changes import fact_change_decide, fact_change_request

    org = _judge_org(world)
    review = _scored(world)
    change = fact_change_request(actor=world.captain, team=world.team, co_units=[org], reason="新增联合单位")
    fact_change_decide(actor=world.organizer, change=change, approve=True, reason="同意")
    _finish(world)

    assert _reopen(world.organizer, world.round, reason=" ").status_code == 400
    assert _reopen(world.captain, world.round, reason="x").status_code in (403, 404)
    assert _reopen(world.judge, world.round, reason="x").status_code in (403, 404)
    past = _reopen(world.organizer, world.round, reason="复核冲突", closes_at=timezone.now().isoformat())
    assert (past.status_code, past.json()["code"]) == (400, "judging_window_invalid")
    world.round.refresh_from_db()
    assert world.round.status == RoundStatus.CLOSED  # every refusal changed nothing

    reopened = _reopen(world.organizer, world.round, reason="复核冲突")
    assert (reopened.status_code, reopened.json()["status"]) == (200, RoundStatus.JUDGING)
    event = AuditEvent.objects.get(action="judging.round_reopened")
    assert event.after["reason"] == "复核冲突" and event.before["status"] == RoundStatus.CLOSED

    client = _client(world.organizer)
    flag = client.get(f"/api/v1/judging/rounds/{world.round.pk}/conflict-flags/").json()[0]
    done = client.post(
        f"/api/v1/judging/conflict-flags/{flag['id']}/resolve/",
        {"action": "void", "reason": "联合单位属评委集团"},
        content_type="application/json",
    )
    assert done.status_code == 200, done.content
    review.refresh_from_db()
    assert review.status == ReviewStatus.VOIDED


def test_a_round_of_a_contest_with_confirmed_awards_is_not_reopened(world):
    _scored(world)
    _close_and_award(world)
    refused = _reopen(world.organizer, world.round, reason="复核")
    assert (refused.status_code, refused.json()["code"]) == (409, "awards_confirmed")
    world.round.refresh_from_db()
    assert world.round.status == RoundStatus.CLOSED
    assert not AuditEvent.objects.filter(action="judging.round_reopened").exists()


def test_a_round_whose_results_reached_the_next_round_is_not_reopened(world):
    _finish(world)
    later = RoundFactory(contest=world.round.contest, sequence=world.round.sequence + 1, name="决赛")
    RoundEntry.objects.create(round=later, solution=world.solution)
    refused = _reopen(world.organizer, world.round, reason="复核")
    assert (refused.status_code, refused.json()["code"]) == (409, "later_round_entered")


@pytest.mark.parametrize("status", [RoundStatus.AGGREGATED, RoundStatus.PUBLISHED])
def test_aggregated_and_published_rounds_reopen_too(world, status):
    _finish(world, status)
    assert _reopen(world.organizer, world.round, reason="复核").status_code == 200


def test_a_round_still_in_judging_is_not_reopened(world):
    _finish(world, RoundStatus.JUDGING)
    refused = _reopen(world.organizer, world.round, reason="复核")
    assert (refused.status_code, refused.json()["code"]) == (409, "round_status_invalid")
