from django.urls import path

from . import blind_views
from . import judging_views as v

urlpatterns = [
    path("judging/rounds/<int:round_id>/rubrics/", v.RubricListCreateApi.as_view(), name="judging-rubrics"),
    path("judging/rubrics/<int:rubric_id>/", v.RubricDetailApi.as_view(), name="judging-rubric"),
    path("judging/rubrics/<int:rubric_id>/criteria/", v.CriterionCreateApi.as_view(), name="judging-criteria"),
    path("judging/criteria/<int:criterion_id>/", v.CriterionDetailApi.as_view(), name="judging-criterion"),
    path("judging/rounds/<int:round_id>/pool/", v.PoolListCreateApi.as_view(), name="judging-pool"),
    path("judging/pool/<int:member_id>/", v.PoolMemberDetailApi.as_view(), name="judging-pool-member"),
    path("judging/rounds/<int:round_id>/conflicts/", v.ConflictListCreateApi.as_view(), name="judging-conflicts"),
    path(
        "judging/rounds/<int:round_id>/conflicts/computed/",
        v.AutomaticConflictListApi.as_view(),
        name="judging-conflicts-computed",
    ),
    path(
        "judging/rounds/<int:round_id>/conflict-flags/", v.ConflictFlagListApi.as_view(), name="judging-conflict-flags"
    ),
    path(
        "judging/conflict-flags/<int:flag_id>/resolve/",
        v.ConflictFlagResolveApi.as_view(),
        name="judging-conflict-flag-resolve",
    ),
    path(
        "judging/rounds/<int:round_id>/assignments/",
        v.RoundAssignmentListCreateApi.as_view(),
        name="judging-round-assignments",
    ),
    path("judging/rounds/<int:round_id>/auto-assign/", v.AutoAssignApi.as_view(), name="judging-auto-assign"),
    path("judging/assignments/<int:assignment_id>/", v.AssignmentDetailApi.as_view(), name="judging-assignment"),
    path("judging/rounds/<int:round_id>/reviews/", v.RoundReviewListApi.as_view(), name="judging-round-reviews"),
    path("judging/reviews/<int:review_id>/return/", v.ReviewReturnApi.as_view(), name="judging-review-return"),
    path("judging/reviews/<int:review_id>/void/", v.ReviewVoidApi.as_view(), name="judging-review-void"),
    path("judging/rounds/<int:round_id>/open-judging/", v.RoundOpenJudgingApi.as_view(), name="judging-open"),
    path("judging/rounds/<int:round_id>/close-judging/", v.RoundCloseJudgingApi.as_view(), name="judging-close"),
    path("judging/rounds/<int:round_id>/reopen/", v.RoundReopenApi.as_view(), name="judging-reopen"),
    path("judging/rounds/<int:round_id>/progress/", v.RoundProgressApi.as_view(), name="judging-progress"),
    path(
        "judging/rounds/<int:round_id>/blind-title-flags/",
        blind_views.BlindTitleFlagListApi.as_view(),
        name="judging-blind-title-flags",
    ),
    path("judging/my/assignments/", v.MyAssignmentListApi.as_view(), name="judging-my-assignments"),
    path(
        "judging/my/assignments/<int:assignment_id>/",
        v.MyAssignmentDetailApi.as_view(),
        name="judging-my-assignment",
    ),
    path("judging/my/assignments/<int:assignment_id>/review/", v.MyReviewApi.as_view(), name="judging-my-review"),
    path(
        "judging/my/assignments/<int:assignment_id>/review/submit/",
        v.MyReviewSubmitApi.as_view(),
        name="judging-my-review-submit",
    ),
    path(
        "judging/my/assignments/<int:assignment_id>/declare-conflict/",
        v.MyConflictDeclareApi.as_view(),
        name="judging-my-declare-conflict",
    ),
]
