from django.urls import path

from . import views, views_historical, views_import

app_name = "parties"
urlpatterns = [
    path("", views.party_list, name="party_list"),
    path("new/", views.party_create, name="party_create"),
    path("lookup/", views.party_lookup, name="party_lookup"),
    path("<int:pk>/", views.party_detail, name="party_detail"),
    path("<int:pk>/edit/", views.party_edit, name="party_edit"),
    # 历史记录 (parties/historical.py)
    path("historical/new/", views_historical.historical_create, name="historical_create"),
    path("historical/<int:pk>/", views_historical.historical_detail, name="historical_detail"),
    path("historical/import/", views_import.historical_import_upload,
         name="historical_import_upload"),
    path("historical/import/template/", views_import.historical_import_template,
         name="historical_import_template"),
    path("historical/import/<int:pk>/", views_import.historical_import_preview,
         name="historical_import_preview"),
    path("historical/import/<int:pk>/progress/", views_import.historical_import_progress,
         name="historical_import_progress"),
    path("historical/import/<int:pk>/confirm/", views_import.historical_import_confirm,
         name="historical_import_confirm"),
    path("historical/import/<int:pk>/discard/", views_import.historical_import_discard,
         name="historical_import_discard"),
]
