"""The restoration stage's part of the case page's 下一步 (cases/next_steps.py): the restoration
projects' next steps (their transitions, effect assessment included), payments still owed,
spending requests to submit and 申请结案 with what still stands in its way. The 修复与资金
panel's buttons come from the same `case_actions`."""

from __future__ import annotations

from django.urls import reverse

from cases.closing import unperformed
from cases.models import Case
from cases.next_steps import Context, NextStep, provider, transition_steps

from .models import FundObligation, RestorationProject, SpendingRequest

LATER = (Case.Stage.NEGOTIATING, Case.Stage.PERFORMING, Case.Stage.CONFIRMING,
         Case.Stage.LITIGATING, Case.Stage.ENFORCING, Case.Stage.CLOSING_APPROVAL,
         Case.Stage.CLOSED)


def case_actions(case, handle: bool) -> dict:
    """Which of the panel's starts the handler may use now."""
    early = False
    if handle and case.stage == Case.Stage.NEGOTIATING:
        from negotiation.services import current_agreement, current_round

        negotiation = current_round(case)
        early = bool(negotiation and negotiation.early_restoration_allowed
                     and current_agreement(case) is None)
    performing = case.stage == Case.Stage.PERFORMING
    return {
        "open_items": unperformed(case) if performing else [],
        "can_close": handle and performing,
        "can_early": early,
        "can_judgment": handle and performing and case.litigations.filter(
            state="effective").exists(),
    }


@provider
def restoration_steps(ctx: Context) -> list[NextStep]:
    case, user = ctx.case, ctx.user
    if not ctx.can_handle or case.is_read_only or case.stage not in LATER:
        return []
    steps = []
    for project in case.restoration_projects.exclude(state__in=RestorationProject.DONE):
        steps += transition_steps(project, user, url=project.get_absolute_url(),
                                  where=f"修复项目{project.sequence}：{project.item}")
    if user.has_perm("cases.handle_case"):
        for obligation in case.fund_obligations.filter(
                status=FundObligation.Status.OPEN).select_related("obligor__party"):
            steps.append(NextStep("登记缴款", reverse("restoration:payment_create",
                                                    args=[obligation.pk]),
                                  where=str(obligation)))
    for spending in SpendingRequest.objects.filter(
            case=case, state__in=[SpendingRequest.State.DRAFT, SpendingRequest.State.RETURNED]):
        steps += transition_steps(spending, user, where=str(spending),
                                  url=reverse("restoration:spending_detail", args=[spending.pk]))
    flags = case_actions(case, True)
    if flags["can_early"]:
        steps.append(NextStep("先行修复", reverse("restoration:project_create", args=[case.pk])
                              + "?origin=early", style="outline-secondary"))
    if flags["can_judgment"]:
        steps.append(NextStep("判决确定的修复项目", reverse("restoration:project_create",
                                                          args=[case.pk]) + "?origin=judgment",
                              style="outline-secondary"))
    if flags["can_close"]:
        steps.append(NextStep("申请结案", reverse("restoration:case_closing", args=[case.pk]),
                              unmet=flags["open_items"], style="success"))
    return steps
