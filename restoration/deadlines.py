"""What the deadline engine does when a payment or a restoration date passes while still open:
besides the overdue alert and the escalations to the division and department heads, it tells
the officer and the division head which enforcement path the case now leads to (SX 第二十二条:
a confirmed agreement or an effective judgment → 强制执行; an unconfirmed agreement → 诉讼;
NAT 十: 纳入社会信用体系)."""

from rules.calendar import cn_date
from workflow.deadlines import on_expiry
from workflow.formatting import amount as yuan_text
from workflow.models import DeadlineKind
from workflow.notifications import Draft, notify_many

from .models import FundObligation, RestorationProject, ScheduleItem


def _route_sentence(case) -> str:
    from .services import enforcement_route

    if enforcement_route(case) == "enforcement":
        return "协议已经司法确认或判决已生效，可以向人民法院申请强制执行（SX 第二十二条；NAT 十）。"
    return "协议未经司法确认，赔偿义务人不履行或不完全履行的，应当提起诉讼（SX 第二十二条）。"


def _tell(case, recipients: set[int], *, title: str, body: str, url: str, key: str) -> None:
    from .services import _heads_and

    notify_many([Draft(recipient_id=pk, verb="deadline", title=title, body=body, url=url,
                       dedupe_key=key)
                 for pk in _heads_and(case, *recipients)])


@on_expiry(DeadlineKind.PAYMENT)
def payment_overdue(deadline) -> None:
    item = ScheduleItem.objects.select_related(
        "obligation__case__department", "obligation__obligor__party").filter(
        deadline=deadline).first()
    if item is None or item.settled_on or item.obligation.status != FundObligation.Status.OPEN:
        return
    obligation = item.obligation
    case = obligation.case
    _tell(case, {case.created_by_id},
          title=f"赔偿资金逾期未缴：{case.number} {obligation.obligor.party.name}",
          body=f"{deadline.title}（{yuan_text(item.amount)}）已于{cn_date(deadline.due)}届满，尚欠缴"
               f"{yuan_text(obligation.outstanding)}。{_route_sentence(case)}",
          url=obligation.get_absolute_url(), key=f"payment-expiry-{deadline.pk}-{deadline.due}")


@on_expiry(DeadlineKind.RESTORATION)
def restoration_overdue(deadline) -> None:
    project = RestorationProject.objects.select_related("case__department").filter(
        pk=deadline.object_id).first()
    if project is None or project.is_done or deadline.content_type.model != "restorationproject":
        return
    case = project.case
    _tell(case, {project.created_by_id},
          title=f"修复义务逾期未履行：{project}",
          body=f"{deadline.title}已于{cn_date(deadline.due)}届满。赔偿义务人不履行修复义务的，可以依约"
               f"使用保证金组织修复，不足部分继续追偿（NT 三(九)、三(十一)）；{_route_sentence(case)}",
          url=project.get_absolute_url(), key=f"restoration-expiry-{deadline.pk}-{deadline.due}")
