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
urlpatterns += [
    path("clues/<int:pk>/not-start/", views.clue_request_not_start, name="clue_not_start"),
    path("clues/<int:pk>/open-case/", views.clue_request_case_opening, name="clue_open_case"),
    path("clues/<int:pk>/refer/", views.clue_refer, name="clue_refer"),
    path("clues/<int:pk>/feedback/", views.clue_feedback, name="clue_feedback"),
    path("referrals/<int:pk>/receive/", views.referral_receive, name="referral_receive"),
]
urlpatterns += [
    path("referrals/<int:pk>/", views.referral_detail, name="referral_detail"),
]
