from django.utils.translation import gettext_lazy as _

from config.api import NotAllowedError


class NotRecipientError(NotAllowedError):
    code = "not_recipient"
    default_detail = _("This notice is not addressed to you.")
