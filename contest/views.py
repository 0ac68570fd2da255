"""Public contest pages (home, scenario catalogue and detail) and the accounts pages.

Views parse input, read through `contest.selectors` (invisible objects are 404) and render.
"""

from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from config.api import ApplicationError
from config.proxies import client_address
from contest import ratelimit, signals
from contest.audit import audit_record
from contest.email_verification import request_address, send_already_registered, send_verification
from contest.enums import Role, ScenarioStatus
from contest.forms import (
    ProfileForm,
    ScenarioFilterForm,
    ScenarioForm,
    ScenarioWithdrawalForm,
    SignUpForm,
    add_service_error,
)
from contest.models import Contest, ContestRole, Scenario, User
from contest.permissions import PUBLIC_SCENARIO_STATUSES, is_scenario_publisher
from contest.security_events import record_form_refusal
from contest.selectors import contest_list_for_user, scenario_list_for_user
from contest.services import (
    scenario_create,
    scenario_submit_for_review,
    scenario_update,
    scenario_withdrawal_request,
)

TEN_THOUSAND = Decimal("10000")


def contest_for_user(*, user, slug: str) -> Contest:
    return get_object_or_404(contest_list_for_user(user=user), slug=slug)


def scenario_list(request, slug):
    contest = contest_for_user(user=request.user, slug=slug)
    form = ScenarioFilterForm(request.GET or None, contest=contest)
    # The public catalogue lists public scenarios only, even for publishers and organizers.
    qs = scenario_list_for_user(user=request.user, contest=contest).filter(status__in=PUBLIC_SCENARIO_STATUSES)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            q = data["q"]
            qs = qs.filter(
                Q(title__icontains=q) | Q(summary__icontains=q) | Q(problem__icontains=q) | Q(code__icontains=q)
            )
        if data["track"]:
            qs = qs.filter(track=data["track"])
        if data["publisher"]:
            qs = qs.filter(publisher=data["publisher"])
        if data["reward_min"] is not None:
            qs = qs.filter(reward__gte=data["reward_min"] * TEN_THOUSAND)
        if data["reward_max"] is not None:
            qs = qs.filter(reward__lte=data["reward_max"] * TEN_THOUSAND)
    elif form.is_bound:
        qs = qs.none()
    qs = qs.order_by("track__order", "track_id", "id")
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "contest/scenario_list.html",
        {"contest": contest, "form": form, "page": page, "querystring": query.urlencode()},
    )


# --- accounts -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def signup(request):
    """Create an account whose address still has to be proven, and mail the link.

    A new address and one another account already proved get the same answer (the page that
    says to check the mail); in the second case no account is made and the owner is told
    instead. So the answer never says who has an account."""
    if request.user.is_authenticated:
        return redirect("profile")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not ratelimit.allow("signup_client", client_address(request) or ""):
            form.add_error(None, _("Too many attempts from your network. Try again later."))
            return render(request, "registration/signup.html", {"form": form}, status=429)
        email = form.cleaned_data["email"]
        target = request.POST.get("next") or ""
        safe = url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        owner = User.objects.with_verified_email(email).first()
        if owner is not None:
            make_password(form.cleaned_data["password1"])  # as much work as creating the account
            send_already_registered(owner=owner, email=email)
        else:
            with transaction.atomic():
                user = form.save()
                audit_record(actor=user, action="user.register", obj=user, after={"username": user.username})
            send_verification(user=user, email=email, next_url=target if target and safe else "")
        response = redirect("signup_done")
        _set_language_cookie(response, form.cleaned_data["preferred_language"])
        return response
    return render(request, "registration/signup.html", {"form": form})


def signup_done(request):
    return render(request, "registration/signup_done.html")


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    current_email = request.user.email or ""
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        new_email = form.cleaned_data["email"]
        # A new address waits for its link (contest.email_verification); the proven one stays.
        moving = new_email.casefold() != current_email.casefold()
        changed = [f for f in form.changed_data if not (moving and f == "email")]
        with transaction.atomic():
            before = {f: str(form.initial.get(f, "")) for f in changed}
            if moving:
                form.instance.email = current_email
            user = form.save()
            audit_record(
                actor=user,
                action="user.update_profile",
                obj=user,
                before=before,
                after={f: str(form.cleaned_data[f]) for f in changed},
            )
            if "organization" in form.changed_data:
                # Teams follow the new organization until their facts freeze (submissions' receiver);
                # frozen team facts and judges' pool records keep what was recorded.
                signals.profile_organization_changed.send(sender=type(user), user=user)
        messages.success(request, _("Your profile has been saved."))
        if moving:
            if ratelimit.allow("verification_resend", user.pk):
                request_address(user=user, email=new_email)
                messages.info(
                    request,
                    _("We have sent a link to %(new)s. Your address stays %(current)s until you open it.")
                    % {"new": new_email, "current": current_email or "—"},
                )
            else:
                messages.error(request, _("Too many confirmation e-mails. Try again later."))
        response = redirect("profile")
        _set_language_cookie(response, user.preferred_language)
        return response
    if request.method == "POST":
        request.user.email = current_email  # the invalid form wrote into the instance
    return render(request, "registration/profile.html", {"form": form})


