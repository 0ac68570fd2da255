"""Proving an e-mail address: a signed, expiring link mailed to it.

The link carries (user, address to prove, the user's address when it was sent), signed with
`SECRET_KEY` (django.core.signing, its own salt) and valid for `EMAIL_VERIFICATION_MAX_AGE`
seconds. Opening it sets `User.email` and `User.verified_email` to the address — but only
while the account's address is still the one it was sent from, so a link is spent once the
address moved on, and only while no other account has proven the same address.

Until then the address counts for nothing: `User.objects.with_verified_email` is how
invitations, judge look-ups and e-mailed notices match a person by address.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from contest.audit import audit_record
from contest.errors import EmailLinkInvalidError, EmailTakenError
from contest.models import User

_SALT = "contest.email_verification"


def make_token(*, user: User, email: str) -> str:
    return signing.dumps({"u": user.pk, "e": email.strip(), "f": user.email or ""}, salt=_SALT, compress=True)


def verification_url(*, user: User, email: str, next_url: str = "") -> str:
    path = reverse("email_verify", args=[make_token(user=user, email=email)])
    query = f"?{urlencode({'next': next_url})}" if next_url else ""
    return f"{settings.SITE_URL.rstrip('/')}{path}{query}"


def _send(*, template: str, email: str, language: str, context: dict) -> None:
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"registration/{template}_subject.txt", context).strip()
        body = render_to_string(f"registration/{template}_email.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email])


def send_verification(*, user: User, email: str, next_url: str = "") -> None:
    """Mail the link that proves `email` for `user` (the sign-up address, or a new one)."""
    _send(
        template="email_verification",
        email=email,
        language=user.preferred_language,
        context={
            "user": user,
            "email": email,
            "url": verification_url(user=user, email=email, next_url=next_url),
            "days": settings.EMAIL_VERIFICATION_MAX_AGE // 86400,
            "site_url": settings.SITE_URL,
        },
    )


def send_already_registered(*, owner: User, email: str) -> None:
    """Someone signed up with, or moved to, an address an account has already proven: tell
    its owner instead of the visitor (who sees the same page as for a new address)."""
    _send(
        template="email_already_registered",
        email=email,
        language=owner.preferred_language,
        context={
            "user": owner,
            "login_url": settings.SITE_URL.rstrip("/") + reverse("login"),
            "reset_url": settings.SITE_URL.rstrip("/") + reverse("password_reset"),
        },
    )


def request_address(*, user: User, email: str, next_url: str = "") -> None:
    """Start proving `email` for `user`: the link to the address, or, when another account
    already proved it, a notice to that account's owner. The caller cannot tell which."""
    owner = User.objects.with_verified_email(email).exclude(pk=user.pk).first()
    if owner is not None:
        send_already_registered(owner=owner, email=email)
    else:
        send_verification(user=user, email=email, next_url=next_url)


def read_token(token: str) -> dict:
    try:
        data = signing.loads(token, salt=_SALT, max_age=settings.EMAIL_VERIFICATION_MAX_AGE)
    except signing.BadSignature as exc:  # SignatureExpired is one
        raise EmailLinkInvalidError() from exc
    if not isinstance(data, dict) or not {"u", "e", "f"} <= data.keys():
        raise EmailLinkInvalidError()
    return data


def email_verify(*, token: str) -> User:
    """Open a verification link: the account's address becomes the proven one.

    Locks the user row. Errors: `email_link_invalid` (bad, expired or spent link, inactive
    account), `email_taken` (another account proved the address first). Audit
    `user.verify_email`. Opening a link for the address already proven changes nothing.
    """
    data = read_token(token)
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=data["u"], is_active=True).first()
        if user is None or (user.email or "").casefold() != str(data["f"]).casefold():
            raise EmailLinkInvalidError()
        email = str(data["e"])
        if user.has_verified_email and user.email.casefold() == email.casefold():
            return user
        if User.objects.with_verified_email(email).exclude(pk=user.pk).exists():
            raise EmailTakenError()
        before = {"email": user.email, "verified_email": user.verified_email}
        user.email = email
        user.verified_email = email
        try:
            with transaction.atomic():
                user.save(update_fields=["email", "verified_email"])
        except IntegrityError as exc:  # proven by another account at the same moment
            raise EmailTakenError() from exc
        audit_record(
            actor=user,
            action="user.verify_email",
            obj=user,
            before=before,
            after={"email": email, "verified_email": email},
        )
    return user
