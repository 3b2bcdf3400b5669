from django.urls import path

from . import public, public_figures

app_name = "public"

urlpatterns = [
    path("", public.item_list, name="list"),
    path("figures/", public_figures.figures_list, name="figures"),
    path("figures/<str:code>/<int:year>/", public_figures.figures_detail, name="figures_year"),
    path("<str:token>/", public.item_detail, name="item"),
    path("<str:token>/pdf/", public.item_pdf, name="item_pdf"),
]
