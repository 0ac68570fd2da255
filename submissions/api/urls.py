from django.urls import path

from . import views

app_name = "submissions-api"

urlpatterns = [
    path("teams/", views.TeamListCreateApi.as_view(), name="team-list"),
    path("teams/<int:pk>/", views.TeamDetailApi.as_view(), name="team-detail"),
    path("teams/<int:pk>/fact-changes/", views.TeamFactChangeListCreateApi.as_view(), name="team-fact-changes"),
    path("team-fact-changes/<int:pk>/decide/", views.FactChangeDecideApi.as_view(), name="team-fact-change-decide"),
    path("teams/<int:pk>/members/", views.TeamMemberListApi.as_view(), name="team-members"),
    path("teams/<int:pk>/members/<int:user_id>/", views.TeamMemberRemoveApi.as_view(), name="team-member-remove"),
    path("teams/<int:pk>/captain/", views.TeamCaptainApi.as_view(), name="team-captain"),
    path("teams/<int:pk>/invitations/", views.TeamInvitationListCreateApi.as_view(), name="team-invitations"),
    path(
        "teams/<int:pk>/invitations/<int:invitation_id>/revoke/",
        views.TeamInvitationRevokeApi.as_view(),
        name="team-invitation-revoke",
    ),
    path("invitations/accept/", views.InvitationAcceptApi.as_view(), name="invitation-accept"),
    path("solutions/", views.SolutionListCreateApi.as_view(), name="solution-list"),
    path("solutions/<int:pk>/", views.SolutionDetailApi.as_view(), name="solution-detail"),
    path("solutions/<int:pk>/versions/", views.SolutionVersionListCreateApi.as_view(), name="solution-versions"),
    path("solutions/<int:pk>/submit/", views.SolutionSubmitApi.as_view(), name="solution-submit"),
    path("solutions/<int:pk>/withdraw/", views.SolutionWithdrawApi.as_view(), name="solution-withdraw"),
    path("solutions/<int:pk>/transfer/", views.SolutionTransferApi.as_view(), name="solution-transfer"),
    path("solutions/<int:pk>/receipts/", views.SolutionReceiptListApi.as_view(), name="solution-receipts"),
    path("solutions/<int:pk>/eligibility/", views.SolutionEligibilityApi.as_view(), name="solution-eligibility"),
    path("solutions/<int:pk>/supplement/", views.SolutionSupplementApi.as_view(), name="solution-supplement"),
    path("files/<int:pk>/download/", views.FileDownloadApi.as_view(), name="file-download"),
]
