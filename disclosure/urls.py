from django.urls import path

from . import views

app_name = "disclosure"

urlpatterns = [
    path("case/<int:case_pk>/new/", views.publication_create, name="publication_create"),
    path("<int:pk>/", views.publication_detail, name="publication_detail"),
    path("<int:pk>/edit/", views.publication_edit, name="publication_edit"),
    path("<int:pk>/masks/", views.publication_masks, name="publication_masks"),
    path("<int:pk>/files/", views.publication_add_file, name="publication_add_file"),
    path("<int:pk>/submit/", views.publication_submit, name="publication_submit"),
    path("<int:pk>/withdraw/", views.publication_withdraw, name="publication_withdraw"),
    path("<int:pk>/pdf/", views.publication_pdf, name="publication_pdf"),
]
