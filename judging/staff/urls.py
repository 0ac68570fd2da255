"""The judging app's staff pages and their actions (mounted from config/urls.py): a round's
judging, and the results, objections and awards pages. Each action is its own POST URL."""

from django.urls import path

from . import results, views

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
    # One round's results.
    path("organizer/rounds/<int:pk>/results/", results.dashboard_results, name="dashboard_results"),
    path("organizer/rounds/<int:pk>/results/aggregate/", results.results_aggregate, name="dashboard_results_aggregate"),
    path(
        "organizer/rounds/<int:pk>/results/<int:solution_pk>/override/",
        results.results_override,
        name="dashboard_results_override",
    ),
    path(
        "organizer/rounds/<int:pk>/results/<int:solution_pk>/tie-decision/",
        results.results_tie_decide,
        name="dashboard_results_tie_decide",
    ),
    path("organizer/rounds/<int:pk>/results/publish/", results.results_publish, name="dashboard_results_publish"),
    path(
        "organizer/rounds/<int:pk>/results/confirm-final/",
        results.results_confirm_final,
        name="dashboard_results_confirm_final",
    ),
    # A contest's objections and awards.
    path("organizer/c/<slug:slug>/objections/", results.dashboard_objections, name="dashboard_objections"),
    path(
        "organizer/c/<slug:slug>/objections/<int:pk>/decide/",
        results.objection_decide_view,
        name="dashboard_objection_decide",
    ),
    path("organizer/c/<slug:slug>/awards/", results.dashboard_awards, name="dashboard_awards"),
    path("organizer/c/<slug:slug>/awards/confirm/", results.awards_confirm_view, name="dashboard_awards_confirm"),
    path("organizer/c/<slug:slug>/awards/<int:pk>/revoke/", results.award_revoke_view, name="dashboard_award_revoke"),
    path(
        "organizer/c/<slug:slug>/awards/<int:pk>/reissue/", results.award_reissue_view, name="dashboard_award_reissue"
    ),
]
