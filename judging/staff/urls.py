"""The judging app's staff pages and their actions (mounted from config/urls.py): opening and
closing judging, and one round's judging. Each action is its own POST URL."""

from django.urls import path

from . import views

urlpatterns = [
    # Opening and closing judging (shown on the contest overview).
    path("organizer/rounds/<int:pk>/open-judging/", views.round_open_judging_view, name="dashboard_round_open_judging"),
    path(
        "organizer/rounds/<int:pk>/close-judging/", views.round_close_judging_view, name="dashboard_round_close_judging"
    ),
    # One round's judging: pool, assignment, conflict flags, progress.
    path("organizer/rounds/<int:pk>/", views.dashboard_round, name="dashboard_round"),
    path("organizer/rounds/<int:pk>/pool/add/", views.pool_add, name="dashboard_pool_add"),
    path("organizer/rounds/<int:pk>/pool/<int:member_pk>/remove/", views.pool_remove, name="dashboard_pool_remove"),
    path("organizer/rounds/<int:pk>/auto-assign/", views.auto_assign, name="dashboard_auto_assign"),
    path("organizer/rounds/<int:pk>/conflict-flags/<int:flag_pk>/void/", views.flag_void, name="dashboard_flag_void"),
    path("organizer/rounds/<int:pk>/conflict-flags/<int:flag_pk>/keep/", views.flag_keep, name="dashboard_flag_keep"),
]
