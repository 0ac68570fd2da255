"""`Authorization: Token <key>`, as DRF's TokenAuthentication, with the user read by one compiled
statement (config/compiled.py): every API request of the deadline rush starts here."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from config.compiled import CompiledRead
from contest.models import User

_USER_BY_TOKEN = CompiledRead(lambda key: User.objects.filter(auth_token__key=key)[:1])


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        user = _USER_BY_TOKEN.first(key)
        if user is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        token = Token(key=key, user=user)
        token._state.adding = False  # the stored row, without its creation time
        return user, token
