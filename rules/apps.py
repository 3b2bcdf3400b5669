from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "rules"
    verbose_name = "规则与日历"
