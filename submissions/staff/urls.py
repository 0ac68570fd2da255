"""The submissions app's staff pages and their actions (mounted from config/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("organizer/c/<slug:slug>/qualification/", views.dashboard_qualification, name="dashboard_qualification"),
    path(
        "organizer/c/<slug:slug>/qualification/<int:pk>/decide/",
        views.qualify,
        name="dashboard_qualify",
    ),
]
