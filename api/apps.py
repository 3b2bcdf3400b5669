from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "对外接口"
