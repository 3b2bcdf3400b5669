from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "案件"

    def ready(self):
        from accounts.roles import Role
        from workflow import approvals

        from .services import clue_started

        # Each app's next_steps.py adds its actions to the case page's 下一步 (cases/next_steps.py).
        autodiscover_modules("next_steps")
        # Form [1] 索赔启动登记表 and form [3] 索赔终止登记表: 机构负责人意见, then 部门负责人意见.
        # Starting a claim is approved once (issue 17; NAT 三): the clue's 启动索赔 opens the
        # case, and this approval of form [1] starts both the case and its clues.
        heads = (Role.DIVISION_HEAD, Role.DEPARTMENT_HEAD)
        approvals.register(approvals.ApprovalAction(
            code="case_initiation", title="索赔启动", steps=heads,
            request_transition="submit_initiation",
            approve_transition="approve_initiation", return_transition="return_initiation",
            on_approved=clue_started,
        ))
        # 结案 (issue 8): the division head approves once every obligation is performed.
        approvals.register(approvals.ApprovalAction(
            code="case_closing", title="结案", steps=(Role.DIVISION_HEAD,),
            request_transition="request_closing",
            approve_transition="approve_closing", return_transition="return_closing",
        ))
        approvals.register(approvals.ApprovalAction(
            code="case_termination", title="索赔终止", steps=heads,
            request_transition="request_termination",
            approve_transition="approve_termination", return_transition="return_termination",
        ))
