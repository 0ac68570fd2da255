from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import security_pages, views

urlpatterns = [
    path("", views.home, name="home"),
    path("c/<slug:slug>/", views.contest_home, name="contest_home"),
    path("c/<slug:slug>/scenarios/", views.scenario_list, name="scenario_list"),
    path("organizer/c/<slug:slug>/security-events/", security_pages.security_events, name="dashboard_security_events"),
    path("scenarios/<int:pk>/", views.scenario_detail, name="scenario_detail"),
    # Accounts: Django's auth views with our templates, plus sign-up and profile.
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/profile/", views.profile, name="profile"),
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(subject_template_name="registration/password_reset_subject.txt"),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    # Scenario publishers.
    path("publisher/scenarios/", views.publisher_scenarios, name="publisher_scenarios"),
    path("publisher/scenarios/new/", views.publisher_scenario_create, name="publisher_scenario_create"),
    path("publisher/scenarios/<int:pk>/edit/", views.publisher_scenario_edit, name="publisher_scenario_edit"),
    path("publisher/scenarios/<int:pk>/submit/", views.publisher_scenario_submit, name="publisher_scenario_submit"),
    path(
        "publisher/scenarios/<int:pk>/withdraw/", views.publisher_scenario_withdraw, name="publisher_scenario_withdraw"
    ),
    path(
        "publisher/scenarios/<int:pk>/solutions/",
        views.publisher_scenario_solutions,
        name="publisher_scenario_solutions",
    ),
]
