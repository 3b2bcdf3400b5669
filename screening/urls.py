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
    path("clues/<int:pk>/refer/", views.clue_refer, name="clue_refer"),
    path("clues/<int:pk>/feedback/", views.clue_feedback, name="clue_feedback"),
    path("referrals/<int:pk>/receive/", views.referral_receive, name="referral_receive"),
]
urlpatterns += [
    path("referrals/<int:pk>/", views.referral_detail, name="referral_detail"),
]

from . import views_import, views_reports, views_rounds  # noqa: E402

urlpatterns += [
    path("rounds/", views_rounds.round_list, name="round_list"),
    path("rounds/new/", views_rounds.round_create, name="round_create"),
    path("rounds/<int:pk>/", views_rounds.round_detail, name="round_detail"),
    path("clues/import/", views_import.import_upload, name="import_upload"),
    path("clues/import/template/", views_import.import_template, name="import_template"),
    path("clues/import/<int:pk>/", views_import.import_preview, name="import_preview"),
    path("clues/import/<int:pk>/progress/", views_import.import_progress,
         name="import_progress"),
    path("clues/import/<int:pk>/confirm/", views_import.import_confirm, name="import_confirm"),
    path("clues/import/<int:pk>/discard/", views_import.import_discard, name="import_discard"),
    path("reports/quarterly/", views_reports.report_quarterly, name="report_quarterly"),
    path("reports/exports/<int:pk>/", views_reports.report_export, name="report_export"),
    path("reports/exports/<int:pk>/progress/", views_reports.report_export_progress,
         name="report_export_progress"),
    path("reports/exports/<int:pk>/download/", views_reports.report_export_download,
         name="report_export_download"),
    path("reports/half-year/", views_reports.report_half_year, name="report_half_year"),
]
