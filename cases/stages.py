"""What follows a stage change, in the transition's transaction (Case.after_transition): the
investigation record opens with the investigation, and the case's periods are engine
deadlines — the investigation (CQ 五: 30 days, appraisal time excluded) and the investigation
conclusion (SX 第十七条: 30 days after the investigation ends) — opened, paused, resumed or
met as the stage moves."""

from collections.abc import Callable

from django.utils import timezone

from rules.errors import RuleError
from workflow import deadlines as engine
from workflow.models import Deadline, DeadlineKind

ACTIVE = (Deadline.Status.OPEN, Deadline.Status.OVERDUE)


def _active(case, kind):
    return engine.deadlines_of(case).filter(kind=kind, status__in=ACTIVE)


def _open(case, kind, *, start, event, by):
    try:
        case.rule_profile.rule(engine.KIND_RULES[kind], on=start)
    except RuleError:
        return None  # the profile sets no fixed period (NAT 四: 合理期限)
    try:
        return engine.open_deadline(
            case, kind, profile=case.rule_profile, start_date=start, start_event=event,
            responsible=case.created_by, department=case.department, by=by,
            title=f"案件 {case.number} {DeadlineKind(kind).label}")
    except engine.DeadlineError:
        return None


def effective_on(case):
    """The day the stage change happened in fact (`Case.stage_effective_on`, set by the
    transition from the date the user recorded, e.g. the appraisal's entrustment date), else
    today."""
    return getattr(case, "stage_effective_on", None) or timezone.localdate()


StageFollower = Callable[..., None]
_followers: list[StageFollower] = []


def stage_follower(func: StageFollower) -> StageFollower:
    """Register `func(case, name, *, by)` to run after every case transition, in its
    transaction: a later stage's app reacts to the case without cases importing it (e.g. the
    negotiation app opens the first round when the case starts negotiating)."""
    if func not in _followers:
        _followers.append(func)
    return func


def follow_stage(case, name: str, *, by) -> None:
    _follow_own(case, name, by=by)
    for follower in _followers:
        follower(case, name, by=by)


def _follow_own(case, name: str, *, by) -> None:
    Stage = type(case).Stage
    if name == "approve_initiation":
        from .models import Investigation

        Investigation.objects.get_or_create(case=case)
        _open(case, DeadlineKind.INVESTIGATION, start=case.investigation_started_on,
              event="启动调查", by=by)
    elif case.stage == Stage.APPRAISING:
        # CQ 五: from the entrustment date as recorded, not the day it is entered.
        on = effective_on(case)
        for deadline in _active(case, DeadlineKind.INVESTIGATION).filter(
                paused_since__isnull=True, due__gte=on):
            # An investigation already past its due date on that day stays overdue.
            engine.pause(deadline, reason="鉴定评估期间不计入调查期限（CQ 五；NAT 四）", on=on,
                         by=by)
    elif name == "finish_appraisal":
        on = effective_on(case)  # the completion date as recorded
        for deadline in _active(case, DeadlineKind.INVESTIGATION).filter(
                paused_since__isnull=False):
            engine.resume(deadline, on=max(on, deadline.paused_since), by=by,
                          reason="鉴定评估结束")
    elif name == "conclude_investigation":
        for deadline in _active(case, DeadlineKind.INVESTIGATION):
            engine.mark_met(deadline, by=by, note="调查结束")
        _open(case, DeadlineKind.INVESTIGATION_CONCLUSION, start=case.investigation_ended_on,
              event="调查结束", by=by)
    elif case.stage == Stage.TERMINATED:
        from .ledger import stop_dispatch

        stop_dispatch(case, by=by, reason="索赔终止")
    elif case.stage in (Stage.NEGOTIATING, Stage.TERMINATION_APPROVAL):
        for deadline in _active(case, DeadlineKind.INVESTIGATION_CONCLUSION):
            engine.mark_met(deadline, by=by, note="形成调查结论")
