from django.apps import AppConfig


class RestorationConfig(AppConfig):
    name = "restoration"
    verbose_name = "修复与资金"
