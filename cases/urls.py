from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/initiation/", views.case_initiation, name="case_initiation"),
    path("<int:pk>/obligors/", views.case_add_obligor, name="case_add_obligor"),
    path("<int:pk>/submit/", views.case_submit_initiation, name="case_submit_initiation"),
    path("<int:pk>/investigation/", views.case_investigation, name="case_investigation"),
    path("<int:pk>/evidence/", views.case_add_evidence, name="case_add_evidence"),
    path("<int:pk>/terminate/", views.case_request_termination, name="case_terminate"),
    path("<int:pk>/transition/", views.case_transition, name="case_transition"),
]
