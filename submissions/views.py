"""Team pages: teams, invitations, taking up scenarios, versions, submission, withdrawal, qualification.

Every write goes through `submissions.services`; every read starts from `submissions.selectors`
(what the user may not see is a 404). Service errors are shown next to the form that caused them.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from config.api import ApplicationError
from config.body_limits import body_limit, global_limit
from contest import clock
from contest.context_processors import current_contest
from contest.enums import ContestStatus
from contest.forms import add_service_error
from contest.models import User
from contest.roles import is_organizer
from contest.security_events import record_form_refusal
from contest.selectors import contest_list_for_user, scenario_list_for_user
from submissions.api.views import DEFAULT_UPLOAD_LIMIT, MULTIPART_SLACK
from submissions.files import upload_handlers_for
from submissions.selectors import upload_limit_for

from .enums import InvitationStatus, SolutionStatus
from .forms import (
    InviteForm,
    SolutionStartForm,
    SubmitForm,
    SupplementForm,
    TeamForm,
    TransferForm,
    VersionUploadForm,
    WithdrawForm,
)
from .models import Invitation, TeamMembership
from .permissions import can_view_solution_history, is_team_captain, is_team_member
from .selectors import (
    eligibility_list_for_solution,
    invitation_list_for_invitee,
    invitation_list_for_team,
    member_list_for_team,
    qualification_round,
    receipt_list_for_solution,
    round_deadline_passed,
    solution_get_for_user,
    solution_list_for_user,
    solution_list_with_related,
    team_get_for_user,
    user_team_in_contest,
    version_list_for_user,
)
from .services import invitations as invitation_services
from .services import qualification as qualification_services
from .services import solutions as solution_services
from .services import teams as team_services
from .services import transfers as transfer_services

SERVICE_ERRORS = (ApplicationError, ValidationError)


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _error_json(exc) -> JsonResponse:
    if isinstance(exc, ApplicationError):
        return JsonResponse({"code": exc.code, "detail": str(exc.detail), "extra": exc.extra}, status=exc.status_code)
    return JsonResponse({"code": "invalid", "detail": " ".join(exc.messages), "extra": {}}, status=400)


# --- teams -----------------------------------------------------------------------------------


@login_required
def team_home(request):
    memberships = list(
        TeamMembership.objects.filter(user=request.user)
        .select_related("team", "team__contest", "team__lead_unit")
        .order_by("-contest_id")
    )
    invitations = invitation_list_for_invitee(request.user)
    joined = {m.contest_id for m in memberships}
    open_contests = [
        c for c in contest_list_for_user(user=request.user).filter(status=ContestStatus.PUBLISHED) if c.pk not in joined
    ]
    return render(
        request,
        "submissions/team_home.html",
        {
            "memberships": memberships,
            "invitations": invitations,
            "open_contests": open_contests,
            "email_unverified": not request.user.has_verified_email,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_create(request):
    slug = request.GET.get("contest")
    contest = get_object_or_404(contest_list_for_user(user=request.user), slug=slug) if slug else current_contest()
    if contest is None:
        raise Http404
    existing = user_team_in_contest(request.user, contest)
    if existing is not None:
        messages.info(request, _("You are already in a team in this contest."))
        return redirect("team_detail", pk=existing.pk)
    initial = {"organization": request.user.organization_id, "lead_unit": request.user.organization_id}
    form = TeamForm(request.POST or None, initial=initial, max_co_units=contest.max_co_units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            team = team_services.team_create(
                actor=request.user,
                contest=contest,
                name=data["name"],
                lead_unit=data["lead_unit"],
                co_units=list(data["co_units"]),
                organization=data["organization"],
            )
        except SERVICE_ERRORS as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Your team has been registered. You are its captain."))
            return redirect("team_detail", pk=team.pk)
    return render(request, "submissions/team_form.html", {"form": form, "contest": contest})


def _team_for_member(request, pk):
    team = team_get_for_user(request.user, pk)
    if not (is_team_member(request.user, team) or is_organizer(request.user, team.contest)):
        raise Http404
    return team


@login_required
def team_detail(request, pk):
    team = _team_for_member(request, pk)
    captain = is_team_captain(request.user, team)
    solutions = solution_list_with_related(solution_list_for_user(request.user, team.contest).filter(team=team))
    return render(
        request,
        "submissions/team_detail.html",
        {
            "team": team,
            "is_captain": captain,
            "members": member_list_for_team(team),
            "invitations": invitation_list_for_team(team).filter(status=InvitationStatus.PENDING) if captain else [],
            "solutions": solutions,
            "invite_form": InviteForm(),
            "now": clock.now(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_edit(request, pk):
    """The captain renames the team or changes its lead unit and co-units."""
    team = _team_for_member(request, pk)
    if not is_team_captain(request.user, team):
        raise PermissionDenied
    initial = {"name": team.name, "lead_unit": team.lead_unit_id, "co_units": [o.pk for o in team.co_units.all()]}
    form = TeamForm(request.POST or None, initial=initial, max_co_units=team.contest.max_co_units)
    del form.fields["organization"]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            team_services.team_update(
                actor=request.user,
                team=team,
                name=data["name"],
                lead_unit=data["lead_unit"],
                co_units=list(data["co_units"]),
            )
        except SERVICE_ERRORS as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The team has been updated."))
            return redirect("team_detail", pk=team.pk)
    return render(request, "submissions/team_form.html", {"form": form, "contest": team.contest, "team": team})


@login_required
@require_POST
def team_invite(request, pk):
    team = _team_for_member(request, pk)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation = invitation_services.invitation_create(
                actor=request.user, team=team, email=form.cleaned_data["email"]
            )
        except SERVICE_ERRORS as exc:
            add_service_error(form, exc)
        else:
            link = request.build_absolute_uri(reverse("invitation_accept", args=[invitation.token]))
            messages.success(
                request,
                _("Invitation sent to %(email)s. They can also join with this link: %(link)s")
                % {"email": invitation.email, "link": link},
            )
            return redirect("team_detail", pk=team.pk)
    captain = is_team_captain(request.user, team)
    return render(
        request,
        "submissions/team_detail.html",
        {
            "team": team,
            "is_captain": captain,
            "members": member_list_for_team(team),
            "invitations": invitation_list_for_team(team).filter(status=InvitationStatus.PENDING) if captain else [],
            "solutions": solution_list_with_related(
                solution_list_for_user(request.user, team.contest).filter(team=team)
            ),
            "invite_form": form,
            "now": clock.now(),
        },
        status=400,
    )


@login_required
@require_POST
def invitation_revoke(request, pk, invitation_pk):
    team = _team_for_member(request, pk)
    invitation = get_object_or_404(invitation_list_for_team(team), pk=invitation_pk)
    try:
        invitation_services.invitation_revoke(actor=request.user, invitation=invitation)
    except ApplicationError as exc:
        record_form_refusal(exc)  # a refused state change is recorded
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("The invitation has been revoked."))
    return redirect("team_detail", pk=team.pk)


@login_required
@require_POST
def member_remove(request, pk, user_pk):
    team = _team_for_member(request, pk)
    member = get_object_or_404(User, pk=user_pk, memberships__team=team)
    try:
        team_services.member_remove(actor=request.user, team=team, user=member)
    except ApplicationError as exc:
        record_form_refusal(exc)  # a refused state change is recorded
        messages.error(request, str(exc.detail))
        return redirect("team_detail", pk=team.pk)
    if member.pk == request.user.pk:
        messages.success(request, _("You have left the team."))
        return redirect("team_home")
    messages.success(request, _("%(name)s has been removed from the team.") % {"name": member})
    return redirect("team_detail", pk=team.pk)


@login_required
@require_POST
def captain_transfer(request, pk, user_pk):
    team = _team_for_member(request, pk)
    member = get_object_or_404(User, pk=user_pk, memberships__team=team)
    try:
        team_services.captain_transfer(actor=request.user, team=team, new_captain=member)
    except ApplicationError as exc:
        record_form_refusal(exc)  # a refused state change is recorded
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("%(name)s is now the captain.") % {"name": member})
    return redirect("team_detail", pk=team.pk)


@login_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    """The link in the invitation e-mail. Shows which team invites; joining needs a POST."""
    invitation = Invitation.objects.select_related("team", "team__contest", "team__lead_unit").filter(token=token)
    return _invitation_page(request, invitation.first(), token=token)


@login_required
@require_http_methods(["GET", "POST"])
def invitation_for_me(request, pk):
    """An invitation listed on the team page, reached by its id: the page never shows a token.
    Only invitations to the user's proven address are found."""
    invitation = get_object_or_404(invitation_list_for_invitee(request.user), pk=pk)
    return _invitation_page(request, invitation, token=invitation.token)


