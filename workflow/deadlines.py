"""Deadlines (期限): open, pause, resume, extend, meet and cancel a period, and the scan that
enforces every open one.

Services lock the deadline row, check its state again and write a DeadlineChange row (who,
when, why, old and new due date) in one transaction. The due date always comes from
rules.periods.compute_due / due_for: a pause adds the paused days counted in the deadline's own
calendar, an approved extension adds its days, and the explanation says so.

Enforcement (healthchecks' sendalerts, in bounded batches):
- `scan_deadlines(now)` reads only the deadlines whose `next_action_on` has come (a partial
  index), locks a batch with SKIP LOCKED, writes one DeadlineAlert per reminder, overdue,
  escalation or expiry (unique per deadline, kind, offset and due date, so two scans never
  both write one), moves `next_action_on` to the next date something happens and commits;
  after the commit it enqueues the delivery of the batch's alerts.
- `process_alerts(ids)` claims unprocessed alerts (SKIP LOCKED, processed_at still empty),
  turns each into notifications or runs the kind's expiry handler, and marks it processed
  in the same transaction.
Both are plain functions; workflow/tasks.py wraps them as thin Celery tasks.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.roles import Role, group_name
from rules import calendar as work_calendar
from rules.calendar import WorkCalendar, cn_date
from rules.errors import RuleError, RuleNotDefined
from rules.keys import START_EVENTS
from rules.models import CalendarYear, RuleProfile
from rules.periods import DueDate, compute_due, due_for
from rules.services import as_date

from .models import Deadline, DeadlineAlert, DeadlineChange, DeadlineKind, DeadlinePause
from .notifications import Draft, notify_many

logger = logging.getLogger(__name__)

Kind = DeadlineKind
Status = Deadline.Status
AlertKind = DeadlineAlert.Kind

# The rule each kind reads from the case's profile when the caller names none. Kinds without
# a rule here take their days from the record that sets them (a notice, an agreement, a court
# order) and pass days= and citation=.
KIND_RULES: dict[str, str] = {
    Kind.VERIFICATION: "verification.period",  # SX 第九条；NT 三(二)
    Kind.INVESTIGATION: "investigation.period",  # CQ 五；NAT 四
    Kind.INVESTIGATION_CONCLUSION: "investigation_conclusion.period",  # SX 第十七条
    Kind.APPRAISAL: "appraisal.period",  # SX 第十四条
    Kind.NEGOTIATION_PERIOD: "negotiation.period",  # NAT 六；CQ 七(一)；SX 第十八条
    Kind.SCREENING_ROUND: "screening.frequency",  # CQ 二；SX 第八条
    Kind.HALF_YEAR_AGGREGATION: "screening.aggregation",  # CQ 二
    Kind.ANNUAL_REPORT: "screening.aggregation",  # SX 第四十条
}


class DeadlineError(Exception):
    """A deadline operation that cannot be done; the message is for the user, in Chinese.
    `field` names the date it concerns ("on", "started_on", "ended_on", "start_date"), if any,
    so that a form can show it next to that field."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


# --- expiry handlers ---------------------------------------------------------------------

ExpiryHandler = Callable[[Deadline], object]
_expiry_handlers: dict[str, ExpiryHandler] = {}


def on_expiry(kind: str) -> Callable[[ExpiryHandler], ExpiryHandler]:
    """Register `handler(deadline)` to run once when a deadline of `kind` passes while still
    open (e.g. the negotiation app locks the negotiation when its 90 days are over). It runs
    inside the transaction that marks its alert processed; if it raises, nothing of it is
    kept and the next scan tries again (ECOCLAIM_ALERT_MAX_ATTEMPTS times)."""
    kind = DeadlineKind(kind)

    def register(handler: ExpiryHandler) -> ExpiryHandler:
        current = _expiry_handlers.get(kind)
        if current is not None and current is not handler:
            raise ImproperlyConfigured(
                f"{kind.label} already has an expiry handler: {current.__module__}."
                f"{current.__qualname__}")
        _expiry_handlers[kind] = handler
        return handler

    return register


def forget_expiry_handler(kind: str) -> None:
    _expiry_handlers.pop(DeadlineKind(kind), None)


def expiry_handler(kind: str) -> ExpiryHandler | None:
    return _expiry_handlers.get(kind)


# --- due dates ---------------------------------------------------------------------------

def _subject_url(subject) -> str:
    getter = getattr(subject, "get_absolute_url", None)
    return getter() if callable(getter) else ""


def _default_calendar(profile: RuleProfile | None, on: date) -> str:
    # SX 第四十四条: natural days unless 工作日 is said.
    if profile is None:
        return Deadline.Calendar.NATURAL
    try:
        return profile.rule("days.default_calendar", on).value
    except RuleNotDefined:
        return Deadline.Calendar.NATURAL


