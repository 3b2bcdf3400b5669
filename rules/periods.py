"""Period arithmetic (期限计算).

Natural days: counting starts the day after the start event (民法典 第二百零一条); a last day
that is a rest day — statutory holiday, or a weekend that is not a 调休 make-up working day —
moves to the next working day (民法典 第二百零三条). Working days: the Nth working day after
the start event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from rules.calendar import DayInfo, WorkCalendar, cn_date, weekday_cn
from rules.errors import NoFixedPeriod, RuleError
from rules.keys import CALENDARS, START_EVENTS
from rules.models import RuleProfile
from rules.services import as_date


@dataclass(frozen=True)
class DueDate:
    due: date
    confirmed: bool  # False if any day used came from the weekend-only fallback
    explanation: str  # one Chinese sentence: start, rule, citation, days, result
    start: date
    days: int
    calendar: str
    last_day: date  # natural days: the last day before any roll-forward
    rolled: bool
    unconfirmed_years: tuple[int, ...] = ()


def _day(day: date) -> str:
    return f"{cn_date(day)}（{weekday_cn(day)}）"


def _describe_last_day(day: date, info: DayInfo) -> str:
    if info.is_workday:
        if info.name:
            return f"末日{_day(day)}为{info.name}日"
        return f"末日{_day(day)}为工作日"
    if info.name:
        return f"末日{_day(day)}为法定节假日（{info.name}）"
    return f"末日{_day(day)}为休息日"


def _unconfirmed_note(years: tuple[int, ...]) -> str:
    if not years:
        return ""
    listed = "、".join(f"{y}年" for y in years)
    return f"（{listed}节假日安排尚未录入，按周末推算，待确认）"


def compute_due(
    start: date | datetime,
    *,
    days: int,
    calendar: str,
    label: str = "",
    citation: str = "",
    start_event_label: str = "",
    cal: WorkCalendar | None = None,
) -> DueDate:
    """The last day of a period of `days` natural or working days after `start`. `cal`: a
    WorkCalendar to share across many computations (a bulk import), so its rows are read once."""
    start = as_date(start)
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise RuleError(f"期限日数应为正整数，收到 {days!r}。")
    if calendar not in CALENDARS:
        raise RuleError(
            f"期限计算方式“{calendar}”无效，可选：natural（自然日）、working（工作日）。"
        )

    cal = cal or WorkCalendar()
    used: list[tuple[date, DayInfo]] = []
    head = f"{label}自{cn_date(start)}" + (f"（{start_event_label}）" if start_event_label else "")
    basis = f"，依据{citation}" if citation else ""

    if calendar == "natural":
        # 民法典 第二百零一条：开始的当日不计入，自下一日开始计算
        last_day = start + timedelta(days=days)
        due = last_day
        info = cal.day_info(due)
        used.append((due, info))
        described = _describe_last_day(last_day, info)
        while not info.is_workday:  # 民法典 第二百零三条
            due += timedelta(days=1)
            info = cal.day_info(due)
            used.append((due, info))
        rolled = due != last_day
        if rolled:
            described += f"，依民法典第二百零三条顺延至其后第一个工作日{_day(due)}"
        elif info.name:
            described += "，不顺延"
        body = f"{head}次日起算{days}日（自然日）{basis}；{described}"
    else:
        due = start
        counted = 0
        holidays: list[str] = []
        rest_days = 0
        makeup: list[date] = []
        while counted < days:
            due += timedelta(days=1)
            info = cal.day_info(due)
            used.append((due, info))
            if info.is_workday:
                counted += 1
                if info.name:
                    makeup.append(due)
            elif info.name:
                if info.name not in holidays:
                    holidays.append(info.name)
            else:
                rest_days += 1
        last_day = due
        rolled = False
        skipped = sum(1 for _, i in used if not i.is_workday)
        detail = ""
        if skipped:
            kinds = []
            if holidays:
                kinds.append(f"法定节假日（{'、'.join(holidays)}）")
            if rest_days:
                kinds.append("休息日")
            detail = f"，期间不计{'和'.join(kinds)}共{skipped}日"
        if makeup:
            detail += f"，计入调休上班日{'、'.join(cn_date(d) for d in makeup)}"
        body = f"{head}次日起算{days}个工作日{basis}{detail}"

    unconfirmed = tuple(sorted({d.year for d, i in used if not i.confirmed}))
    result = cn_date(due) if calendar == "natural" else _day(due)
    explanation = f"{body}，期限届满日为{result}{_unconfirmed_note(unconfirmed)}。"
    return DueDate(
        due=due, confirmed=not unconfirmed, explanation=explanation, start=start, days=days,
        calendar=calendar, last_day=last_day, rolled=rolled, unconfirmed_years=unconfirmed,
    )


def due_for(
    profile: RuleProfile,
    key: str,
    start: date | datetime,
    *,
    on: date | None = None,
    days_field: str = "days",
    label: str | None = None,
    start_event_label: str | None = None,
    cal: WorkCalendar | None = None,
) -> DueDate:
    """compute_due with days, calendar and citation read from profile.rule(key).

    days_field="max_days" gives the extended limit (e.g. SX 第十四条 60 个工作日)."""
    rule = profile.rule(key, on)
    value = rule.value
    if not isinstance(value, dict) or "calendar" not in value or "days" not in value:
        raise RuleError(f"“{rule.label}”（{key}）不是期限规则，不能计算届满日。")
    days = value.get(days_field)
    if days is None:
        wording = value.get("wording")
        raise NoFixedPeriod(
            f"{rule.source}的“{rule.label}”未规定固定日数"
            + (f"（{wording}）" if wording else "")
            + f"，依据{rule.citation}，不能计算届满日。"
        )
    if start_event_label is None:
        start_event_label = START_EVENTS.get(value.get("start_event", ""), "")
    return compute_due(
        start, days=days, calendar=value["calendar"], label=label if label is not None
        else rule.label, citation=rule.citation, start_event_label=start_event_label, cal=cal,
    )