def _invitation_page(request, invitation, *, token):
    error = None
    if request.method == "POST":
        try:
            membership = invitation_services.invitation_accept(actor=request.user, token=token)
        except ApplicationError as exc:
            record_form_refusal(exc)  # a refused state change is recorded
            error = str(exc.detail)
        else:
            messages.success(request, _("Welcome to %(team)s!") % {"team": membership.team.name})
            return redirect("team_detail", pk=membership.team_id)
    status = 200 if invitation is not None and error is None else 400 if error else 404
    return render(
        request, "submissions/invitation_accept.html", {"invitation": invitation, "error": error}, status=status
    )


# --- solutions -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def solution_start(request, scenario_pk):
    """揭榜: the captain takes up a published scenario."""
    scenario = get_object_or_404(scenario_list_for_user(user=request.user), pk=scenario_pk)
    team = user_team_in_contest(request.user, scenario.contest)
    if team is None:
        messages.info(request, _("Register a team first; then its captain can take up this scenario."))
        return redirect(f"{reverse('team_create')}?contest={scenario.contest.slug}")
    if not is_team_captain(request.user, team):
        messages.error(request, _("Only the team captain can take up a scenario."))
        return redirect("scenario_detail", pk=scenario.pk)
    form = SolutionStartForm(request.POST or None, initial={"title": scenario.title})
    if request.method == "POST" and form.is_valid():
        try:
            solution = solution_services.solution_create(
                actor=request.user,
                team=team,
                scenario=scenario,
                title=form.cleaned_data["title"],
                abstract=form.cleaned_data["abstract"],
            )
        except SERVICE_ERRORS as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("You have taken up this scenario. Upload your solution next."))
            return redirect("solution_detail", pk=solution.pk)
    return render(request, "submissions/solution_start.html", {"form": form, "scenario": scenario, "team": team})


