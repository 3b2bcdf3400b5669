from django.apps import AppConfig


class NegotiationConfig(AppConfig):
    name = "negotiation"
    verbose_name = "磋商与司法"

    def ready(self):
        from django.db.models.signals import m2m_changed

        from accounts.roles import Role
        from workflow import approvals

        from . import badges, deadlines, parts, services  # noqa: F401  (register hooks)
        from .models import Agreement
        from .models.agreement import refuse_obligor_change_when_signed

        # CQ 七(一); SX 第十八条: more than the limit of meetings with the department head's
        # consent (the division head sees it first).
        approvals.register(approvals.ApprovalAction(
            code="negotiation_more_meetings", title="增加磋商会议次数",
            steps=(Role.DIVISION_HEAD, Role.DEPARTMENT_HEAD),
            request_transition="request_more_meetings",
            approve_transition="approve_more_meetings",
            return_transition="return_more_meetings",
        ))
        # NAT 六; CQ 七(一); SX 第十八条: the 90 days hold "原则上"; past them a round goes on
        # only with the division head's approval, else it is 磋商不成 (CQ 七(三)6; SX 第十九条(六)).
        approvals.register(approvals.ApprovalAction(
            code="negotiation_period_overrun", title="磋商期限届满后继续磋商",
            steps=(Role.DIVISION_HEAD,),
            request_transition="request_overrun",
            approve_transition="approve_overrun",
            return_transition="return_overrun",
        ))
        m2m_changed.connect(refuse_obligor_change_when_signed,
                            sender=Agreement.obligors.through,
                            dispatch_uid="agreement_obligors_locked")
