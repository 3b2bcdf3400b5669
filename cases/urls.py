from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("export/", views.case_list_export, name="case_list_export"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("from-clue/<int:pk>/", views.case_open_from_clue, name="open_from_clue"),
    path("<int:pk>/timeline/", views.case_timeline, name="case_timeline"),
    path("<int:pk>/sections/<slug:name>/", views.case_section, name="case_section"),
    path("<int:pk>/initiation/", views.case_initiation, name="case_initiation"),
    path("<int:pk>/obligors/", views.case_add_obligor, name="case_add_obligor"),
    path("<int:pk>/submit/", views.case_submit_initiation, name="case_submit_initiation"),
    path("<int:pk>/investigation/", views.case_investigation, name="case_investigation"),
    path("<int:pk>/evidence/", views.case_add_evidence, name="case_add_evidence"),
    path("<int:pk>/terminate/", views.case_request_termination, name="case_terminate"),
    path("<int:pk>/transition/", views.case_transition, name="case_transition"),
    path("<int:pk>/joint/", views.case_joint_handling, name="case_joint"),
]

# Appraisal (鉴定评估, issue 4): cases/views_appraisal.py
from . import views_appraisal  # noqa: E402

urlpatterns += [
    path("<int:pk>/appraisals/new/", views_appraisal.appraisal_entrust, name="appraisal_entrust"),
    path("appraisals/<int:pk>/extend/", views_appraisal.appraisal_extend, name="appraisal_extend"),
    path("appraisals/<int:pk>/result/", views_appraisal.appraisal_result, name="appraisal_result"),
    path("appraisals/<int:pk>/cancel/", views_appraisal.appraisal_cancel, name="appraisal_cancel"),
    path("appraisals/<int:pk>/dates/", views_appraisal.appraisal_dates, name="appraisal_dates"),
]

# Classification and the major-case ledger (分类、重大案件台帐, issue 4): cases/views_ledger.py
from . import views_ledger  # noqa: E402

urlpatterns += [
    path("<int:pk>/classification/", views_ledger.case_classification,
         name="case_classification"),
    path("major/", views_ledger.major_ledger, name="major_ledger"),
    path("major/export/", views_ledger.major_ledger_export, name="major_ledger_export"),
    path("<int:pk>/major-progress/", views_ledger.major_progress, name="major_progress"),
]
