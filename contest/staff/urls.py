"""The contest's staff pages and their actions (mounted from config/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("organizer/", views.organizer_home, name="organizer_home"),
    path("organizer/c/<slug:slug>/", views.dashboard_contest, name="dashboard_contest"),
    path(
        "organizer/c/<slug:slug>/scenarios/<int:pk>/approve/",
        views.scenario_approve_view,
        name="dashboard_scenario_approve",
    ),
    path(
        "organizer/c/<slug:slug>/scenarios/<int:pk>/reject/",
        views.scenario_reject_view,
        name="dashboard_scenario_reject",
    ),
    path("organizer/c/<slug:slug>/security-events/", views.security_events, name="dashboard_security_events"),
]
