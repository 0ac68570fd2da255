from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JudgingConfig(AppConfig):
    name = "judging"
    verbose_name = _("Judging and results")

    def ready(self):
        # Imported here, once the app registry is ready (hooks import models). Installs what
        # judging answers for submissions, which must not import judging (judging/hooks.py).
        from . import hooks

        hooks.install()