def cycle_end(value: dict, start: date) -> date | None:
    """The last day of the quarter, half-year or year containing `start` for a recurring duty
    (screening.frequency, screening.aggregation); a fixed "due" month-day wins for a year."""
    period = value.get("period")
    if period == "quarter":
        month = ((start.month - 1) // 3 + 1) * 3
    elif period == "half_year":
        month = 6 if start.month <= 6 else 12
    elif period == "year":
        month_day = value.get("due", "12-31")
        m, d = (int(part) for part in month_day.split("-"))
        return date(start.year, m, d)
    else:
        return None  # NAT 二 定期: no cycle fixed
    first_of_next = date(start.year + (month == 12), month % 12 + 1, 1)
    return first_of_next - timedelta(days=1)


def _is_period_rule(value) -> bool:
    return isinstance(value, dict) and "days" in value and "calendar" in value


def _paused_units(start: date, end: date, calendar: str, cal: WorkCalendar | None = None) -> int:
    """Days of [start, end) that the period does not count: all of them for natural days, the
    working days among them for a period in working days."""
    if calendar == Deadline.Calendar.NATURAL:
        return (end - start).days
    cal = cal or WorkCalendar()
    return sum(1 for i in range((end - start).days)
               if cal.day_info(start + timedelta(days=i)).is_workday)


def _unit(calendar: str) -> str:
    return "日" if calendar == Deadline.Calendar.NATURAL else "个工作日"


def compute_deadline_due(deadline: Deadline) -> DueDate:
    """The deadline's due date from rules.periods with its ended pauses and extensions added,
    and the explanation saying so."""
    total = deadline.days + deadline.extension_days + deadline.paused_days
    result = compute_due(
        deadline.start_date, days=total, calendar=deadline.calendar, label=deadline.title,
        citation=deadline.citation, start_event_label=deadline.start_event,
    )
    if total == deadline.days:
        return result
    unit = _unit(deadline.calendar)
    parts = []
    if deadline.paused_days:
        pauses = "；".join(
            f"{p.reason}，{cn_date(p.started_on)}至{cn_date(p.ended_on - timedelta(days=1))}"
            for p in deadline.pauses.filter(ended_on__isnull=False).order_by("started_on")
            if p.counted_days and p.ended_on > p.started_on
        )
        parts.append(f"中止期间{deadline.paused_days}{unit}不计入（{pauses}）")
    if deadline.extension_days:
        parts.append(f"经批准延长{deadline.extension_days}{unit}")
    adjusted = "，".join(parts)
    written = ("日（自然日）" if deadline.calendar == Deadline.Calendar.NATURAL else "个工作日")
    said = f"次日起算{total}{written}"
    if said in result.explanation:
        explanation = result.explanation.replace(
            said, f"次日起算{deadline.days}{written}，{adjusted}，共计{total}{unit}", 1)
    else:  # rules.periods words its sentence differently now: say it after
        explanation = f"{result.explanation}（其中{adjusted}。）"
    return DueDate(
        due=result.due, confirmed=result.confirmed, explanation=explanation, start=result.start,
        days=total, calendar=result.calendar, last_day=result.last_day, rolled=result.rolled,
        unconfirmed_years=result.unconfirmed_years,
    )


# --- alert policy --------------------------------------------------------------------------

@dataclass(frozen=True)
class Policy:
    """When reminders and escalations fire (settings ECOCLAIM_DEADLINE_*)."""

    reminder_days: tuple[int, ...]  # descending, e.g. (7, 3, 1)
    escalations: tuple[tuple[str, int], ...]  # (alert kind, days after becoming overdue)

    @classmethod
    def current(cls) -> Policy:
        division = settings.ECOCLAIM_DEADLINE_ESCALATE_DIVISION_DAYS
        return cls(
            reminder_days=tuple(sorted(set(settings.ECOCLAIM_DEADLINE_REMINDER_DAYS),
                                       reverse=True)),
            escalations=(
                (AlertKind.ESCALATION_DIVISION, division),
                (AlertKind.ESCALATION_DEPARTMENT,
                 division + settings.ECOCLAIM_DEADLINE_ESCALATE_DEPARTMENT_DAYS),
            ),
        )

    def first_action_on(self, due: date, today: date) -> date:
        first = due - timedelta(days=self.reminder_days[0]) if self.reminder_days \
            else due + timedelta(days=1)
        return max(first, today)

    def plan(self, due: date, today: date, *, has_expiry: bool
             ) -> tuple[list[tuple[str, int]], str | None, date | None]:
        """(alerts to raise as (kind, offset), new status or None, next action date) for a
        deadline due on `due`, seen on `today`. The next date is always after today, so a
        scan never takes the same row twice."""
        days_left = (due - today).days
        if days_left >= 0:
            # Only the closest reminder step reached: a deadline set 2 days before its end gets
            # the 3-day reminder, not the 7-day one as well.
            reached = [d for d in self.reminder_days if days_left <= d]
            alerts = [(AlertKind.REMINDER, min(reached))] if reached else []
            later = [d for d in self.reminder_days if d < days_left]
            next_on = due - timedelta(days=max(later)) if later else due + timedelta(days=1)
            return alerts, None, next_on
        overdue_on = due + timedelta(days=1)  # the first day after the last day
        days_over = (today - overdue_on).days
        alerts = [(AlertKind.OVERDUE, 0)]
        if has_expiry:
            alerts.append((AlertKind.EXPIRY, 0))
        waiting = []
        for kind, after in self.escalations:
            if days_over >= after:
                alerts.append((kind, after))
            else:
                waiting.append(after)
        next_on = overdue_on + timedelta(days=min(waiting)) if waiting else None
        return alerts, Status.OVERDUE, next_on


# --- services ------------------------------------------------------------------------------

def _lock(deadline: Deadline) -> Deadline:
    return Deadline.objects.select_for_update().get(pk=deadline.pk)


def _record(deadline: Deadline, action: str, *, by, reason: str = "", old_due=None,
            new_due=None, explanation: str = "") -> DeadlineChange:
    return DeadlineChange.objects.create(
        deadline=deadline, action=action, by=by if by is not None and by.is_authenticated
        else None, reason=reason, old_due=old_due, new_due=new_due, explanation=explanation,
    )


def plan_deadline(
    subject,
    kind: str,
    *,
    profile: RuleProfile | None,
    rule_key: str | None = None,
    start_date: date | datetime,
    start_event: str = "",
    responsible=None,
    department,
    days: int | None = None,
    calendar: str | None = None,
    citation: str = "",
    title: str = "",
    cal: WorkCalendar | None = None,
) -> Deadline:
    """The new open deadline for `subject`, computed and not saved (open_deadline saves one,
    open_deadlines many at once; `cal` shares the calendar's rows across many).

    rule_key: the profile rule it comes from (None: the kind's rule in KIND_RULES, "" none).
    Without days=, a period rule gives its days and calendar (rules.periods.due_for) and a
    recurring duty (screening.frequency, screening.aggregation) ends with its quarter,
    half-year or year. days= overrides the rule (an agreed period, NAT 四 合理期限) and keeps
    its citation; calendar defaults to the rule's, else days.default_calendar (SX 第四十四条).
    start_event: a rules.keys.START_EVENTS key or a label of its own."""
    kind = DeadlineKind(kind)
    start = as_date(start_date)
    if rule_key is None:
        rule_key = KIND_RULES.get(kind, "")
    rule = None
    if rule_key:
        if profile is None:
            raise DeadlineError(f"“{kind.label}”依据规则“{rule_key}”计算，须指定适用的规则配置版本。")
        try:
            rule = profile.rule(rule_key, start)
        except RuleError as exc:
            raise DeadlineError(str(exc)) from exc
    value = rule.value if rule is not None else None
    start_event_label = START_EVENTS.get(start_event, start_event)
    if not start_event_label and _is_period_rule(value):
        start_event_label = START_EVENTS.get(value.get("start_event", ""), "")
    label = title or (rule.label if _is_period_rule(value) else f"{kind.label}期限")

    try:
        if _is_period_rule(value) and days is None:
            if calendar is not None and calendar != value["calendar"]:
                raise DeadlineError(f"“{label}”按规则以{_calendar_label(value['calendar'])}计算；"
                                    "改用其他计算方式须同时指定日数。")
            due = due_for(profile, rule_key, start, on=start, label=label,
                          start_event_label=start_event_label, cal=cal)
        else:
            if days is None and isinstance(value, dict) and "period" in value:
                ends_on = cycle_end(value, start)
                if ends_on is None:
                    raise DeadlineError(f"{rule.source}的“{rule.label}”未规定周期（{rule.citation}），"
                                        "请指定期限日数。")
                days = (ends_on - start).days
                if days < 1:
                    raise DeadlineError(f"起算日{cn_date(start)}已是本周期的最后一日，请自下一周期起算。")
                calendar = calendar or Deadline.Calendar.NATURAL
            if days is None:
                raise DeadlineError(f"“{label}”没有可适用的规则日数，请指定期限日数。")
            if calendar is None:
                calendar = value["calendar"] if _is_period_rule(value) \
                    else _default_calendar(profile, start)
            due = compute_due(start, days=days, calendar=calendar, label=label,
                              citation=rule.citation if rule is not None else citation,
                              start_event_label=start_event_label, cal=cal)
    except RuleError as exc:
        raise DeadlineError(str(exc)) from exc

    deadline = Deadline(
        content_type=ContentType.objects.get_for_model(subject, for_concrete_model=False),
        object_id=subject.pk,
        subject_label=str(subject)[:200],
        subject_url=_subject_url(subject)[:300],
        kind=kind,
        title=label[:100],
        rule_key=rule_key or "",
        citation=(rule.citation if rule is not None else citation)[:100],
        profile=rule.profile if rule is not None else profile,
        start_event=start_event_label[:50],
        start_date=start,
        calendar=due.calendar,
        days=due.days,
        due=due.due,
        confirmed=due.confirmed,
        explanation=due.explanation,
        responsible=responsible,
        department=department,
        next_action_on=Policy.current().first_action_on(due.due, timezone.localdate()),
    )
    deadline.opened_reason = start_event_label  # the DeadlineChange's reason, not cut to 50
    return deadline


def open_deadline(
    subject,
    kind: str,
    *,
    profile: RuleProfile | None,
    rule_key: str | None = None,
    start_date: date | datetime,
    start_event: str = "",
    responsible=None,
    department,
    days: int | None = None,
    calendar: str | None = None,
    citation: str = "",
    title: str = "",
    by=None,
) -> Deadline:
    """A new open deadline for `subject` (plan_deadline says how it is computed)."""
    deadline = plan_deadline(
        subject, kind, profile=profile, rule_key=rule_key, start_date=start_date,
        start_event=start_event, responsible=responsible, department=department, days=days,
        calendar=calendar, citation=citation, title=title)
    with transaction.atomic():
        deadline.save()
        _record(deadline, DeadlineChange.Action.OPENED, by=by, reason=deadline.opened_reason,
                new_due=deadline.due, explanation=deadline.explanation)
    return deadline


def open_deadlines(deadlines: list[Deadline], *, by=None) -> list[Deadline]:
    """Save many planned deadlines (plan_deadline) at once, each with its DeadlineChange
    “opened”, as open_deadline would one by one: a bulk import."""
    if not deadlines:
        return deadlines
    who = by if by is not None and by.is_authenticated else None
    with transaction.atomic():
        Deadline.objects.bulk_create(deadlines)
        DeadlineChange.objects.bulk_create([
            DeadlineChange(deadline=d, action=DeadlineChange.Action.OPENED, by=who,
                           reason=d.opened_reason, new_due=d.due, explanation=d.explanation)
            for d in deadlines])
    return deadlines


def _calendar_label(calendar: str) -> str:
    return dict(Deadline.Calendar.choices).get(calendar, calendar)


def _recompute(deadline: Deadline, action: str, *, by, reason: str, today: date,
               note: str = "") -> Deadline:
    """Due date, confirmation, explanation, status and next action after a change of days.
    `note` opens the change's explanation (what was corrected)."""
    old_due = deadline.due
    result = compute_deadline_due(deadline)
    deadline.due = result.due
    deadline.confirmed = result.confirmed
    deadline.explanation = result.explanation
    if deadline.status == Status.OVERDUE and deadline.due >= today:
        deadline.status = Status.OPEN
        deadline.overdue_at = None
    deadline.next_action_on = (None if deadline.is_paused or not deadline.is_active
                               else Policy.current().first_action_on(deadline.due, today))
    deadline.save()
    _record(deadline, action, by=by, reason=reason, old_due=old_due, new_due=deadline.due,
            explanation=note + deadline.explanation)
    return deadline


def _effective(on, today: date, label: str) -> date:
    """The day a pause or resumption takes effect: the date of the fact as recorded (CQ 五: the
    appraisal's entrustment or completion), today by default; never a day still to come."""
    day = as_date(on) if on is not None else today
    if day > today:
        raise DeadlineError(f"{label}{cn_date(day)}不能晚于今天。", field="on")
    return day


def pause(deadline: Deadline, *, reason: str, on: date | None = None, by=None) -> Deadline:
    """Stop the period from `on`, the day the fact happened (e.g. CQ 五: the investigation from
    the appraisal's entrustment date), not the day it is entered; default today. `on` may not
    be in the future, before the start date, after the due date, or inside an earlier pause.
    A deadline marked overdue meanwhile whose pause began by its due date is open again."""
    if not (reason or "").strip():
        raise DeadlineError("请填写中止事由。")
    today = timezone.localdate()
    on = _effective(on, today, "中止起始日")
    with transaction.atomic():
        locked = _lock(deadline)
        if not locked.is_active:
            raise DeadlineError(f"期限状态为“{locked.get_status_display()}”，不能中止。")
        if locked.is_paused:
            raise DeadlineError(f"期限自{cn_date(locked.paused_since)}起已中止。")
        # On the start day itself nothing has been counted yet (counting starts the next
        # day, 民法典 第二百零一条): pausing then shifts the whole period.
        if on < locked.start_date or on > locked.due:
            raise DeadlineError(
                f"中止日须在起算日{cn_date(locked.start_date)}当日或之后、届满日"
                f"{cn_date(locked.due)}之前（含届满日）。", field="on")
        last = locked.pauses.filter(ended_on__gt=on).order_by("-ended_on").first()
        if last is not None:
            raise DeadlineError(f"中止起始日不得早于上一次中止后恢复计算之日{cn_date(last.ended_on)}。",
                                field="on")
        DeadlinePause.objects.create(deadline=locked, started_on=on, reason=reason.strip(),
                                     started_by=by)
        locked.paused_since = on
        locked.next_action_on = None
        if locked.status == Status.OVERDUE:  # it stopped running on or before its last day
            locked.status = Status.OPEN
            locked.overdue_at = None
        locked.save(update_fields=["paused_since", "next_action_on", "status", "overdue_at"])
        _record(locked, DeadlineChange.Action.PAUSED, by=by, reason=reason.strip(),
                old_due=locked.due,
                explanation=f"自{cn_date(on)}起中止计算（{reason.strip()}），"
                            "届满日待恢复计算后重新确定。")
    return locked


def resume(deadline: Deadline, *, on: date | None = None, by=None, reason: str = "") -> Deadline:
    """Count again from `on`, the day the fact happened (e.g. the appraisal's completion date
    as recorded), default today; not in the future nor before the pause began. The days of
    the pause are added in the deadline's calendar."""
    today = timezone.localdate()
    on = _effective(on, today, "恢复计算日")
    with transaction.atomic():
        locked = _lock(deadline)
        if not locked.is_paused:
            raise DeadlineError("期限未处于中止状态。")
        if on < locked.paused_since:
            raise DeadlineError(f"恢复计算日不得早于中止起始日{cn_date(locked.paused_since)}。",
                                field="on")
        current = locked.pauses.get(ended_on__isnull=True)
        counted = _paused_units(current.started_on, on, locked.calendar)
        current.ended_on = on
        current.counted_days = counted
        current.ended_by = by
        current.save(update_fields=["ended_on", "counted_days", "ended_by"])
        locked.paused_days += counted
        locked.paused_since = None
        return _recompute(locked, DeadlineChange.Action.RESUMED, by=by,
                          reason=reason or f"{current.reason}结束", today=today)


_KEEP = object()


def _span(start: date, end: date | None) -> str:
    return f"{cn_date(start)}起中止" if end is None else \
        f"{cn_date(start)}中止、{cn_date(end)}恢复计算"


def correct_pause(deadline: Deadline, pause: DeadlinePause | int, *, reason: str,
                  started_on: date | None = None, ended_on=_KEEP, by=None) -> Deadline:
    """Correct a pause's dates to the facts as now recorded (e.g. the appraisal's entrustment
    or completion date was entered wrongly, CQ 五). The pause's days and the due date are
    recomputed and the change written to the deadline's history (old and new due date, the
    dates named). A pause stays open or ended as it was; its dates may not be in the future,
    before the start date, overlap another pause, or begin after the period had run out."""
    if not (reason or "").strip():
        raise DeadlineError("请填写更正理由。")
    today = timezone.localdate()
    with transaction.atomic():
        locked = _lock(deadline)
        if locked.status == Status.CANCELLED:
            raise DeadlineError("期限已撤销，不能更正中止期间。")
        pauses = list(locked.pauses.select_for_update().order_by("started_on", "id"))
        pk = getattr(pause, "pk", pause)
        current = next((p for p in pauses if p.pk == pk), None)
        if current is None:
            raise DeadlineError("该中止期间不属于此期限。")
        old_start, old_end = current.started_on, current.ended_on
        start = as_date(started_on) if started_on is not None else old_start
        end = old_end if ended_on is _KEEP or old_end is None else as_date(ended_on)
        if old_end is None and ended_on not in (_KEEP, None):
            raise DeadlineError("中止尚未结束，恢复计算请登记恢复日期。", field="ended_on")
        if (start, end) == (old_start, old_end):
            return locked
        if start > today:
            raise DeadlineError(f"中止起始日{cn_date(start)}不能晚于今天。", field="started_on")
        if start < locked.start_date:
            raise DeadlineError(f"中止起始日不能早于期限起算日{cn_date(locked.start_date)}。",
                                field="started_on")
        if end is not None and end > today:
            raise DeadlineError(f"恢复计算日{cn_date(end)}不能晚于今天。", field="ended_on")
        if end is not None and end < start:
            raise DeadlineError(f"恢复计算日不得早于中止起始日{cn_date(start)}。", field="ended_on")
        earlier = [p for p in pauses if p.pk != pk and p.started_on <= old_start]
        later = [p for p in pauses if p.pk != pk and p.started_on > old_start]
        for p in earlier:
            if p.ended_on is None or p.ended_on > start:
                raise DeadlineError(f"中止起始日不得早于上一次中止后恢复计算之日"
                                    f"{cn_date(p.ended_on or p.started_on)}。", field="started_on")
        for p in later:
            if end is None or end > p.started_on:
                raise DeadlineError(f"恢复计算日不得晚于下一次中止的起始日{cn_date(p.started_on)}。",
                                    field="ended_on")
        before = locked.days + locked.extension_days + sum(p.counted_days or 0 for p in earlier)
        ran_out = compute_due(locked.start_date, days=before, calendar=locked.calendar).due
        if start > ran_out:
            raise DeadlineError(f"中止起始日{cn_date(start)}晚于期限届满日{cn_date(ran_out)}，"
                                "期限已届满，不能中止。", field="started_on")
        current.started_on, current.ended_on = start, end
        current.counted_days = None if end is None else \
            _paused_units(start, end, locked.calendar)
        current.save(update_fields=["started_on", "ended_on", "counted_days"])
        locked.paused_days = sum(p.counted_days or 0 for p in pauses if p.ended_on is not None)
        note = f"中止期间由“{_span(old_start, old_end)}”更正为“{_span(start, end)}”。"
        if end is None:  # still paused: the due date is set when counting resumes
            locked.paused_since = start
            locked.save(update_fields=["paused_since", "paused_days"])
            _record(locked, DeadlineChange.Action.RECOMPUTED, by=by, reason=reason.strip(),
                    old_due=locked.due, new_due=locked.due,
                    explanation=note + "届满日待恢复计算后重新确定。")
            return locked
        return _recompute(locked, DeadlineChange.Action.RECOMPUTED, by=by,
                          reason=reason.strip(), today=today, note=note)


def correct_start(deadline: Deadline, *, start_date: date, reason: str, by=None) -> Deadline:
    """Correct the start date to the fact as now recorded (e.g. SX 第十四条: the appraisal
    period runs from the entrustment date, which was entered wrongly); the due date is
    recomputed from it and the change written to the history."""
    if not (reason or "").strip():
        raise DeadlineError("请填写更正理由。")
    today = timezone.localdate()
    start = as_date(start_date)
    with transaction.atomic():
        locked = _lock(deadline)
        if locked.status == Status.CANCELLED:
            raise DeadlineError("期限已撤销，不能更正起算日。")
        if start == locked.start_date:
            return locked
        if start > today:
            raise DeadlineError(f"起算日{cn_date(start)}不能晚于今天。", field="start_date")
        first = locked.pauses.order_by("started_on").first()
        if first is not None and start > first.started_on:
            raise DeadlineError(f"起算日不能晚于中止起始日{cn_date(first.started_on)}。",
                                field="start_date")
        old = locked.start_date
        locked.start_date = start
        return _recompute(locked, DeadlineChange.Action.RECOMPUTED, by=by, reason=reason.strip(),
                          today=today, note=f"起算日由{cn_date(old)}更正为{cn_date(start)}。")


def correct_met(deadline: Deadline, *, at: datetime, reason: str, by=None) -> Deadline:
    """Correct the day a met deadline was met (the completion date was entered wrongly)."""
    with transaction.atomic():
        locked = _lock(deadline)
        if locked.status != Status.MET or locked.met_at == at:
            return locked
        old = locked.met_at
        locked.met_at = at
        locked.save(update_fields=["met_at"])
        late = as_date(at) > locked.due
        _record(locked, DeadlineChange.Action.MET, by=by, reason=reason.strip(),
                old_due=locked.due, new_due=locked.due,
                explanation=f"办结日期由{cn_date(as_date(old))}更正为{cn_date(as_date(at))}"
                            + ("，晚于届满日" if late else "") + "。")
    return locked


def extend(deadline: Deadline, *, approved_by, reason: str, days: int | None = None) -> Deadline:
    """An approved extension. Without days=, up to the rule's limit (SX 第十四条: 复杂的不超过
    60个工作日, the client told of the extension)."""
    if approved_by is None:
        raise DeadlineError("延长期限须经批准，请指定批准人。")
    if not (reason or "").strip():
        raise DeadlineError("请填写延长理由。")
    today = timezone.localdate()
    with transaction.atomic():
        locked = _lock(deadline)
        if not locked.is_active:
            raise DeadlineError(f"期限状态为“{locked.get_status_display()}”，不能延长。")
        if days is None:
            limit = None
            if locked.rule_key and locked.profile_id:
                try:
                    limit = locked.profile.rule(locked.rule_key, locked.start_date).value.get(
                        "max_days")
                except (RuleError, AttributeError):
                    limit = None
            if limit is None:
                raise DeadlineError(f"“{locked.title}”的规则未规定延长上限，请指定延长日数。")
            days = limit - locked.days - locked.extension_days
            if days < 1:
                raise DeadlineError(f"“{locked.title}”已延长至规则上限{limit}{_unit(locked.calendar)}。")
        if isinstance(days, bool) or not isinstance(days, int) or days < 1:
            raise DeadlineError(f"延长日数应为正整数，收到 {days!r}。")
        locked.extension_days += days
        return _recompute(locked, DeadlineChange.Action.EXTENDED, by=approved_by,
                          reason=reason.strip(), today=today)


def _close_pause(locked: Deadline, on: date, by) -> None:
    if locked.is_paused:
        current = locked.pauses.get(ended_on__isnull=True)
        current.ended_on = max(on, current.started_on)
        current.counted_days = _paused_units(current.started_on, current.ended_on, locked.calendar)
        current.ended_by = by
        current.save(update_fields=["ended_on", "counted_days", "ended_by"])
        locked.paused_since = None


def mark_met(deadline: Deadline, *, by=None, at: datetime | None = None, note: str = "") -> Deadline:
    """The duty was done (report filed, agreement signed …). Met twice is met once."""
    at = at or timezone.now()
    with transaction.atomic():
        locked = _lock(deadline)
        if locked.status == Status.MET:
            return locked
        if locked.status == Status.CANCELLED:
            raise DeadlineError("期限已撤销，不能办结。")
        _close_pause(locked, as_date(at), by)
        locked.status = Status.MET
        locked.met_at = at
        locked.next_action_on = None
        locked.save()
        late = as_date(at) > locked.due
        _record(locked, DeadlineChange.Action.MET, by=by, reason=note, old_due=locked.due,
                new_due=locked.due,
                explanation=f"于{cn_date(as_date(at))}办结" + ("，晚于届满日" if late else "") + "。")
    return locked


def cancel(deadline: Deadline, *, by, reason: str) -> Deadline:
    """The period no longer applies (the clue was referred, the case terminated …)."""
    if not (reason or "").strip():
        raise DeadlineError("请填写撤销理由。")
    with transaction.atomic():
        locked = _lock(deadline)
        if not locked.is_active:
            raise DeadlineError(f"期限状态为“{locked.get_status_display()}”，不能撤销。")
        _close_pause(locked, timezone.localdate(), by)
        locked.status = Status.CANCELLED
        locked.next_action_on = None
        locked.save()
        _record(locked, DeadlineChange.Action.CANCELLED, by=by, reason=reason.strip(),
                old_due=locked.due)
    return locked


def deadlines_of(subject):
    """The subject's deadlines, earliest due first (for templates/workflow/_deadlines.html)."""
    return (Deadline.objects.of(subject).select_related("responsible", "department")
            .order_by("due", "id"))


def refresh_unconfirmed(*, now: datetime | None = None, batch_size: int | None = None) -> int:
    """Recompute open deadlines whose due date was a weekend-only guess, for the years whose
    holiday schedule is now known (an administrator entered it, or a newer chinese-calendar).
    Bounded: one batch of rows per call."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    size = batch_size or settings.ECOCLAIM_DEADLINE_SCAN_BATCH
    first, last = work_calendar.package_years()
    known = set(range(first, last + 1)) | set(CalendarYear.objects.values_list("year", flat=True))
    changed = 0
    with transaction.atomic():
        rows = list(Deadline.objects.select_for_update(skip_locked=True)
                    .filter(confirmed=False, status__in=(Status.OPEN, Status.OVERDUE),
                            due__year__in=sorted(known))
                    .order_by("id")[:size])
        for deadline in rows:
            result = compute_deadline_due(deadline)
            if (result.due, result.confirmed) != (deadline.due, deadline.confirmed):
                _recompute(deadline, DeadlineChange.Action.RECOMPUTED, by=None,
                           reason="节假日安排已录入，重新计算届满日", today=today)
                changed += 1
    return changed


# --- the scan ------------------------------------------------------------------------------

@dataclass
class ScanResult:
    deadlines: int = 0
    alerts: list[int] = field(default_factory=list)
    batches: int = 0
    requeued: int = 0


def scan_deadlines(now: datetime | None = None, batch_size: int | None = None) -> ScanResult:
    """Raise the alerts that have come due, in batches of `batch_size` locked rows, each batch
    its own transaction; then re-enqueue alerts whose delivery was lost. Safe to run twice at
    once, or again after being killed: a row is either untouched or done, never half done."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    size = batch_size or settings.ECOCLAIM_DEADLINE_SCAN_BATCH
    policy = Policy.current()
    result = ScanResult()
    while True:
        with transaction.atomic():
            batch = list(
                Deadline.objects.select_for_update(skip_locked=True)
                .filter(next_action_on__lte=today)
                .order_by("next_action_on", "id")
                .values_list("id", "due", "kind")[:size]
            )
            if not batch:
                break
            alerts: list[DeadlineAlert] = []
            moves: dict[tuple[str | None, date | None], list[int]] = defaultdict(list)
            for pk, due, kind in batch:
                planned, status, next_on = policy.plan(
                    due, today, has_expiry=kind in _expiry_handlers)
                alerts.extend(
                    DeadlineAlert(deadline_id=pk, kind=alert_kind, offset=offset, due=due,
                                  days_left=(due - today).days, created_at=now)
                    for alert_kind, offset in planned)
                moves[(status, next_on)].append(pk)
            # The unique key (deadline, kind, offset, due) is what makes an alert happen once:
            # a row raised by an earlier, concurrent or retried scan is simply not inserted.
            DeadlineAlert.objects.bulk_create(alerts, ignore_conflicts=True)
            for (status, next_on), ids in moves.items():
                changes = {"next_action_on": next_on}
                if status == Status.OVERDUE:
                    changes.update(status=Status.OVERDUE,
                                   overdue_at=Coalesce(F("overdue_at"), Value(now)))
                Deadline.objects.filter(pk__in=ids).update(**changes)
            ids = [pk for pk, _due, _kind in batch]
            pending = list(DeadlineAlert.objects.filter(
                deadline_id__in=ids, processed_at__isnull=True).values_list("pk", flat=True))
            if pending:
                transaction.on_commit(partial(_enqueue_alerts, pending))
            result.deadlines += len(batch)
            result.alerts.extend(pending)
            result.batches += 1
        if len(batch) < size:
            break
    result.requeued = _requeue_lost_alerts(now, size)
    return result


def _requeue_lost_alerts(now: datetime, size: int) -> int:
    cutoff = now - timedelta(seconds=settings.ECOCLAIM_ALERT_RETRY_AFTER_SECONDS)
    stale = list(DeadlineAlert.objects.filter(
        processed_at__isnull=True, created_at__lt=cutoff,
        attempts__lt=settings.ECOCLAIM_ALERT_MAX_ATTEMPTS,
    ).order_by("created_at", "id").values_list("pk", flat=True)[:size])
    if stale:
        _enqueue_alerts(stale)
    return len(stale)


def _enqueue_alerts(alert_ids: list[int]) -> None:
    """Never raises: a lost send is re-enqueued by a later scan (_requeue_lost_alerts)."""
    from .jobs import send_task
    from .tasks import process_deadline_alerts_task

    send_task(process_deadline_alerts_task, alert_ids)


# --- delivery ------------------------------------------------------------------------------

def _heads(department_ids: Iterable[int]) -> dict[tuple[int, str], list[int]]:
    """{(department id, group name): [user ids]} of the division and department heads."""
    found: dict[tuple[int, str], list[int]] = defaultdict(list)
    if not department_ids:
        return found
    from django.contrib.auth import get_user_model

    rows = get_user_model().objects.filter(
        department_id__in=set(department_ids), is_active=True,
        groups__name__in=[group_name(Role.DIVISION_HEAD), group_name(Role.DEPARTMENT_HEAD)],
    ).order_by("pk").values_list("pk", "department_id", "groups__name")
    for pk, department_id, group in rows:
        found[(department_id, group)].append(pk)
    return found


def _message(alert: DeadlineAlert, deadline: Deadline) -> tuple[str, str]:
    due = cn_date(alert.due)
    pending = "" if deadline.confirmed else "（届满日待确认：所涉年度节假日安排尚未录入）"
    # a title that names its record already ("线索 … 初步核查") is not followed by it again
    named = deadline.subject_label in deadline.title
    what = deadline.title if named else f"{deadline.subject_label}的{deadline.title}"
    about = "" if named else f"（{deadline.subject_label}）"
    if alert.kind == AlertKind.REMINDER:
        left = "今日届满" if alert.days_left == 0 else f"还有{alert.days_left}日届满"
        return (f"期限提醒：{deadline.title}{left}{about}",
                f"{what}将于{due}届满{pending}，请及时办理。{deadline.explanation}")
    late = -alert.days_left
    if alert.kind == AlertKind.OVERDUE:
        return (f"期限已届满：{deadline.title}{about}",
                f"{what}已于{due}届满，尚未办结{pending}。请尽快办理并登记办理结果。"
                f"{deadline.explanation}")
    who = f"{deadline.department}" + (f"，责任人{deadline.responsible}" if deadline.responsible_id
                                      else "")
    body = (f"{what}（{who}）已于{due}届满，至今逾期{late}日尚未办结{pending}。"
            f"{deadline.explanation}")
    if alert.kind == AlertKind.ESCALATION_DEPARTMENT:
        return (f"逾期督办（报部门负责人）：{deadline.title}{about}",
                body + "已报机构负责人督办，仍未办结。")
    return f"逾期督办：{deadline.title}{about}", body


def _recipients(alert: DeadlineAlert, deadline: Deadline,
                heads: dict[tuple[int, str], list[int]]) -> list[int]:
    division = heads.get((deadline.department_id, group_name(Role.DIVISION_HEAD)), [])
    if alert.kind in (AlertKind.REMINDER, AlertKind.OVERDUE):
        return [deadline.responsible_id] if deadline.responsible_id else division
    if alert.kind == AlertKind.ESCALATION_DIVISION:
        return division
    return heads.get((deadline.department_id, group_name(Role.DEPARTMENT_HEAD)), [])


def process_alerts(alert_ids: Iterable[int] | None = None, *, now: datetime | None = None,
                   batch_size: int | None = None) -> int:
    """Deliver alerts: notifications to their recipients, or the kind's expiry handler. Each
    alert is claimed under a row lock with SKIP LOCKED and processed in the transaction that
    marks it processed, so a repeated or concurrent delivery does nothing twice. Without
    alert_ids, every pending alert (in batches). Returns how many were processed."""
    now = now or timezone.now()
    size = batch_size or settings.ECOCLAIM_DEADLINE_SCAN_BATCH
    todo = None if alert_ids is None else sorted(set(alert_ids))
    processed = 0
    while True:
        if todo is not None:
            chunk, todo = todo[:size], todo[size:]
            if not chunk:
                break
        with transaction.atomic():
            qs = (DeadlineAlert.objects.select_for_update(skip_locked=True, of=("self",))
                  .filter(processed_at__isnull=True,
                          attempts__lt=settings.ECOCLAIM_ALERT_MAX_ATTEMPTS)
                  .select_related("deadline", "deadline__department", "deadline__responsible")
                  .order_by("id"))
            if todo is not None:
                qs = qs.filter(pk__in=chunk)
            batch = list(qs[:size])
            processed += _deliver(batch, now)
        if todo is None and len(batch) < size:
            break
    return processed


NO_RECIPIENT = "无接收人（未指定责任人，或部门未配置负责人）"


def _deliver(batch: list[DeadlineAlert], now: datetime) -> int:
    heads = _heads({a.deadline.department_id for a in batch
                    if a.kind != AlertKind.EXPIRY})
    drafts: list[Draft] = []
    outcomes: dict[str, list[int]] = defaultdict(list)
    for alert in batch:
        deadline = alert.deadline
        if not deadline.is_active or deadline.is_paused or alert.due != deadline.due:
            outcomes["期限已办结、撤销、中止或重新计算，未发送"].append(alert.pk)
            continue
        if alert.kind == AlertKind.EXPIRY:
            handler = _expiry_handlers.get(deadline.kind)
            if handler is None:
                outcomes["无届满处理程序"].append(alert.pk)
                continue
            try:
                with transaction.atomic():
                    handler(deadline)
            except Exception as exc:  # noqa: BLE001 - kept on the alert, retried by the scan
                logger.exception("expiry handler for deadline %s failed", deadline.pk)
                DeadlineAlert.objects.filter(pk=alert.pk).update(
                    attempts=F("attempts") + 1, last_error=repr(exc)[:2000])
                continue
            outcomes["已执行届满处理"].append(alert.pk)
            continue
        recipients = _recipients(alert, deadline, heads)
        if not recipients:
            outcomes[NO_RECIPIENT].append(alert.pk)
            continue
        title, body = _message(alert, deadline)
        drafts.extend(Draft(recipient_id=user_id, verb=f"deadline_{alert.kind}", title=title,
                            body=body, url=deadline.link, dedupe_key=f"deadline-alert:{alert.pk}")
                      for user_id in recipients)
        outcomes[f"已通知{len(recipients)}人"].append(alert.pk)
    notify_many(drafts, now=now)
    if outcomes.get(NO_RECIPIENT):
        logger.warning("%d deadline alerts had nobody to tell (no responsible officer, or no "
                       "division or department head in the department), e.g. alert %s",
                       len(outcomes[NO_RECIPIENT]), outcomes[NO_RECIPIENT][0])
    for outcome, ids in outcomes.items():
        DeadlineAlert.objects.filter(pk__in=ids).update(processed_at=now, outcome=outcome)
    return sum(len(ids) for ids in outcomes.values())
