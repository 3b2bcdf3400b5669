"""Following the case: once it is closed (结案), the periods of its restoration projects and
fund obligations that are still open no longer run (the enforcement path may have ended with
money still owed)."""

from cases.stages import stage_follower
from workflow import deadlines as engine
from workflow.models import Deadline


@stage_follower
def _case_moved(case, name: str, *, by) -> None:
    if name != "approve_closing":
        return
    from cases.parts import deadlines_of_case

    from .parts import restoration_parts

    for deadline in deadlines_of_case(case, restoration_parts(case)).filter(
            status__in=(Deadline.Status.OPEN, Deadline.Status.OVERDUE)).exclude(
            content_type__app_label="cases"):
        engine.cancel(deadline, by=by, reason="案件已结案")
