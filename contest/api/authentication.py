"""`Authorization: Token <key>`, as DRF's TokenAuthentication, with the user and the token's
creation time read by one statement (contest/hot_reads.py): every API request of the deadline
rush starts here.

A token lives `AUTH_TOKEN_TTL_HOURS` from its creation; its creation time is read in the same
statement. Revoking (`DELETE /api/v1/auth/token/`) and any new password delete it."""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from contest.hot_reads import user_by_token


def token_expired(created: dt.datetime, *, at: dt.datetime | None = None) -> bool:
    return created + dt.timedelta(hours=settings.AUTH_TOKEN_TTL_HOURS) <= (at or timezone.now())


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        user = user_by_token(key)
        if user is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token_expired(user.token_created):
            raise exceptions.AuthenticationFailed(_("Token has expired. Ask for a new one."))
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        token = Token(key=key, user=user, created=user.token_created)
        token._state.adding = False  # the stored row
        return user, token
