from django.urls import include, path

urlpatterns = [
    path("", include("judging.api.urls_judging")),
]