def _solution_for_team(request, pk):
    """A solution page is the team's own page (organizers may look too); others get 404."""
    solution = solution_get_for_user(request.user, pk)
    if not can_view_solution_history(request.user, solution):
        raise Http404
    return solution


def _first_round_deadline_passed(solution) -> bool:
    first = qualification_round(solution.contest)
    return first is not None and round_deadline_passed(first, clock.now())


def _solution_context(request, solution, **forms):
    versions = list(version_list_for_user(request.user, solution))
    decisions = list(eligibility_list_for_solution(solution))
    latest = decisions[-1] if decisions else None
    member = is_team_member(request.user, solution.team)
    captain = is_team_captain(request.user, solution.team)
    can_edit = member and solution.status in (
        SolutionStatus.DRAFT,
        SolutionStatus.SUBMITTED,
        SolutionStatus.WITHDRAWN,
        SolutionStatus.QUALIFIED,
        SolutionStatus.ADVANCED,
    )
    context = {
        "solution": solution,
        "team": solution.team,
        "scenario": solution.scenario,
        "versions": versions,
        "receipts": receipt_list_for_solution(solution),
        "decisions": decisions,
        "latest_decision": latest,
        "is_member": member,
        "is_captain": captain,
        "can_upload": can_edit,
        "can_submit": captain and can_edit and bool(versions),
        "can_withdraw": captain
        and solution.status not in (SolutionStatus.WITHDRAWN, SolutionStatus.RETIRED, SolutionStatus.VOID),
        "can_supplement": captain and solution.status == SolutionStatus.SUPPLEMENT_REQUESTED,
        "upload_form": forms.get("upload_form") or VersionUploadForm(initial={"title": solution.title}),
        "submit_form": forms.get("submit_form") or SubmitForm(versions=versions),
        "supplement_form": forms.get("supplement_form") or SupplementForm(),
        "can_transfer": captain and solution.status == SolutionStatus.PENDING_TRANSFER,
        "transfer_form": forms.get("transfer_form") or TransferForm(solution=solution),
        "upload_api_url": _upload_api_url(solution),
        "results": _published_results_for(request.user, solution),
    }
    return context


