from django.urls import reverse

from workflow.worklist import Panel, WorkItem, provider

from .models import Clue


@provider
def clues_to_handle(user):
    if not user.has_perm("screening.handle_clue"):
        return None
    open_states = (Clue.State.REGISTERED, Clue.State.VERIFYING)
    clues = (Clue.objects.workable_by(user).filter(state__in=open_states)
             .order_by("-registered_on", "-id")[:8])
    return Panel(
        title="待办线索",
        items=[WorkItem(title=f"{c.number} {c.summary[:30]}", url=c.get_absolute_url(),
                        detail=f"登记于 {c.registered_on:%Y年%m月%d日}",
                        badge=c.get_state_display()) for c in clues],
        more_url=reverse("screening:clue_list") + "?state=registered",
        empty_text="没有待办线索",
        order=30,
    )


@provider
def referrals_to_receive(user):
    from .models import Referral

    if user.department_id is None or not user.has_perm("screening.add_clue"):
        return None
    pending = (Referral.objects.filter(to_department_id=user.department_id,
                                       received_on__isnull=True)
               .select_related("clue", "from_department").order_by("sent_on", "id")[:8])
    return Panel(
        title="待接收的移送线索",
        items=[WorkItem(title=f"{r.from_department} 移送：{r.clue.summary[:30]}",
                        url=reverse("screening:referral_detail", args=[r.pk]),
                        detail=f"{r.sent_on:%Y年%m月%d日}移送", badge="待接收",
                        badge_style="warning") for r in pending],
        empty_text="没有待接收的移送线索",
        order=20,
    )


@provider
def procuratorate_feedback_due(user):
    if not user.has_perm("screening.handle_clue"):
        return None
    owing = (Clue.objects.workable_by(user)
             .filter(state=Clue.State.NOT_STARTED, decision=Clue.Decision.NOT_START,
                     channel__is_procuratorate_referral=True, feedbacks__isnull=True)
             .order_by("decided_on", "id")[:8])
    items = [WorkItem(title=f"{c.number} 须向{c.source_organisation or '检察机关'}反馈",
                      url=c.get_absolute_url(), detail="检察机关移送的线索决定不启动（CQ 三；SX 第八条）",
                      badge="待反馈", badge_style="danger") for c in owing]
    if not items:
        return None
    return Panel(title="待向检察机关反馈", items=items, order=15)


@provider
def screening_round_due(user):
    """In the last month of a screening cycle (a quarter under CQ 二 and SX 第八条; the cycle
    comes from the rule profile's screening.frequency), a department that has not screened
    often enough is told so."""
    from django.utils import timezone

    from .rounds import round_missing

    if not user.is_authenticated or user.department_id is None or \
            not user.has_perm("screening.view_screeninground"):
        return None
    duty = round_missing(user.department, timezone.localdate())
    if duty is None:
        return None
    can_add = user.has_perm("screening.add_screeninground")
    return Panel(
        title="线索筛查",
        items=[WorkItem(title=duty.sentence(),
                        url=reverse("screening:round_create" if can_add else "screening:round_list"),
                        detail=duty.explanation(), badge="待开展", badge_style="warning")],
        more_url=reverse("screening:round_list"),
        order=10,
    )
