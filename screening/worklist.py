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
