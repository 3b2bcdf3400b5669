"""The case page's 磋商与司法 panel (templates/negotiation/_case_panel.html), without touching
cases/views.py, and small display helpers of the negotiation pages."""

from django import template

from cases.models import Case
from negotiation.models import (
    PUNITIVE_FACTORS,
    Agreement,
    PerformanceReport,
)
from negotiation.next_steps import case_actions

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
    flags = case_actions(case, handle)
    return {
        "visible": True,
        "case": case,
        "can_handle": handle,
        "perms_view_negotiation": user.has_perm("negotiation.view_negotiation"),
        "rounds": case.negotiations.order_by("round_number"),
        "current": flags["current"],
        "drafts": case.agreements.filter(state=Agreement.State.DRAFT).order_by("version"),
        "confirmations": case.confirmations.select_related("agreement").order_by("pk"),
        "litigations": case.litigations.order_by("pk"),
        "enforcements": case.enforcements.order_by("pk"),
        "reports": PerformanceReport.objects.filter(case=case).select_related(
            "obligor__party", "file"),
        "can_start_confirmation": flags["can_start_confirmation"],
        "can_sue": flags["can_sue"],
        "can_enforce": flags["can_enforce"],
        "can_report": flags["can_report"],
    }
