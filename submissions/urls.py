from django.urls import path

from . import views

urlpatterns = [
    path("team/", views.team_home, name="team_home"),
    path("scenarios/<int:scenario_pk>/take-up/", views.solution_start, name="solution_start"),
]
