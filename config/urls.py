from django.contrib import admin
from django.urls import include, path

from api.views import api
from workflow.views import home

admin.site.site_header = "EcoClaim 生态环境损害赔偿管理系统"
admin.site.site_title = "EcoClaim 管理"
admin.site.index_title = "系统配置"

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("workflow/", include("workflow.urls")),
    path("parties/", include("parties.urls")),
    path("screening/", include("screening.urls")),
    path("cases/", include("cases.urls")),
    path("documents/", include("documents.urls")),
    path("negotiation/", include("negotiation.urls")),
    path("restoration/", include("restoration.urls")),
    path("search/", include("search.urls")),
    path("oversight/", include("oversight.urls")),
    path("api/", api.urls),
    path("disclosure/", include("disclosure.urls")),
    path("public/", include("disclosure.public_urls")),
    path("admin/", admin.site.urls),
]
