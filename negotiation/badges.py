"""磋商期限届满 next to the case's stage, on the case page and in the case list: an open round
whose 90 days ran out (NAT 六; CQ 七(一); SX 第十八条) — recorded by the expiry handler, or read
from the deadline should a scan be late. One query for a whole page of cases."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from cases.badges import Badge, case_badges
from rules.calendar import cn_date
from workflow.models import Deadline, DeadlineKind

from .models import Negotiation
from .models.negotiation import OPEN_STATES


@case_badges
def period_expired(case_ids: list[int]) -> dict[int, list[Badge]]:
    late = Deadline.objects.filter(
        content_type=ContentType.objects.get_for_model(Negotiation), object_id=OuterRef("pk"),
        kind=DeadlineKind.NEGOTIATION_PERIOD,
        status__in=(Deadline.Status.OPEN, Deadline.Status.OVERDUE),
        paused_since__isnull=True, due__lt=timezone.localdate()).order_by("-id")
    rounds = (Negotiation.objects.filter(OPEN_STATES, case_id__in=case_ids)
              .annotate(late_due=Subquery(late.values("due")[:1]))
              .filter(Q(period_expired_on__isnull=False) | Q(late_due__isnull=False))
              .values_list("case_id", "period_expired_on", "late_due", "overrun_approved_on"))
    found: dict[int, list[Badge]] = {}
    for case_id, recorded, late_due, approved in rounds:
        day = cn_date(recorded or late_due)
        if approved:
            badge = Badge("磋商期限届满", title=f"磋商期限已于{day}届满，经机构负责人批准继续磋商",
                          style="text-bg-warning", code="period-expired")
        else:
            badge = Badge("磋商期限届满", title=f"磋商期限已于{day}届满：须经机构负责人批准方可继续磋商，"
                          "否则确认磋商不成并提起诉讼", code="period-expired")
        found.setdefault(case_id, []).append(badge)
    return found
