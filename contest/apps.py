from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContestConfig(AppConfig):
    name = "contest"
    verbose_name = _("Contests")

    def ready(self):
        from contest.api.cache import connect_invalidation

        connect_invalidation()
