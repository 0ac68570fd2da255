import pytest
from celery.signals import before_task_publish, task_prerun

from tests.factories.contest import UserFactory


@pytest.fixture
def zh_user(db):
    return UserFactory(preferred_language="zh-hans")


@pytest.fixture
def en_user(db):
    return UserFactory(preferred_language="en")


@pytest.fixture
def send_task_runs():
    """Ids of every send task run (eager in unit tests), one list per task."""
    from notifications.tasks import send_notifications_task

    runs = []

    def record(sender=None, kwargs=None, **_):
        if sender is send_notifications_task or getattr(sender, "name", "") == send_notifications_task.name:
            runs.append(list((kwargs or {}).get("notification_ids", [])))

    task_prerun.connect(record, weak=False)
    yield runs
    task_prerun.disconnect(record)


@pytest.fixture
def published_tasks():
    """Names of tasks published to a broker (integration tests)."""
    names = []

    def record(sender=None, **_):
        names.append(sender)

    before_task_publish.connect(record, weak=False)
    yield names
    before_task_publish.disconnect(record)
