from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubmissionsConfig(AppConfig):
    name = "submissions"
    verbose_name = _("Teams and solutions")

    def ready(self):
        # Imported here, once the app registry is ready: the outbox runs the reminders this app
        # registers, and contest's signals reach this app's receivers (neither imports this app).
        from notifications.reminders import register_reminders

        from . import receivers
        from .reminders import submission_reminders

        register_reminders(submission_reminders)
        receivers.connect()
