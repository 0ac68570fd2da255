from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContestConfig(AppConfig):
    name = "contest"
    verbose_name = _("Contests")

    def ready(self):
        # Imported once the app registry is ready: receivers need the models.
        from config.api import request_refused
        from contest.api.cache import connect_invalidation
        from contest.security_events import record_refused_request

        connect_invalidation()
        request_refused.connect(record_refused_request, dispatch_uid="contest.record_refused_request")
