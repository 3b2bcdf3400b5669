from django.urls import path

from . import views

app_name = "workflow"
urlpatterns = [
    path("attachments/<int:pk>/", views.download_attachment, name="download_attachment"),
]
