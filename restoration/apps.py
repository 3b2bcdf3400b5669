from django.apps import AppConfig


class RestorationConfig(AppConfig):
    name = "restoration"
    verbose_name = "修复与资金"

    def ready(self):
        from accounts.roles import Role
        from workflow import approvals

        from . import closing, deadlines, parts, signals, stages  # noqa: F401  (register hooks)
        from .services import early_end_approved

        # SX 第二十九条: ending restoration early needs the department's consent (机构负责人,
        # then 部门负责人, as the department's other decisions).
        approvals.register(approvals.ApprovalAction(
            code="restoration_early_end", title="终止修复",
            steps=(Role.DIVISION_HEAD, Role.DEPARTMENT_HEAD),
            request_transition="request_early_end",
            approve_transition="approve_early_end", return_transition="return_early_end",
            on_approved=early_end_approved,
        ))
