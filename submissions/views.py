"""Team pages: teams, invitations, solutions, versions, submission, withdrawal, qualification."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from submissions.selectors import team_list_for_user


@login_required
def team_home(request):
    teams = team_list_for_user(request.user).filter(memberships__user=request.user)
    return render(request, "submissions/team_home.html", {"teams": teams})


@login_required
def solution_start(request, scenario_pk):
    return render(request, "submissions/team_home.html", {"teams": []})
