"""What the deadline engine does when a negotiation's periods pass while still open: past the
90 days the round is marked 磋商期限届满 (going on then needs the division head's approval,
Negotiation.overrun_block), and the officer and the division head are told which 磋商不成
situation now applies, so the case goes to litigation without delay (CQ 七(三); SX 第十九条:
避免久磋不决)."""

from accounts.roles import Role, group_name
from rules.calendar import cn_date
from workflow.deadlines import on_expiry
from workflow.models import DeadlineKind
from workflow.notifications import Draft, notify_many

from .models import Negotiation


def _tell(deadline, title: str, body: str) -> None:
    negotiation = Negotiation.objects.select_related("case", "created_by").filter(
        pk=deadline.object_id).first()
    if negotiation is None or not negotiation.is_open:
        return
    recipients = {negotiation.created_by_id}
    recipients.update(negotiation.case.department.users.filter(
        is_active=True, groups__name=group_name(Role.DIVISION_HEAD)).values_list("pk", flat=True))
    notify_many([Draft(recipient_id=pk, verb="deadline", title=title, body=body,
                       url=negotiation.get_absolute_url(),
                       dedupe_key=f"negotiation-expiry-{deadline.pk}-{deadline.due}")
                 for pk in sorted(recipients)])


@on_expiry(DeadlineKind.NEGOTIATION_PERIOD)
def negotiation_period_expired(deadline) -> None:
    negotiation = Negotiation.objects.select_for_update().filter(pk=deadline.object_id).first()
    if negotiation is not None and negotiation.is_open and negotiation.period_expired_on is None:
        negotiation.period_expired_on = deadline.due  # recorded on the round (audited)
        negotiation.save()
    _tell(deadline, f"磋商期限已届满：{deadline.subject_label}",
          f"磋商期限已于{cn_date(deadline.due)}届满，仍未达成赔偿协议，可以视为磋商不成"
          "（CQ 七(三)6；SX 第十九条(六)），应当及时提起诉讼，避免久磋不决。"
          "确需继续磋商的（如即将达成协议），须经机构负责人批准。")


@on_expiry(DeadlineKind.NEGOTIATION_REPLY)
def reply_period_expired(deadline) -> None:
    _tell(deadline, f"赔偿义务人未按期答复：{deadline.subject_label}",
          f"磋商告知书规定的答复期限已于{cn_date(deadline.due)}届满，赔偿义务人未提交答复意见，"
          "可以视为磋商不成（CQ 七(三)1；SX 第十九条(一)）。")
