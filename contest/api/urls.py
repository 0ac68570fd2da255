from django.urls import path
from rest_framework.routers import SimpleRouter

from . import security_views, views

router = SimpleRouter()
router.register("contests", views.ContestViewSet, basename="contest")
router.register("tracks", views.TrackViewSet, basename="track")
router.register("rounds", views.RoundViewSet, basename="round")
router.register("scenarios", views.ScenarioViewSet, basename="scenario")

urlpatterns = [
    path("auth/token/", views.TokenObtainApi.as_view(), name="api-token"),
    path("security-events/", security_views.SecurityEventListApi.as_view(), name="security-event-list"),
    path("security-events/export/", security_views.SecurityEventExportApi.as_view(), name="security-event-export"),
    *router.urls,
]
