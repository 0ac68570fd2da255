"""What every staff page shares: loading the contest or round the user may run (404 when it is
invisible to them, 403 when it is visible but not theirs), running one action's service call and
answering it (redirect back with a message, or the page again with the form's errors).

Each action is its own view (POST only) at its own URL; it validates a form, calls a service and
redirects to its page (PRG), or renders the page again with the form's errors next to the fields.
"""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from config.api import ApplicationError

from ..forms import add_service_error
from ..models import Contest, Round
from ..roles import is_organizer
from ..security_events import record_form_refusal
from ..selectors import contest_list_for_user, round_get_visible


def organizer_contest_or_404(request, slug) -> Contest:
    """The contest named by `slug` if the user organizes it: 404 when it is invisible to them,
    403 when they see it but do not organize it."""
    contest = get_object_or_404(contest_list_for_user(user=request.user), slug=slug)
    if not is_organizer(request.user, contest):
        raise PermissionDenied
    return contest


def visible_round_or_404(request, pk) -> Round:
    """The round `pk` with its contest, or 404 when the round or its contest is invisible."""
    return get_object_or_404(round_get_visible(user=request.user, pk=pk))


def organizer_round_or_404(request, pk) -> Round:
    """The round `pk` if the user organizes its contest: 404 when the round or its contest is
    invisible to them, 403 when they see it but do not organize it."""
    round_ = visible_round_or_404(request, pk)
    if not is_organizer(request.user, round_.contest):
        raise PermissionDenied
    return round_


def staff_action(view):
    """An action view: logged in, POST only."""
    return login_required(require_POST(view))


def run_action(request, action: Callable[[], object], success: str, form=None) -> bool:
    """Run a service call; on success add `success` as a message. A domain error goes on the
    form (or, without a form, into an error message) and is recorded as a refusal."""
    try:
        action()
    except (ApplicationError, ValidationError) as exc:
        record_form_refusal(exc)  # a refused state change is recorded
        if form is not None:
            add_service_error(form, exc)
        else:
            detail = getattr(exc, "detail", None) or "; ".join(getattr(exc, "messages", [str(exc)]))
            messages.error(request, str(detail))
        return False
    if success:
        messages.success(request, success)
    return True


def form_action(request, form, action: Callable[[dict], object], success, *, done: str, page: Callable[[], object]):
    """The answer to an action with a form: when the form is valid and the service accepts it,
    redirect to `done` with the success message (`success` may be a function of the cleaned
    data); otherwise `page()`, the page rendered again with the form's errors."""
    if form.is_valid():
        data = form.cleaned_data
        message = success(data) if callable(success) else success
        if run_action(request, lambda: action(data), message, form=form):
            return redirect(done)
    return page()


def message_action(request, action: Callable[[], object], success: str, *, done: str):
    """The answer to an action without input: run it, say how it went, redirect to `done`."""
    run_action(request, action, success)
    return redirect(done)


def percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0