def _set_language_cookie(response, language: str) -> None:

    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
    )


# --- scenario publishers -------------------------------------------------------------------


def _publisher_roles(user):
    return list(
        ContestRole.objects.filter(user=user, role=Role.PUBLISHER)
        .select_related("contest", "organization")
        .order_by("-contest_id")
    )


@login_required
def publisher_scenarios(request):
    roles = _publisher_roles(request.user)
    if not roles:
        raise PermissionDenied
    pairs = {(r.contest_id, r.organization_id) for r in roles}
    q = Q(pk__in=[])
    for contest_id, org_id in pairs:
        q |= Q(contest_id=contest_id, publisher_id=org_id)
    scenarios = (
        scenario_list_for_user(user=request.user)
        .filter(q)
        .select_related("contest")
        .annotate(solution_count=Count("solutions", distinct=True))
        .order_by("-contest_id", "track__order", "id")
    )
    return render(request, "contest/publisher_scenarios.html", {"roles": roles, "scenarios": scenarios})


def own_scenario(request, pk) -> Scenario:
    """A scenario of the user's organization (404 if invisible, 403 if not theirs)."""
    scenario = get_object_or_404(scenario_list_for_user(user=request.user).select_related("contest"), pk=pk)
    if not is_scenario_publisher(request.user, scenario):
        raise PermissionDenied
    return scenario


@login_required
@require_http_methods(["GET", "POST"])
def publisher_scenario_create(request):
    roles = _publisher_roles(request.user)
    if not roles:
        raise PermissionDenied
    slug = request.GET.get("contest")
    role = next((r for r in roles if r.contest.slug == slug), roles[0])
    contest = role.contest
    form = ScenarioForm(request.POST or None, contest=contest)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        track = data.pop("track")
        try:
            scenario = scenario_create(actor=request.user, track=track, data=data)
        except (ApplicationError, ValidationError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The draft has been saved."))
            return redirect("publisher_scenario_edit", pk=scenario.pk)
    return render(request, "contest/publisher_scenario_form.html", {"form": form, "contest": contest, "role": role})


@login_required
@require_http_methods(["GET", "POST"])
def publisher_scenario_edit(request, pk):
    scenario = own_scenario(request, pk)
    form = ScenarioForm(request.POST or None, instance=scenario, contest=scenario.contest)
    editable = scenario.status == ScenarioStatus.DRAFT
    if request.method == "POST":
        if not editable:
            messages.error(request, _("Only drafts can be edited."))
            return redirect("publisher_scenario_edit", pk=scenario.pk)
        if form.is_valid():
            # ModelForm validation already wrote the values onto the instance; the service
            # re-reads the row under a lock and applies the same data.
            data = dict(form.cleaned_data)
            try:
                scenario_update(actor=request.user, scenario=Scenario(pk=scenario.pk), data=data)
            except (ApplicationError, ValidationError) as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("The draft has been saved."))
                return redirect("publisher_scenario_edit", pk=scenario.pk)
    return render(
        request,
        "contest/publisher_scenario_form.html",
        {"form": form, "contest": scenario.contest, "scenario": scenario, "editable": editable},
    )


@login_required
@require_POST
def publisher_scenario_submit(request, pk):
    scenario = own_scenario(request, pk)
    try:
        scenario_submit_for_review(actor=request.user, scenario=scenario)
    except ApplicationError as exc:
        record_form_refusal(exc)  # a refused state change is recorded
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("The scenario has been sent to the organizers for review."))
    return redirect("publisher_scenarios")


@login_required
@require_http_methods(["GET", "POST"])
def publisher_scenario_withdraw(request, pk):
    scenario = own_scenario(request, pk)
    form = ScenarioWithdrawalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            scenario_withdrawal_request(actor=request.user, scenario=scenario, reason=form.cleaned_data["reason"])
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Your withdrawal request has been sent to the organizers."))
            return redirect("publisher_scenarios")
    return render(request, "contest/publisher_scenario_withdraw.html", {"form": form, "scenario": scenario})
