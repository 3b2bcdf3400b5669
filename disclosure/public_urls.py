from django.urls import path

from . import public

app_name = "public"

urlpatterns = [
    path("", public.item_list, name="list"),
    path("<str:token>/", public.item_detail, name="item"),
    path("<str:token>/pdf/", public.item_pdf, name="item_pdf"),
]
