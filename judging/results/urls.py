from django.urls import path

from judging.results import views

urlpatterns = [
    path("c/<slug:slug>/results/", views.results, name="results"),
    path("c/<slug:slug>/awards/", views.award_list, name="award_list"),
    path("verify/", views.certificate_verify, name="certificate_verify"),
    path("publications/<int:publication_pk>/objection/", views.objection_create, name="objection_create"),
]
