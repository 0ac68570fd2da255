from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsConfig(AppConfig):
    name = "judging.results"
    label = "results"
    verbose_name = _("Results")

    def ready(self):
        # Imported once the app registry is ready (hooks import models): a team's published
        # results on its solution page, for submissions, which must not import results.
        from . import hooks

        hooks.install()
