from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = "流程与审计"

    def ready(self):
        # Each app's worklist.py registers its home-page panels.
        autodiscover_modules("worklist")
        # Each app's approval_subjects.py says what an approver sees of its records.
        autodiscover_modules("approval_subjects")
        from . import approval_panels, deadline_panels  # noqa: F401
