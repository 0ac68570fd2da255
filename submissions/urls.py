from django.urls import path

from . import contest_pages, views

urlpatterns = [
    # Contest pages that show teams and solutions (see contest_pages.py for why they live here).
    path("", contest_pages.home, name="home"),
    path("c/<slug:slug>/", contest_pages.contest_home, name="contest_home"),
    path("scenarios/<int:pk>/", contest_pages.scenario_detail, name="scenario_detail"),
    path(
        "publisher/scenarios/<int:pk>/solutions/",
        contest_pages.publisher_scenario_solutions,
        name="publisher_scenario_solutions",
    ),
    path("team/", views.team_home, name="team_home"),
    path("team/new/", views.team_create, name="team_create"),
    path("team/<int:pk>/", views.team_detail, name="team_detail"),
    path("team/<int:pk>/edit/", views.team_edit, name="team_edit"),
    path("team/<int:pk>/invite/", views.team_invite, name="team_invite"),
    path("team/<int:pk>/invitations/<int:invitation_pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("team/<int:pk>/members/<int:user_pk>/remove/", views.member_remove, name="member_remove"),
    path("team/<int:pk>/members/<int:user_pk>/make-captain/", views.captain_transfer, name="captain_transfer"),
    path("invitations/mine/<int:pk>/", views.invitation_for_me, name="invitation_for_me"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("scenarios/<int:scenario_pk>/take-up/", views.solution_start, name="solution_start"),
    path("solutions/<int:pk>/", views.solution_detail, name="solution_detail"),
    path("solutions/<int:pk>/upload/", views.solution_upload, name="solution_upload"),
    path("solutions/<int:pk>/submit/", views.solution_submit, name="solution_submit"),
    path("solutions/<int:pk>/receipts/<int:receipt_pk>/", views.receipt_detail, name="receipt_detail"),
    path("solutions/<int:pk>/withdraw/", views.solution_withdraw, name="solution_withdraw"),
    path("solutions/<int:pk>/supplement/", views.solution_supplement, name="solution_supplement"),
    path("solutions/<int:pk>/transfer/", views.solution_transfer, name="solution_transfer"),
]
