"""The Celery app. Settings come from Django settings under the CELERY_ namespace."""

import logging

from celery import Celery, current_task
from celery.signals import after_setup_logger, after_setup_task_logger

from config.env import load_env

load_env()  # before Django reads DJANGO_SETTINGS_MODULE, so the .env file can set it

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@after_setup_logger.connect
@after_setup_task_logger.connect
def _json_like_the_web_processes(logger=None, **_kwargs):
    """With JSON logs (production), workers and beat print one JSON object a line too: Celery
    keeps its handlers and levels (`-l`), only their format is the web processes' one."""
    # Called from a Celery signal, after Django is set up: settings are read only then.
    from django.conf import settings
    from django.utils.module_loading import import_string

    from config.request_id import RequestIdFilter

    if settings.LOGGING["handlers"]["console"].get("formatter") != "json":
        return
    options = dict(settings.LOGGING["formatters"]["json"])
    formatter = import_string(options.pop("()"))(**options)
    for handler in logger.handlers:
        handler.setFormatter(formatter)
        handler.addFilter(RequestIdFilter())
        handler.addFilter(_TaskFields())


class _TaskFields(logging.Filter):
    """What Celery's task format printed: the running task's id and name, as JSON fields."""

    def filter(self, record):
        task = current_task
        if task and task.request.id:
            record.task_id, record.task_name = task.request.id, task.name
        return True
