"""The home page's "我的期限": the user's open deadlines due within 7 days, and overdue ones."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from .models import Deadline
from .worklist import Panel, WorkItem, provider

SOON_DAYS = 7


@provider
def my_deadlines(user):
    if getattr(user, "department", None) is None:
        return None
    today = timezone.localdate()
    rows = list(
        Deadline.objects.filter(
            responsible=user, status__in=(Deadline.Status.OPEN, Deadline.Status.OVERDUE),
            due__lte=today + timedelta(days=SOON_DAYS), paused_since__isnull=True,
        ).order_by("due", "id")[:8]
    )
    items = []
    for d in rows:
        left = (d.due - today).days
        if d.status == Deadline.Status.OVERDUE or left < 0:
            badge, style = f"逾期{-left}日", "danger"
        elif left == 0:
            badge, style = "今日届满", "warning"
        else:
            badge, style = f"剩{left}日", "warning" if left <= 3 else "secondary"
        items.append(WorkItem(
            title=f"{d.title}：{d.subject_label}", url=d.link,
            detail=f"届满日 {d.due:%Y年%m月%d日}" + ("（待确认）" if not d.confirmed else ""),
            badge=badge, badge_style=style,
        ))
    return Panel(
        title="我的期限",
        items=items,
        more_url=reverse("workflow:deadline_board") + "?mine=on",
        empty_text="7日内没有到期的期限",
        order=20,
    )
