"""API tokens: issued by `POST /api/v1/auth/token/`, one per user, living
`AUTH_TOKEN_TTL_HOURS` from creation (checked by contest/api/authentication.py), revoked by
`DELETE /api/v1/auth/token/`, and deleted by every new password (`User.save`)."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from rest_framework.authtoken.models import Token

from contest.api.authentication import token_expired
from contest.audit import audit_record
from contest.models import User


def token_expires_at(token: Token) -> dt.datetime:
    return token.created + dt.timedelta(hours=settings.AUTH_TOKEN_TTL_HOURS)


def token_issue(*, user: User) -> Token:
    """The user's live token, or a new one when there is none or it has expired. Locks the
    user row so that two logins at once agree on one token."""
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        token = Token.objects.filter(user=user).first()
        if token is not None and token_expired(token.created):
            token.delete()
            token = None
        if token is None:
            token = Token.objects.create(user=user)
    return token


def token_revoke(*, actor: User) -> bool:
    """Delete the actor's token (whichever credentials the request came with). Audit
    `user.token_revoke` when there was one."""
    with transaction.atomic():
        deleted, _ = Token.objects.filter(user=actor).delete()
        if deleted:
            audit_record(actor=actor, action="user.token_revoke", obj=actor)
    return bool(deleted)
