from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "文书"

    def ready(self):
        from django.core import checks

        # forms [1]–[3], forms [4]–[7] and the timeline register themselves on import
        from . import case_forms, negotiation_forms, parts  # noqa: F401
        from .checks import check_rendering

        checks.register(check_rendering)
