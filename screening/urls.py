from django.urls import path

from . import views

app_name = "screening"
urlpatterns = [
    path("clues/", views.clue_list, name="clue_list"),
    path("clues/new/", views.clue_create, name="clue_create"),
    path("clues/<int:pk>/", views.clue_detail, name="clue_detail"),
    path("clues/<int:pk>/edit/", views.clue_edit, name="clue_edit"),
    path("clues/<int:pk>/transition/", views.clue_transition, name="clue_transition"),
    path("clues/<int:pk>/attachments/", views.clue_attach, name="clue_attach"),
]
