from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JudgingConfig(AppConfig):
    name = "judging"
    verbose_name = _("Judging and results")

    def ready(self):
        # Imported here, once the app registry is ready (they import models): the outbox runs the
        # reminders this app registers, and submissions, which must not import judging, asks the
        # judge's view through the hooks installed here (judging/hooks.py).
        from notifications.reminders import register_reminders

        from . import hooks
        from .reminders import review_reminders

        register_reminders(review_reminders)
        hooks.install()
