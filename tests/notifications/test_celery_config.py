import pytest
from celery.schedules import crontab

from config.celery import app
from notifications.tasks import send_notifications_task, send_reminders_task, sweep_unsent_task

pytestmark = pytest.mark.unit


def test_beat_schedules_the_sweep_every_minute_and_reminders_every_five():
    schedule = app.conf.beat_schedule
    assert schedule["notifications-sweep-unsent"]["task"] == sweep_unsent_task.name == "notifications.sweep_unsent"
    assert schedule["notifications-sweep-unsent"]["schedule"] == crontab(minute="*")
    assert schedule["notifications-send-reminders"]["task"] == send_reminders_task.name
    assert schedule["notifications-send-reminders"]["schedule"] == crontab(minute="*/5")


@pytest.mark.parametrize("task", [send_notifications_task, sweep_unsent_task, send_reminders_task])
def test_tasks_are_late_acked_bounded_and_retried(task):
    assert task.acks_late is True
    assert task.reject_on_worker_lost is True
    assert 0 < task.soft_time_limit < task.time_limit <= 300
    assert task.max_retries is not None and task.max_retries > 0
    assert task.retry_backoff
    # Countdowns stay below the broker's visibility timeout, or Redis would deliver twice.
    assert task.retry_backoff_max < app.conf.broker_transport_options["visibility_timeout"]


class _FakeRedis:
    def __init__(self, policy):
        self.policy = policy

    def config_get(self, name):
        return {name: self.policy}


@pytest.mark.parametrize(
    ("policy", "problem"), [("noeviction", False), ("allkeys-lru", True), ("volatile-lru", True), ("", False)]
)
def test_broker_eviction_policy_check(policy, problem):
    from notifications.tasks import broker_eviction_problem

    assert (broker_eviction_problem(_FakeRedis(policy)) is not None) is problem
