from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("cases/<int:pk>/", views.case_documents, name="case_documents"),
    path("cases/<int:pk>/forms/<str:code>/", views.form_preview, name="form_preview"),
    path("cases/<int:pk>/forms/<str:code>/generate/", views.form_generate,
         name="form_generate"),
    path("<int:pk>/scan/", views.scan_upload, name="scan_upload"),
]