def _upload_api_url(solution) -> str:
    """The API endpoint the progress-bar upload posts to, when the API provides one."""
    from django.urls import NoReverseMatch

    try:
        return reverse("submissions-api:solution-versions", kwargs={"pk": solution.pk})
    except NoReverseMatch:
        return ""


def _published_results_for(user, solution):
    """The team's published results and anonymised feedback, round by round (only once published)."""
    from judging.models import Publication
    from judging.results_selectors import feedback_for_team_member

    if not is_team_member(user, solution.team):
        return None
    at = clock.now()
    rounds = []
    publications = (
        Publication.objects.filter(round__contest_id=solution.contest_id, superseded=False)
        .select_related("round")
        .order_by("round__sequence", "-number")
    )
    seen = set()
    for publication in publications:
        if publication.round_id in seen:
            continue
        seen.add(publication.round_id)
        try:
            feedback = feedback_for_team_member(user=user, round_=publication.round)
        except Http404:
            continue
        for item in feedback:
            if item["solution_id"] != solution.pk:
                continue
            window_open = clock.within_window(publication.publicity_starts_at, publication.publicity_ends_at, at)
            rounds.append(
                {
                    "round_name": publication.round.name,
                    "rank": item["rank"],
                    "score": item["score"],
                    "advanced": item["advanced"],
                    "objection_pending": item["objection_pending"],
                    "criteria": [
                        {"name": c["criterion"], "mean": c["mean"], "max": c["max_score"]}
                        for c in item["criterion_means"]
                    ],
                    "comments": [c["comment"] for c in item["comments"]],
                    "objection_url": reverse("objection_create", args=[publication.pk]) if window_open else "",
                }
            )
    return {"rounds": rounds} if rounds else None


@login_required
def solution_detail(request, pk):
    solution = _solution_for_team(request, pk)
    return render(request, "submissions/solution_detail.html", _solution_context(request, solution))


def _upload_page_limit(request, kwargs):
    """The plain-form upload's body limit: the round's, read through the limited handlers;
    signed-out requests get only the global limit (CSRF would otherwise read their body)."""
    if not request.user.is_authenticated:
        return global_limit()
    limit = upload_limit_for(kwargs.get("pk"), default=DEFAULT_UPLOAD_LIMIT) + MULTIPART_SLACK
    request.upload_handlers = upload_handlers_for(request, limit=limit)[1]
    return limit


