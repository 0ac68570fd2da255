"""Pages of judges and of the organizer dashboard (mounted from config/urls.py)."""

from django.urls import path

from . import dashboard_views, judge_views

urlpatterns = [
    path("judge/", judge_views.judge_home, name="judge_home"),
    path("judge/assignments/<int:pk>/", judge_views.judge_assignment, name="judge_assignment"),
    path("judge/assignments/<int:pk>/conflict/", judge_views.judge_conflict, name="judge_conflict"),
    path("organizer/", dashboard_views.organizer_home, name="organizer_home"),
    path("organizer/c/<slug:slug>/", dashboard_views.dashboard_contest, name="dashboard_contest"),
    path(
        "organizer/c/<slug:slug>/qualification/",
        dashboard_views.dashboard_qualification,
        name="dashboard_qualification",
    ),
    path("organizer/c/<slug:slug>/objections/", dashboard_views.dashboard_objections, name="dashboard_objections"),
    path("organizer/c/<slug:slug>/awards/", dashboard_views.dashboard_awards, name="dashboard_awards"),
    path("organizer/rounds/<int:pk>/", dashboard_views.dashboard_round, name="dashboard_round"),
    path("organizer/rounds/<int:pk>/results/", dashboard_views.dashboard_results, name="dashboard_results"),
]
