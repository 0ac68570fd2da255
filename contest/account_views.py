"""Account pages besides sign-up and profile (contest/views.py): the e-mail confirmation link,
sending it again, and the rate-limited password reset."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from config.api import ApplicationError
from config.proxies import client_address
from contest import ratelimit
from contest.email_verification import email_verify as verify_service
from contest.email_verification import read_token, request_address
from contest.forms import VerifiedPasswordResetForm
from contest.models import User


def _safe_next(request) -> str:
    target = request.GET.get("next") or ""
    ok = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return target if target and ok else ""


@require_http_methods(["GET", "POST"])
def email_verify(request, token):
    """The link in the confirmation e-mail: GET shows the address, POST confirms it (so a mail
    scanner that follows links confirms nothing)."""
    next_url = _safe_next(request)
    try:
        data = read_token(token)
        if request.method == "POST":
            user = verify_service(token=token)
    except ApplicationError as exc:
        status = exc.status_code
        return render(request, "registration/email_verify.html", {"error": str(exc.detail)}, status=status)
    if request.method == "GET":
        # Name the account: a link someone else's sign-up sent must not be confirmed by mistake.
        account = User.objects.filter(pk=data["u"]).values_list("username", flat=True).first() or ""
        return render(request, "registration/email_verify.html", {"email": data["e"], "username": account})
    messages.success(request, _("Your e-mail address %(email)s is confirmed.") % {"email": user.email})
    if request.user.is_authenticated and request.user.pk == user.pk:
        return redirect(next_url or "profile")
    login_url = reverse("login")
    return redirect(f"{login_url}?{urlencode({'next': next_url})}" if next_url else login_url)


@login_required
@require_POST
def verification_resend(request):
    user = request.user
    if user.has_verified_email:
        messages.info(request, _("Your e-mail address is already confirmed."))
    elif not user.email:
        messages.error(request, _("Enter an e-mail address first."))
    elif not ratelimit.allow("verification_resend", user.pk):
        messages.error(request, _("Too many confirmation e-mails. Try again later."))
    else:
        request_address(user=user, email=user.email)
        messages.info(request, _("We have sent a new confirmation link to %(email)s.") % {"email": user.email})
    return redirect("profile")


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset page, mailing only proven addresses, limited per client and per address.
    Over a limit the page says so (for every address alike, so it tells nothing about which
    addresses have accounts)."""

    form_class = VerifiedPasswordResetForm
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form):
        within_client = ratelimit.allow("password_reset_client", client_address(self.request) or "")
        within_address = within_client and ratelimit.allow("password_reset_address", form.cleaned_data["email"])
        if not within_address:
            form.add_error(None, _("Too many password reset requests. Try again later."))
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return super().form_valid(form)
