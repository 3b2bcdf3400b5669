from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = "流程与审计"

    def ready(self):
        # Each app's worklist.py registers its home-page panels.
        autodiscover_modules("worklist")
        from . import approval_panels, deadline_panels  # noqa: F401
