"""Two organizers acting on one scenario at once: the row lock lets exactly one through."""

import threading

import pytest
from django.db import connection, connections

from config.api import ApplicationError
from contest import services
from contest.enums import Role, ScenarioStatus
from contest.models import AuditEvent
from notifications.models import Notification
from tests.factories.audit import chained_and_verified
from tests.factories.contest import (
    ContestFactory,
    ContestRoleFactory,
    OrganizationFactory,
    ScenarioFactory,
    TrackFactory,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_concurrent_approve_and_reject_let_exactly_one_win():
    contest = ContestFactory()
    org = OrganizationFactory()
    ContestRoleFactory(contest=contest, role=Role.PUBLISHER, organization=org)
    organizers = [ContestRoleFactory(contest=contest, role=Role.ORGANIZER).user for _ in range(2)]
    scenario = ScenarioFactory(track=TrackFactory(contest=contest), publisher=org, status=ScenarioStatus.PENDING_REVIEW)
    barrier = threading.Barrier(2)
    outcomes = []

    def act(i):
        try:
            barrier.wait()
            if i == 0:
                services.scenario_approve(actor=organizers[0], scenario=scenario)
            else:
                services.scenario_reject(actor=organizers[1], scenario=scenario, reason="并发")
            outcomes.append("ok")
        except ApplicationError as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=act, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes) == ["invalid_transition", "ok"]
    assert AuditEvent.objects.filter(action__in=["scenario.approve", "scenario.reject"]).count() == 1
    assert (
        Notification.objects.filter(kind__in=["scenario_approved", "scenario_rejected"], channel="in_app").count() == 1
    )
    assert chained_and_verified().ok
