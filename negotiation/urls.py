from django.urls import path

from . import views, views_agreement, views_court

app_name = "negotiation"
urlpatterns = [
    # a negotiation round (views.py)
    path("<int:pk>/", views.negotiation_detail, name="negotiation_detail"),
    path("<int:pk>/plan/", views.negotiation_plan, name="negotiation_plan"),
    path("<int:pk>/issue/", views.negotiation_issue, name="negotiation_issue"),
    path("<int:pk>/service/", views.negotiation_service, name="negotiation_service"),
    path("<int:pk>/reply/", views.negotiation_reply, name="negotiation_reply"),
    path("<int:pk>/meetings/new/", views.negotiation_meeting, name="negotiation_meeting"),
    path("meetings/<int:pk>/authorisation/", views.meeting_authorisation,
         name="meeting_authorisation"),
    path("<int:pk>/more-meetings/", views.negotiation_more_meetings,
         name="negotiation_more_meetings"),
    path("<int:pk>/early-restoration/", views.negotiation_early_restoration,
         name="negotiation_early_restoration"),
    path("<int:pk>/fail/", views.negotiation_fail, name="negotiation_fail"),
    path("<int:pk>/agreement/", views.negotiation_draft_agreement,
         name="negotiation_draft_agreement"),
    # the agreement (views_agreement.py)
    path("agreements/<int:pk>/", views_agreement.agreement_detail, name="agreement_detail"),
    path("agreements/<int:pk>/edit/", views_agreement.agreement_edit, name="agreement_edit"),
    path("agreements/<int:pk>/sign/", views_agreement.agreement_sign, name="agreement_sign"),
    path("agreements/<int:pk>/correct/", views_agreement.agreement_correct,
         name="agreement_correct"),
    # judicial confirmation, litigation, enforcement, performance reports (views_court.py)
    path("cases/<int:pk>/confirmation/", views_court.confirmation_start,
         name="confirmation_start"),
    path("confirmations/<int:pk>/", views_court.confirmation_detail,
         name="confirmation_detail"),
    path("confirmations/<int:pk>/application/", views_court.confirmation_edit,
         name="confirmation_edit"),
    path("confirmations/<int:pk>/file/", views_court.confirmation_file,
         name="confirmation_file"),
    path("confirmations/<int:pk>/ruling/", views_court.confirmation_ruling,
         name="confirmation_ruling"),
    path("cases/<int:pk>/litigation/", views_court.litigation_start, name="litigation_start"),
    path("litigations/<int:pk>/", views_court.litigation_detail, name="litigation_detail"),
    path("litigations/<int:pk>/edit/", views_court.litigation_edit, name="litigation_edit"),
    path("litigations/<int:pk>/step/", views_court.litigation_step, name="litigation_step"),
    path("cases/<int:pk>/enforcement/", views_court.enforcement_start,
         name="enforcement_start"),
    path("enforcements/<int:pk>/", views_court.enforcement_detail, name="enforcement_detail"),
    path("enforcements/<int:pk>/edit/", views_court.enforcement_edit, name="enforcement_edit"),
    path("enforcements/<int:pk>/apply/", views_court.enforcement_apply,
         name="enforcement_apply"),
    path("enforcements/<int:pk>/conclude/", views_court.enforcement_conclude,
         name="enforcement_conclude"),
    path("cases/<int:pk>/performance-reports/new/", views_court.performance_report,
         name="performance_report"),
]
