from django.urls import path

from . import views, views_approvals, views_deadlines

app_name = "workflow"
urlpatterns = [
    path("attachments/<int:pk>/", views.download_attachment, name="download_attachment"),
    path("approvals/", views_approvals.approval_inbox, name="approval_inbox"),
    path("approvals/<int:pk>/", views_approvals.approval_decide, name="approval_decide"),
    path("deadlines/", views_deadlines.deadline_board, name="deadline_board"),
    path("deadlines/calendar/", views_deadlines.deadline_calendar, name="deadline_calendar"),
    path("deadlines/<int:pk>/", views_deadlines.deadline_detail, name="deadline_detail"),
    path("notifications/", views_deadlines.notification_list, name="notification_list"),
    path("notifications/<int:pk>/read/", views_deadlines.notification_read,
         name="notification_read"),
    path("notifications/read-all/", views_deadlines.notification_read_all,
         name="notification_read_all"),
    path("notifications/preferences/", views_deadlines.notification_preferences,
         name="notification_preferences"),
]
