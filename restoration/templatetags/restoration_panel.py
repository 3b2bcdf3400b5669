"""The case page's 修复与资金 panel (templates/restoration/_case_panel.html), without touching
cases/views.py: the case's restoration projects, the two equations of its fund ledger, and
what still stands between the case and 结案 with the button to request it."""

from django import template

from cases.models import Case
from restoration import ledger
from restoration.models import RestorationProject
from restoration.next_steps import case_actions

register = template.Library()


@register.simple_tag(takes_context=True)
def restoration_panel(context, case) -> dict:
    user = context["request"].user
    can_projects = user.has_perm("restoration.view_restorationproject")
    can_funds = user.has_perm("restoration.view_fundaccount")
    later = case.stage in (Case.Stage.NEGOTIATING, Case.Stage.PERFORMING, Case.Stage.CONFIRMING,
                           Case.Stage.LITIGATING, Case.Stage.ENFORCING,
                           Case.Stage.CLOSING_APPROVAL, Case.Stage.CLOSED)
    if not later or not (can_projects or can_funds):
        return {"visible": False}
    projects = list(case.restoration_projects.exclude(
        state=RestorationProject.State.WITHDRAWN).order_by("sequence")) if can_projects else []
    flags = case_actions(case, case.can_be_handled_by(user))
    return {
        "visible": bool(projects) or can_funds,
        "projects": projects,
        "can_funds": can_funds,
        "totals": ledger.case_totals(case) if can_funds else None,
        **flags,
    }
