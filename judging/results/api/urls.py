from django.urls import path

from judging.results.api import views

urlpatterns = [
    path("rounds/<int:round_id>/results/", views.RoundResultsApi.as_view(), name="results-list"),
    path("rounds/<int:round_id>/aggregate/", views.RoundAggregateApi.as_view(), name="results-aggregate"),
    path(
        "rounds/<int:round_id>/aggregate/status/",
        views.RoundAggregateStatusApi.as_view(),
        name="results-aggregate-status",
    ),
    path(
        "rounds/<int:round_id>/advancement-overrides/", views.AdvancementOverrideApi.as_view(), name="results-override"
    ),
    path("rounds/<int:round_id>/tie-decisions/", views.TieDecisionApi.as_view(), name="results-tie-decision"),
    path("rounds/<int:round_id>/publish/", views.PublishApi.as_view(), name="results-publish"),
    path("rounds/<int:round_id>/confirm-final/", views.ConfirmFinalApi.as_view(), name="results-confirm-final"),
    path("rounds/<int:round_id>/publications/", views.PublicationListApi.as_view(), name="results-publications"),
    path("rounds/<int:round_id>/leaderboard/", views.LeaderboardApi.as_view(), name="results-leaderboard"),
    path("rounds/<int:round_id>/my-feedback/", views.MyFeedbackApi.as_view(), name="results-feedback"),
    path("rounds/<int:round_id>/exports/<str:kind>.<str:fmt>", views.ExportApi.as_view(), name="results-export"),
    path("publications/<int:publication_id>/verify/", views.PublicationVerifyApi.as_view(), name="publication-verify"),
    path("publications/<int:publication_id>/objections/", views.ObjectionCreateApi.as_view(), name="objection-create"),
    path("objections/", views.ObjectionListApi.as_view(), name="objection-list"),
    path("objections/<int:objection_id>/decide/", views.ObjectionDecideApi.as_view(), name="objection-decide"),
    path("contests/<int:contest_id>/awards/", views.AwardsApi.as_view(), name="awards-list"),
    path("contests/<int:contest_id>/awards/confirm/", views.AwardsConfirmApi.as_view(), name="awards-confirm"),
    path("awards/<int:award_id>/revoke/", views.AwardRevokeApi.as_view(), name="award-revoke"),
    path("awards/<int:award_id>/reissue/", views.AwardReissueApi.as_view(), name="award-reissue"),
    path("awards/<int:award_id>/certificate.pdf", views.CertificateDownloadApi.as_view(), name="award-certificate"),
    path("certificates/<str:code>/", views.CertificateVerifyApi.as_view(), name="certificate-verify"),
]
