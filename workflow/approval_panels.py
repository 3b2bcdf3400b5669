from django.urls import reverse

from accounts.roles import Role, has_role

from .approvals import inbox, upcoming
from .worklist import Panel, WorkItem, provider


@provider
def awaiting_my_approval(user):
    steps = list(inbox(user)[:8])
    if not steps and not has_role(user, Role.DIVISION_HEAD, Role.DEPARTMENT_HEAD):
        return None
    items = [WorkItem(title=f"{s.request.title}：{s.request.subject}",
                      url=reverse("workflow:approval_decide", args=[s.pk]),
                      detail=f"{s.request.requested_by} 于 {s.request.requested_at:%Y年%m月%d日} 申请",
                      badge=s.get_role_display(), badge_style="warning") for s in steps]
    coming = upcoming(user).count()
    if coming:
        # issue 17: what is still with the step below (the 部门负责人's 即将到达), read-only
        items.append(WorkItem(title=f"即将到达：{coming} 项", url=reverse("workflow:approval_inbox"),
                              detail="前序环节审批中，仅供查阅", badge="即将到达"))
    return Panel(
        title="待我审批",
        items=items,
        more_url=reverse("workflow:approval_inbox"),
        empty_text="没有待审批事项",
        order=10,
    )
