from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "disclosure"
    verbose_name = "信息公开"

    def ready(self):
        from accounts.roles import Role
        from workflow import approvals

        from . import (
            parts,  # noqa: F401  (register the case parts)
            public_figures,
        )

        public_figures.connect()  # an approved annual report refreshes the cached pages

        # SX 第三十八条; NT 三(十二): the department publishes; its 机构负责人 approves.
        approvals.register(approvals.ApprovalAction(
            code="disclosure_publish", title="信息公开发布",
            steps=(Role.DIVISION_HEAD,),
            request_transition="submit", approve_transition="publish",
            return_transition="send_back",
        ))
