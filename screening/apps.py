from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "screening"
    verbose_name = "线索筛查"

    def ready(self):
        from accounts.roles import Role
        from workflow import approvals

        from . import jobs  # noqa: F401  (the exports' part of the periodic job pass)

        # DOMAIN §3.1: not starting a claim needs the division head's approval.
        approvals.register(approvals.ApprovalAction(
            code="clue_not_start", title="不启动索赔", steps=(Role.DIVISION_HEAD,),
            request_transition="request_not_start",
            approve_transition="approve_not_start", return_transition="send_back",
        ))
