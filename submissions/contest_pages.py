"""Contest pages that show teams and solutions: the contest home (with its counts), a scenario's
page (with the visitor's team's solution on it) and a publisher's list of solutions to a scenario.

They live here, not in contest/views.py, because contest sits below submissions and never
imports it; the URLs and templates are the contest's (contest/templates/contest/).
"""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render

from contest.clock import now, round_accepts_submissions, within_window
from contest.context_processors import current_contest
from contest.models import Contest
from contest.permissions import PUBLIC_SCENARIO_STATUSES, is_scenario_publisher
from contest.roles import is_organizer
from contest.selectors import contest_list_for_user, round_list_for_user, scenario_list_for_user, track_list_for_user
from contest.views import contest_for_user, own_scenario

from .models import Solution, Team
from .selectors import qualification_round, solution_list_for_user, solution_list_with_related, user_team_in_contest

# Solutions that count as "received" on the public home page.
COUNTED_SOLUTION_STATUSES_EXCLUDED = ("draft", "void", "withdrawn")


def home(request):
    contest = current_contest()
    if contest is None:
        return render(request, "contest/home_empty.html", {"contests": contest_list_for_user(user=request.user)})
    return _contest_home(request, contest)


def contest_home(request, slug):
    return _contest_home(request, contest_for_user(user=request.user, slug=slug))


def _contest_home(request, contest: Contest):
    at = now()
    rounds = list(round_list_for_user(user=request.user, contest=contest).order_by("sequence"))
    for r in rounds:
        r.is_done = bool(r.judging_closes_at and r.judging_closes_at < at) or r.status in ("published", "closed")
        starts = r.submission_opens_at or r.judging_opens_at
        if r.judging_closes_at:
            r.is_current = bool(starts and starts <= at < r.judging_closes_at)
        else:  # a submission deadline keeps its whole last second (contest.clock)
            r.is_current = within_window(starts, r.submission_deadline, at)
    public_scenarios = Q(scenarios__status__in=PUBLIC_SCENARIO_STATUSES)
    tracks = track_list_for_user(user=request.user, contest=contest).annotate(
        scenario_count=Count("scenarios", filter=public_scenarios)
    )
    counts = {
        "scenarios": contest.scenarios.filter(status__in=PUBLIC_SCENARIO_STATUSES).count(),
        "teams": Team.objects.filter(contest=contest).count(),
        "solutions": Solution.objects.filter(contest=contest, submitted_at__isnull=False)
        .exclude(status__in=COUNTED_SOLUTION_STATUSES_EXCLUDED)
        .count(),
    }
    organizing = contest.organizing.select_related("organization").order_by("role", "id")
    others = contest_list_for_user(user=request.user).exclude(pk=contest.pk)
    return render(
        request,
        "contest/home.html",
        {
            "contest": contest,
            "rounds": rounds,
            "tracks": tracks,
            "counts": counts,
            "organizing": organizing,
            "other_contests": others,
        },
    )


def scenario_detail(request, pk):
    scenario = get_object_or_404(scenario_list_for_user(user=request.user), pk=pk)
    is_own = is_scenario_publisher(request.user, scenario) or is_organizer(request.user, scenario.contest)
    first_round = qualification_round(scenario.contest)
    accepting = first_round is not None and round_accepts_submissions(first_round, now())
    my_solution = None
    if request.user.is_authenticated:
        team = user_team_in_contest(request.user, scenario.contest)
        if team is not None:
            my_solution = Solution.objects.filter(team=team, scenario=scenario).first()
    return render(
        request,
        "contest/scenario_detail.html",
        {
            "scenario": scenario,
            "contest": scenario.contest,
            "show_internal": is_own,
            "accepting": accepting,
            "first_round": first_round,
            "my_solution": my_solution,
        },
    )


@login_required
def publisher_scenario_solutions(request, pk):
    """Solutions to one of my scenarios; the selector shows them only after the deadline."""
    scenario = own_scenario(request, pk)
    solutions = solution_list_with_related(
        solution_list_for_user(request.user, scenario.contest).filter(scenario=scenario)
    ).exclude(status__in=("draft", "void"))
    return render(request, "contest/publisher_scenario_solutions.html", {"scenario": scenario, "solutions": solutions})