@body_limit(_upload_page_limit)
@login_required
@require_POST
def solution_upload(request, pk):
    """Plain-form upload of a new version (the progress-bar script posts here or to the API)."""
    solution = _solution_for_team(request, pk)
    form = VersionUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            version = solution_services.solution_version_create(
                actor=request.user,
                solution=solution,
                title=form.cleaned_data["title"],
                abstract=form.cleaned_data["abstract"],
                uploads=form.uploads(),
            )
        except SERVICE_ERRORS as exc:
            record_form_refusal(exc)  # a refused state change is recorded
            if _wants_json(request):
                return _error_json(exc)
            add_service_error(form, exc)
        else:
            if _wants_json(request):
                return JsonResponse({"number": version.number, "sha256": version.sha256}, status=201)
            messages.success(
                request,
                _("Version %(n)d uploaded (SHA-256 %(sha)s).") % {"n": version.number, "sha": version.sha256},
            )
            return redirect("solution_detail", pk=solution.pk)
    elif _wants_json(request):
        return JsonResponse(
            {"code": "invalid", "detail": _("Please correct the errors below."), "extra": form.errors}, status=400
        )
    context = _solution_context(request, solution, upload_form=form)
    return render(request, "submissions/solution_detail.html", context, status=400)


@login_required
@require_POST
def solution_submit(request, pk):
    solution = _solution_for_team(request, pk)
    versions = list(version_list_for_user(request.user, solution))
    form = SubmitForm(request.POST, versions=versions)
    if form.is_valid():
        try:
            receipt = solution_services.solution_submit(
                actor=request.user, solution=solution, version_number=form.cleaned_data["version_number"]
            )
        except SERVICE_ERRORS as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Submitted. Keep your receipt."))
            return redirect("receipt_detail", pk=solution.pk, receipt_pk=receipt.pk)
    context = _solution_context(request, solution, submit_form=form)
    return render(request, "submissions/solution_detail.html", context, status=400)


@login_required
def receipt_detail(request, pk, receipt_pk):
    solution = _solution_for_team(request, pk)
    receipt = get_object_or_404(receipt_list_for_solution(solution).select_related("submitted_by"), pk=receipt_pk)
    return render(request, "submissions/receipt_detail.html", {"solution": solution, "receipt": receipt})


@login_required
@require_http_methods(["GET", "POST"])
def solution_withdraw(request, pk):
    solution = _solution_for_team(request, pk)
    if not is_team_captain(request.user, solution.team):
        raise PermissionDenied
    after_deadline = _first_round_deadline_passed(solution) and solution.status != SolutionStatus.DRAFT
    form = WithdrawForm(request.POST or None, needs_confirmation=after_deadline)
    if request.method == "POST" and form.is_valid():
        try:
            solution_services.solution_withdraw(
                actor=request.user,
                solution=solution,
                confirm=bool(form.cleaned_data.get("confirm")),
                reason=form.cleaned_data["reason"],
            )
        except SERVICE_ERRORS as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The solution has been withdrawn."))
            return redirect("solution_detail", pk=solution.pk)
    return render(
        request,
        "submissions/solution_withdraw.html",
        {"solution": solution, "form": form, "after_deadline": after_deadline},
        status=400 if form.errors else 200,
    )


@body_limit(_upload_page_limit)
@login_required
@require_POST
def solution_supplement(request, pk):
    solution = _solution_for_team(request, pk)
    form = SupplementForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            qualification_services.solution_supplement(actor=request.user, solution=solution, uploads=form.uploads())
        except SERVICE_ERRORS as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The supplement has been submitted for a new review."))
            return redirect("solution_detail", pk=solution.pk)
    context = _solution_context(request, solution, supplement_form=form)
    return render(request, "submissions/solution_detail.html", context, status=400)


@login_required
@require_POST
def solution_transfer(request, pk):
    """Move a pending-transfer solution (its scenario was withdrawn) to another scenario of the track."""
    solution = _solution_for_team(request, pk)
    form = TransferForm(request.POST, solution=solution)
    if form.is_valid():
        try:
            transfer_services.solution_transfer(
                actor=request.user, solution=solution, scenario=form.cleaned_data["scenario"]
            )
        except SERVICE_ERRORS as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The solution now answers the new scenario."))
            return redirect("solution_detail", pk=solution.pk)
    context = _solution_context(request, solution, transfer_form=form)
    return render(request, "submissions/solution_detail.html", context, status=400)
