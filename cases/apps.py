from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "案件"

    def ready(self):
        from accounts.roles import Role
        from workflow import approvals

        from .services import open_case_from_clue

        # Issue 3: opening the claim needs the division head's approval (DOMAIN §3.1).
        approvals.register(approvals.ApprovalAction(
            code="clue_case_opening", title="启动索赔", steps=(Role.DIVISION_HEAD,),
            request_transition="request_case_opening",
            approve_transition="approve_case_opening", return_transition="send_back",
            on_approved=open_case_from_clue,
        ))
