from django.urls import path

from . import views

app_name = "negotiation"
urlpatterns = [
    path("<int:pk>/", views.negotiation_detail, name="negotiation_detail"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("confirmations/<int:pk>/", views.confirmation_detail, name="confirmation_detail"),
    path("litigations/<int:pk>/", views.litigation_detail, name="litigation_detail"),
    path("enforcements/<int:pk>/", views.enforcement_detail, name="enforcement_detail"),
]
