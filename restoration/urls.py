from django.urls import path

from . import views, views_funds

app_name = "restoration"
urlpatterns = [
    path("", views.index, name="index"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("projects/<int:pk>/<slug:step>/", views.project_step, name="project_step"),
    path("cases/<int:pk>/projects/new/", views.project_create, name="project_create"),
    path("library/", views.library_list, name="library_list"),
    path("library/new/", views.library_edit, name="library_create"),
    path("library/<int:pk>/", views.library_detail, name="library_detail"),
    path("library/<int:pk>/edit/", views.library_edit, name="library_edit"),
    path("cases/<int:pk>/closing/", views.case_closing, name="case_closing"),
    # funds
    path("cases/<int:pk>/funds/", views_funds.case_funds, name="case_funds"),
    path("cases/<int:pk>/funds.xlsx", views_funds.case_funds_export, name="case_funds_export"),
    path("ledger/", views_funds.jurisdiction_ledger, name="jurisdiction_ledger"),
    path("ledger.xlsx", views_funds.jurisdiction_ledger_export,
         name="jurisdiction_ledger_export"),
    path("obligations/<int:pk>/payment/", views_funds.payment_create, name="payment_create"),
    path("obligations/<int:pk>/payee/", views_funds.obligation_payee, name="obligation_payee"),
    path("obligations/<int:pk>/instalments/", views_funds.obligation_instalments,
         name="obligation_instalments"),
    path("schedule/<int:pk>/extend/", views_funds.schedule_extend, name="schedule_extend"),
    path("cases/<int:pk>/judgment-obligation/", views_funds.judgment_obligation,
         name="judgment_obligation"),
    path("cases/<int:pk>/pursue/", views_funds.case_pursue, name="case_pursue"),
    path("cases/<int:pk>/deposit/<slug:action>/", views_funds.deposit_action,
         name="deposit_action"),
    path("cases/<int:pk>/spending/new/", views_funds.spending_edit, name="spending_create"),
    path("spending/<int:pk>/", views_funds.spending_detail, name="spending_detail"),
    path("spending/<int:pk>/edit/", views_funds.spending_edit, name="spending_edit"),
    path("spending/<int:pk>/submit/", views_funds.spending_submit, name="spending_submit"),
    path("spending/<int:pk>/review/", views_funds.spending_review, name="spending_review"),
    path("spending/<int:pk>/pay/", views_funds.spending_pay, name="spending_pay"),
    path("finance/", views_funds.finance_inbox, name="finance_inbox"),
]
