"""Screening rounds (线索筛查批次): quarters, the duty to screen read from the rule profile
(`screening.frequency`: CQ 二 每季度；SX 第八条 每季度不少于1次；NAT 二 定期), and recording a
round."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.db import transaction

from rules.calendar import cn_date
from rules.errors import RuleError
from workflow import deadlines as engine
from workflow.models import Deadline, DeadlineKind
from workflow.numbering import next_number

from .models import ScreeningRound

QUARTER_NAMES = dict(ScreeningRound.QUARTERS)
PERIOD_LABELS = {"quarter": "本季度", "half_year": "本半年", "year": "本年度"}


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    first = date(year, 3 * quarter - 2, 1)
    last = date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1) - timedelta(days=1)
    return first, last


def quarter_label(year: int, quarter: int) -> str:
    return f"{year}年{QUARTER_NAMES[quarter]}"


def half_bounds(year: int, half: int) -> tuple[date, date]:
    return (date(year, 1, 1), date(year, 6, 30)) if half == 1 else \
        (date(year, 7, 1), date(year, 12, 31))


def half_label(year: int, half: int) -> str:
    return f"{year}年{'上' if half == 1 else '下'}半年"


@dataclass(frozen=True)
class ScreeningDuty:
    """How often the department must screen, and the cycle `today` falls in."""

    period: str  # quarter | half_year | year
    min_rounds: int
    citation: str
    note: str
    start: date
    end: date
    done: int = 0  # rounds recorded in the cycle

    @property
    def label(self) -> str:
        return PERIOD_LABELS[self.period]

    @property
    def quarters(self) -> list[tuple[int, int]]:
        first = quarter_of(self.start)[1]
        last = quarter_of(self.end)[1]
        return [(self.start.year, q) for q in range(first, last + 1)]

    @property
    def missing(self) -> bool:
        return self.done < self.min_rounds

    def sentence(self) -> str:
        if self.done == 0:
            return f"{self.label}尚未开展线索筛查"
        return f"{self.label}已开展{self.done}次线索筛查，少于规定的{self.min_rounds}次"

    def explanation(self) -> str:
        rule = self.note or f"每个周期不少于{self.min_rounds}次"
        return f"{rule}（{self.citation}）；{self.label}于{cn_date(self.end)}结束"


def screening_duty(department, today: date) -> ScreeningDuty | None:
    """The duty under the profile of the department's jurisdiction in force today, with the
    rounds recorded so far in the cycle; None where the profile fixes no cycle (NAT 二 定期)."""
    try:
        rule = department.jurisdiction.rule_profile_on(today).rule("screening.frequency",
                                                                   on=today)
    except RuleError:
        return None
    value = rule.value or {}
    period = value.get("period")
    if period not in PERIOD_LABELS:
        return None
    end = engine.cycle_end({"period": period}, today)
    if period == "quarter":
        start = quarter_bounds(*quarter_of(today))[0]
    elif period == "half_year":
        start = date(today.year, 1 if today.month <= 6 else 7, 1)
    else:
        start = date(today.year, 1, 1)
    duty = ScreeningDuty(period=period, min_rounds=value.get("min_rounds") or 1,
                         citation=rule.citation, note=rule.note, start=start, end=end)
    done = ScreeningRound.objects.filter(
        department=department, year=start.year,
        quarter__in=[q for _y, q in duty.quarters]).count()
    return replace(duty, done=done)


def round_missing(department, today: date) -> ScreeningDuty | None:
    """In the last month of the cycle, the duty if the department has not yet screened often
    enough; otherwise None (the home page warns only then)."""
    # Every cycle (quarter, half-year, year) ends with a quarter: outside a quarter's last
    # month there is nothing to warn about, and the rule need not be read.
    if today.month % 3 or not department.handles_claims:
        return None
    duty = screening_duty(department, today)
    if duty is None or today < duty.end.replace(day=1) or not duty.missing:
        return None
    return duty


def record_round(screening_round: ScreeningRound, *, by, channels, clues=()) -> ScreeningRound:
    """Number the round within its department and quarter (第N次, never reused), save it with
    its channels and clues, and meet the department's open screening-round deadline of that
    quarter, if the deadline engine holds one."""
    with transaction.atomic():
        r = screening_round
        r.sequence = next_number(f"round:{r.department_id}:q{r.quarter}", r.year)
        r.created_by = by
        r.save()
        r.channels.set(channels)
        if clues:
            r.clues.set(clues)
        first, last = quarter_bounds(r.year, r.quarter)
        done = ScreeningRound.objects.filter(department=r.department, year=r.year,
                                             quarter=r.quarter).count()
        for deadline in Deadline.objects.filter(
                kind=DeadlineKind.SCREENING_ROUND, department=r.department,
                status__in=(Deadline.Status.OPEN, Deadline.Status.OVERDUE),
                due__range=(first, last)).select_related("profile"):
            if done >= _min_rounds(deadline):
                engine.mark_met(deadline, by=by, note=f"已开展{r}")
    return r


def _min_rounds(deadline: Deadline) -> int:
    if deadline.profile is None:
        return 1
    try:
        value = deadline.profile.rule("screening.frequency", on=deadline.start_date).value
    except RuleError:
        return 1
    return (value or {}).get("min_rounds") or 1
