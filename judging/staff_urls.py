"""Pages of judges (mounted from config/urls.py). The organizer's pages are in each app's
`staff/urls.py`."""

from django.urls import path

from . import judge_views

urlpatterns = [
    path("judge/", judge_views.judge_home, name="judge_home"),
    path("judge/assignments/<int:pk>/", judge_views.judge_assignment, name="judge_assignment"),
    path("judge/assignments/<int:pk>/conflict/", judge_views.judge_conflict, name="judge_conflict"),
]
