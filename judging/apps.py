from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JudgingConfig(AppConfig):
    name = "judging"
    verbose_name = _("Judging and results")

    def ready(self):
        # The outbox must not import this app; it runs what the apps register.
        from notifications.reminders import register_reminders

        from .reminders import review_reminders

        register_reminders(review_reminders)
