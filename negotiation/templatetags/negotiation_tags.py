"""The case page's 磋商与司法 panel (templates/negotiation/_case_panel.html), without touching
cases/views.py, and small display helpers of the negotiation pages."""

from django import template

from cases.models import Case
from negotiation import services
from negotiation.models import (
    PUNITIVE_FACTORS,
    Agreement,
    Enforcement,
    JudicialConfirmation,
    PerformanceReport,
)
from negotiation.views_common import REPORT_STAGES

register = template.Library()

# Bootstrap badge classes of the states that end well or badly; the rest are neutral.
_BADGES = {
    "agreed": "text-bg-success", "signed": "text-bg-success", "confirmed": "text-bg-success",
    "effective": "text-bg-success", "concluded": "text-bg-secondary",
    "failed": "text-bg-danger", "refused": "text-bg-danger",
    "superseded": "text-bg-secondary",
    "meeting_approval": "text-bg-warning", "overrun_approval": "text-bg-warning",
    "draft": "text-bg-warning",
}
_AFTER_CONCLUSION = {Case.Stage.NEGOTIATING, Case.Stage.PERFORMING, Case.Stage.CONFIRMING,
                     Case.Stage.LITIGATING, Case.Stage.ENFORCING, Case.Stage.CLOSING_APPROVAL,
                     Case.Stage.CLOSED}


@register.filter
def state_badge(state: str) -> str:
    return _BADGES.get(state, "text-bg-light border")


@register.filter
def punitive_labels(keys) -> str:
    return "、".join(PUNITIVE_FACTORS.get(k, k) for k in (keys or []))


@register.inclusion_tag("negotiation/_case_panel_body.html", takes_context=True)
def negotiation_case_panel(context, case):
    user = context["request"].user
    if case.stage not in _AFTER_CONCLUSION and not case.negotiations.exists():
        return {"visible": False}
    if not (user.has_perm("negotiation.view_negotiation")
            or user.has_perm("negotiation.view_agreement")):
        return {"visible": False}
    handle = context.get("can_handle")
    if handle is None:
        handle = case.can_be_handled_by(user)
    handle = bool(handle and user.has_perm("cases.handle_case"))
    current = services.current_agreement(case)
    confirmed = services.confirmed_agreement(case)
    judgment = services.effective_judgment(case)
    performing = case.stage == Case.Stage.PERFORMING
    pending_confirmation = current is not None and current.confirmations.exclude(
        state=JudicialConfirmation.State.REFUSED).exists()
    open_enforcement = case.enforcements.exclude(state=Enforcement.State.CONCLUDED).exists()
    # Which starting buttons to offer; the services check again (and explain) when pressed.
    return {
        "visible": True,
        "case": case,
        "can_handle": handle,
        "perms_view_negotiation": user.has_perm("negotiation.view_negotiation"),
        "rounds": case.negotiations.order_by("round_number"),
        "current": current,
        "drafts": case.agreements.filter(state=Agreement.State.DRAFT).order_by("version"),
        "confirmations": case.confirmations.select_related("agreement").order_by("pk"),
        "litigations": case.litigations.order_by("pk"),
        "enforcements": case.enforcements.order_by("pk"),
        "reports": PerformanceReport.objects.filter(case=case).select_related(
            "obligor__party", "file"),
        "can_start_confirmation": (handle and performing and current is not None
                                   and not pending_confirmation),
        "can_sue": (handle and performing and current is not None
                    and confirmed is None and judgment is None),
        "can_enforce": (handle and performing and not open_enforcement
                        and (confirmed is not None or judgment is not None)),
        "can_report": handle and case.stage in REPORT_STAGES,
    }
