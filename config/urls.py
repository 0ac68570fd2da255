from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config import ops
from config.api_views import ApiRootView, api_not_found

api_v1 = [
    path("", ApiRootView.as_view(), name="api-root"),
    path("", include("contest.api.urls")),
    path("", include("submissions.api.urls")),
    path("", include("judging.api.urls")),
    path("", include("judging.results.api.urls")),
    path("", include("notifications.api.urls")),
]

urlpatterns = [
    path("health/", ops.health, name="health"),
    path("ready/", ops.ready, name="ready"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's init script from this URL, so the strict CSP
    # (script-src 'self') needs no exception for the docs page.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    # After every API route: what matches none of them is the API's JSON 404, not a page.
    re_path(r"^api/", api_not_found),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("contest.urls")),
    path("", include("submissions.urls")),
    path("", include("judging.results.urls")),
    path("", include("judging.staff_urls")),
    # The organizer back office: each app's staff pages, under /organizer/.
    path("", include("contest.staff.urls")),
    path("", include("submissions.staff.urls")),
    path("", include("judging.staff.urls")),
    path("", include("judging.results.staff.urls")),
    path("", include("notifications.urls")),
]

handler500 = "config.api_views.server_error"
