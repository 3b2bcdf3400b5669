"""The clue's 初步核查 period: 30 days from discovery in SX (SX 第九条), from receiving a referral
in NT (NT 三(二)); none where the profile sets none (CQ, NAT)."""

from rules.errors import RuleNotDefined
from workflow import deadlines as engine
from workflow.models import Deadline, DeadlineKind

from .models import Clue

ACTIVE = (Deadline.Status.OPEN, Deadline.Status.OVERDUE)
DONE_STATES = (Clue.State.CASE_OPENED, Clue.State.NOT_STARTED, Clue.State.REFERRED,
               Clue.State.EXCLUDED)


def verification_start(clue: Clue):
    """(date, event label) the period runs from, or None when the profile sets no period."""
    try:
        rule = clue.rule_profile.rule("verification.period", on=clue.found_on)
    except RuleNotDefined:
        return None
    event = rule.value.get("start_event")
    referred = clue.channel.is_procuratorate_referral or clue.channel.is_department_referral
    # A clue received from another department gets a new clock on receipt (DOMAIN §3.1).
    if clue.channel.is_department_referral or (event == "referral_received" and referred):
        return clue.registered_on, "收到移送线索"
    if event == "discovered":
        return clue.found_on, "发现线索"
    return None


def plan_verification(clue: Clue, *, by, cal=None) -> Deadline | None:
    """The verification deadline of a new clue, computed and not saved (None: no period)."""
    start = verification_start(clue)
    if start is None:
        return None
    day, event = start
    return engine.plan_deadline(
        clue, DeadlineKind.VERIFICATION, profile=clue.rule_profile, start_date=day,
        start_event=event, responsible=by, department=clue.department,
        title=f"线索 {clue.number} 初步核查", cal=cal)


def open_verification(clue: Clue, *, by) -> Deadline | None:
    start = verification_start(clue)
    if start is None:
        return None
    day, event = start
    return engine.open_deadline(
        clue, DeadlineKind.VERIFICATION, profile=clue.rule_profile, start_date=day,
        start_event=event, responsible=by, department=clue.department,
        title=f"线索 {clue.number} 初步核查", by=by)


def open_verifications(clues: list[Clue], *, by) -> list[Deadline]:
    """open_verification of many new clues at once (a bulk import): one calendar read, two
    INSERTs."""
    from rules.calendar import WorkCalendar

    cal = WorkCalendar()
    planned = [d for d in (plan_verification(c, by=by, cal=cal) for c in clues) if d is not None]
    return engine.open_deadlines(planned, by=by)


def close_verification(clue: Clue, *, by) -> None:
    """The check is done once the clue leaves screening with a decision."""
    for deadline in engine.deadlines_of(clue).filter(kind=DeadlineKind.VERIFICATION,
                                                     status__in=ACTIVE):
        engine.mark_met(deadline, by=by, note=f"线索{clue.get_state_display()}")
