"""Period arithmetic of the dashboard (and later the annual report): quarters, half-years,
years and custom ranges, as inclusive date ranges in Beijing time (settings.TIME_ZONE,
Asia/Shanghai: `timezone.localdate()`), with their Chinese labels and a short code for URLs.

    2026Q3 → 2026年第三季度 (2026-07-01 … 2026-09-30)
    2026H1 → 2026年上半年, 2026 → 2026年, custom → 2026年7月5日至2026年8月1日
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}
CODE = re.compile(r"^(?P<year>\d{4})(?:(?P<kind>[QH])(?P<part>\d))?$")


def cn_day(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    kind: str  # quarter, half, year, custom
    label: str
    code: str = "custom"

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end


def quarter(year: int, q: int) -> Period:
    start = date(year, 3 * q - 2, 1)
    end = (date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)) - timedelta(days=1)
    return Period(start, end, "quarter", f"{year}年{QUARTER_NAMES[q]}", f"{year}Q{q}")


def half(year: int, h: int) -> Period:
    start, end = (date(year, 1, 1), date(year, 6, 30)) if h == 1 else \
        (date(year, 7, 1), date(year, 12, 31))
    return Period(start, end, "half", f"{year}年{'上' if h == 1 else '下'}半年", f"{year}H{h}")


def year(y: int) -> Period:
    return Period(date(y, 1, 1), date(y, 12, 31), "year", f"{y}年", str(y))


def custom(start: date, end: date) -> Period:
    return Period(start, end, "custom", f"{cn_day(start)}至{cn_day(end)}")


def parse(code: str) -> Period | None:
    """The period of a code (2026Q3, 2026H1, 2026), or None for anything else."""
    m = CODE.match(code or "")
    if not m:
        return None
    y, kind, part = int(m["year"]), m["kind"], int(m["part"] or 0)
    if not 2000 <= y <= 2100:
        return None
    if kind == "Q":
        return quarter(y, part) if 1 <= part <= 4 else None
    if kind == "H":
        return half(y, part) if part in (1, 2) else None
    return year(y)


def quarter_of(day: date) -> Period:
    return quarter(day.year, (day.month - 1) // 3 + 1)


def quarters_ending(day: date, count: int = 8) -> list[Period]:
    """`count` quarters, oldest first, the last being the quarter of `day`."""
    y, q = day.year, (day.month - 1) // 3 + 1
    out = []
    for _ in range(count):
        out.append(quarter(y, q))
        y, q = (y - 1, 4) if q == 1 else (y, q - 1)
    return out[::-1]


def choices(today: date, years: int = 3) -> list[tuple[str, str]]:
    """Period codes for the filter, newest first: this year's and the previous years'
    quarters, halves and years up to `today`."""
    out = []
    for y in range(today.year, today.year - years, -1):
        for p in [*(quarter(y, q) for q in (4, 3, 2, 1)), half(y, 2), half(y, 1), year(y)]:
            if p.start <= today:
                out.append((p.code, p.label))
    return out
