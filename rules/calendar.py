"""Working-day calendar: administrator entries (CalendarDay) first, then the chinese-calendar
package for the years it knows, else Monday–Friday with confirmed=False.

A year recorded in CalendarYear has been entered completely by an administrator, so its
days without a CalendarDay row are ordinary (confirmed) weekdays or weekends.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

import chinese_calendar

from rules.models import CalendarDay, CalendarYear

WEEKDAYS = "一二三四五六日"

# chinese_calendar's English holiday names -> the names used in State Council notices.
_HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
}


class DayInfo(NamedTuple):
    is_workday: bool
    confirmed: bool  # False: weekend-only guess for a year nobody has entered yet
    name: str | None  # holiday name, "国庆节调休上班", or None for an ordinary day


def weekday_cn(day: date) -> str:
    return f"星期{WEEKDAYS[day.weekday()]}"


def cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def package_years() -> tuple[int, int]:
    """(first, last) year the installed chinese-calendar package has schedules for."""
    years = {d.year for d in chinese_calendar.holidays}
    return min(years), max(years)


def _package_name(english: str | None) -> str | None:
    if english is None:
        return None
    try:
        chinese = chinese_calendar.Holiday(english).chinese
    except ValueError:
        chinese = english
    return _HOLIDAY_NAMES.get(english, chinese)


def _package_day(day: date) -> DayInfo | None:
    """The package's answer, or None when it has no data for the year."""
    try:
        is_holiday, english = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:  # the package raises this outside its years
        return None
    name = _package_name(english)
    if is_holiday:
        return DayInfo(False, True, name)  # name is None for an ordinary weekend
    # a weekend the package tags with a holiday is a 调休 make-up working day
    return DayInfo(True, True, f"{name}调休上班" if name and day.weekday() >= 5 else None)


def _row_day(row: CalendarDay) -> DayInfo:
    if row.kind == CalendarDay.Kind.HOLIDAY:
        return DayInfo(False, True, row.name or "法定节假日")
    name = row.name or ""
    return DayInfo(True, True, name if "调休" in name else f"{name}调休上班")


class WorkCalendar:
    """day_info with the administrator's rows loaded once per year (for period arithmetic)."""

    def __init__(self) -> None:
        self._rows: dict[int, dict[date, CalendarDay]] = {}
        self._complete_years: set[int] | None = None
        self._days: dict[date, DayInfo] = {}  # answered once per instance (a bulk import)

    def _year_rows(self, year: int) -> dict[date, CalendarDay]:
        if year not in self._rows:
            self._rows[year] = {
                row.date: row for row in CalendarDay.objects.filter(date__year=year)
            }
        return self._rows[year]

    def _year_complete(self, year: int) -> bool:
        if self._complete_years is None:
            self._complete_years = set(CalendarYear.objects.values_list("year", flat=True))
        return year in self._complete_years

    def day_info(self, day: date) -> DayInfo:
        found = self._days.get(day)
        if found is None:
            found = self._days[day] = self._day_info(day)
        return found

    def _day_info(self, day: date) -> DayInfo:
        row = self._year_rows(day.year).get(day)
        if row is not None:
            return _row_day(row)
        known = _package_day(day)
        if known is not None:
            return known
        return DayInfo(day.weekday() < 5, self._year_complete(day.year), None)


def day_info(day: date) -> DayInfo:
    """(is_workday, confirmed, name) for one date."""
    row = CalendarDay.objects.filter(date=day).first()
    if row is not None:
        return _row_day(row)
    known = _package_day(day)
    if known is not None:
        return known
    complete = CalendarYear.objects.filter(year=day.year).exists()
    return DayInfo(day.weekday() < 5, complete, None)


def is_workday(day: date) -> bool:
    return day_info(day).is_workday
