"""Home panels: the finance department's spending requests to review or pay (NT 三(十一)), and
the officer's restoration projects still to move."""

from django.urls import reverse

from workflow.formatting import amount as yuan_text
from workflow.worklist import Panel, WorkItem, provider

from .models import RestorationProject, SpendingRequest


@provider
def spending_to_review(user):
    if user.department_id is None or not user.has_perm("restoration.review_spending"):
        return None
    waiting = (SpendingRequest.objects.filter(
        reviewing_department_id=user.department_id,
        state__in=[SpendingRequest.State.SUBMITTED, SpendingRequest.State.APPROVED])
        .select_related("case__department").order_by("id")[:8])
    return Panel(
        title="待审核或支付的资金使用申请",
        items=[WorkItem(title=f"{s.case.number} {s.get_purpose_kind_display()} {yuan_text(s.budget)}",
                        url=s.get_absolute_url(), detail=str(s.case.department),
                        badge=s.get_state_display(), badge_style="warning") for s in waiting],
        more_url=reverse("restoration:finance_inbox"),
        empty_text="没有待审核的资金使用申请",
        order=25,
    )


@provider
def projects_to_move(user):
    if not user.has_perm("cases.handle_case") or \
            not user.has_perm("restoration.view_restorationproject"):
        return None
    projects = list(RestorationProject.objects.workable_by(user)
                    .exclude(state__in=RestorationProject.DONE)
                    .select_related("case").order_by("-id")[:8])
    if not projects:
        return None
    return Panel(
        title="修复项目",
        items=[WorkItem(title=f"{p.case.number} 修复项目{p.sequence}：{p.item}",
                        url=p.get_absolute_url(), detail=f"进度 {p.progress}%",
                        badge=p.get_state_display()) for p in projects],
        more_url=reverse("restoration:index"),
        empty_text="没有进行中的修复项目",
        order=40,
    )
