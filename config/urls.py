from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView


def health(request):
    return JsonResponse({"status": "ok"})


api_v1 = [
    path("", include("contest.api.urls")),
    path("", include("submissions.api.urls")),
    path("", include("judging.api.urls")),
    path("", include("notifications.api.urls")),
]

urlpatterns = [
    path("health/", health, name="health"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's init script from this URL, so the strict CSP
    # (script-src 'self') needs no exception for the docs page.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("contest.urls")),
    path("", include("submissions.urls")),
    path("", include("judging.urls")),
    path("", include("judging.staff_urls")),
    path("", include("notifications.urls")),
]
