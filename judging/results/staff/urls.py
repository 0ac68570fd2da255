"""The results app's staff pages and their actions (mounted from config/urls.py): one round's
results, a contest's objections and awards. Each action is its own POST URL."""

from django.urls import path

from . import views

urlpatterns = [
    # One round's results.
    path("organizer/rounds/<int:pk>/results/", views.dashboard_results, name="dashboard_results"),
    path("organizer/rounds/<int:pk>/results/aggregate/", views.results_aggregate, name="dashboard_results_aggregate"),
    path(
        "organizer/rounds/<int:pk>/results/<int:solution_pk>/override/",
        views.results_override,
        name="dashboard_results_override",
    ),
    path(
        "organizer/rounds/<int:pk>/results/<int:solution_pk>/tie-decision/",
        views.results_tie_decide,
        name="dashboard_results_tie_decide",
    ),
    path("organizer/rounds/<int:pk>/results/publish/", views.results_publish, name="dashboard_results_publish"),
    path(
        "organizer/rounds/<int:pk>/results/confirm-final/",
        views.results_confirm_final,
        name="dashboard_results_confirm_final",
    ),
    # A contest's objections and awards.
    path("organizer/c/<slug:slug>/objections/", views.dashboard_objections, name="dashboard_objections"),
    path(
        "organizer/c/<slug:slug>/objections/<int:pk>/decide/",
        views.objection_decide_view,
        name="dashboard_objection_decide",
    ),
    path("organizer/c/<slug:slug>/awards/", views.dashboard_awards, name="dashboard_awards"),
    path("organizer/c/<slug:slug>/awards/confirm/", views.awards_confirm_view, name="dashboard_awards_confirm"),
    path("organizer/c/<slug:slug>/awards/<int:pk>/revoke/", views.award_revoke_view, name="dashboard_award_revoke"),
    path("organizer/c/<slug:slug>/awards/<int:pk>/reissue/", views.award_reissue_view, name="dashboard_award_reissue"),
]
