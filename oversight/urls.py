from django.urls import path

from . import views, views_ledger, views_reports

app_name = "oversight"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("approvals/", views.approvals, name="approvals"),
    # 报表 and the annual work report (SX 第四十条): oversight/views_reports.py
    path("reports/", views_reports.reports, name="reports"),
    path("reports/annual/", views_reports.annual_report, name="annual_report"),
    path("reports/annual.pdf", views_reports.annual_pdf, name="annual_pdf"),
    path("reports/annual.xlsx", views_reports.annual_xlsx, name="annual_xlsx"),
    path("reports/annual/text/", views_reports.annual_text, name="annual_text"),
    path("reports/annual/submit/", views_reports.annual_submit, name="annual_submit"),
    path("reports/annual/<int:pk>/report-up/", views_reports.annual_report_up,
         name="annual_report_up"),
    # 案件办理台账 (NAT 二): oversight/views_ledger.py
    path("reports/ledger/", views_ledger.case_ledger, name="case_ledger"),
    path("reports/ledger.xlsx", views_ledger.case_ledger_xlsx, name="case_ledger_xlsx"),
]
