from django.urls import reverse

from workflow.worklist import Panel, WorkItem, provider


@provider
def annual_report_due(user):
    """In the month the annual work report falls due (SX 第四十条: 12月底前; the month and day
    come from the rule profile's screening.aggregation), the coordinator is reminded on the
    home page, with a link to the report of that year."""
    from django.utils import timezone

    from . import annual

    if not annual.may_write_text(user):
        return None
    duty = annual.annual_report_due(user.department, timezone.localdate())
    if duty is None:
        return None
    return Panel(
        title="年度工作情况报告",
        items=[WorkItem(title=duty.sentence(),
                        url=f"{reverse('oversight:annual_report')}?year={duty.year}",
                        detail=duty.explanation(), badge="待报送", badge_style="warning")],
        more_url=reverse("oversight:reports"),
        order=12,
    )
