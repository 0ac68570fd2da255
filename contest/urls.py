from django.urls import include, path

from . import account_views, views

urlpatterns = [
    path("c/<slug:slug>/scenarios/", views.scenario_list, name="scenario_list"),
    # Accounts: Django's auth views with our templates, plus sign-up and profile.
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/signup/done/", views.signup_done, name="signup_done"),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/verify/resend/", account_views.verification_resend, name="email_verification_resend"),
    path("accounts/verify/<str:token>/", account_views.email_verify, name="email_verify"),
    path("accounts/password_reset/", account_views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    # Scenario publishers.
    path("publisher/scenarios/", views.publisher_scenarios, name="publisher_scenarios"),
    path("publisher/scenarios/new/", views.publisher_scenario_create, name="publisher_scenario_create"),
    path("publisher/scenarios/<int:pk>/edit/", views.publisher_scenario_edit, name="publisher_scenario_edit"),
    path("publisher/scenarios/<int:pk>/submit/", views.publisher_scenario_submit, name="publisher_scenario_submit"),
    path(
        "publisher/scenarios/<int:pk>/withdraw/", views.publisher_scenario_withdraw, name="publisher_scenario_withdraw"
    ),
]
