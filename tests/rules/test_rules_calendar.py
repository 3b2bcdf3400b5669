"""Working-day calendar: CalendarDay rows, then chinese-calendar, else weekends only."""

from datetime import date

import chinese_calendar
import pytest

from rules.calendar import day_info, package_years
from rules.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db


def test_package_range_read_from_package():
    first, last = package_years()
    assert last == max(d.year for d in chinese_calendar.holidays)
    assert first <= 2026 <= last  # the tests below rely on the 2026 schedule


@pytest.mark.parametrize(("day", "expected"), [
    # State Council 2026 schedule as carried by chinese-calendar 1.11:
    # 国庆节 10-01..10-07 放假；09-20（周日）、10-10（周六）调休上班
    (date(2026, 10, 1), (False, True, "国庆节")),
    (date(2026, 10, 4), (False, True, "国庆节")),
    (date(2026, 10, 7), (False, True, "国庆节")),
    (date(2026, 10, 8), (True, True, None)),
    (date(2026, 10, 10), (True, True, "国庆节调休上班")),
    (date(2026, 9, 20), (True, True, "国庆节调休上班")),
    (date(2026, 10, 11), (False, True, None)),  # an ordinary Sunday
    (date(2026, 9, 25), (False, True, "中秋节")),
    (date(2026, 10, 28), (True, True, None)),
])
def test_2026_from_package(day, expected):
    assert tuple(day_info(day)) == expected


def test_2027_weekend_fallback_unconfirmed():
    assert day_info(date(2027, 10, 1)) == (True, False, None)  # a Friday; schedule unknown
    assert day_info(date(2027, 10, 2)) == (False, False, None)  # a Saturday


def test_calendar_day_extends_beyond_package():
    CalendarDay.objects.create(date=date(2027, 10, 1), kind="holiday", name="国庆节")
    CalendarDay.objects.create(date=date(2027, 9, 26), kind="workday", name="国庆节")
    assert day_info(date(2027, 10, 1)) == (False, True, "国庆节")
    assert day_info(date(2027, 9, 26)) == (True, True, "国庆节调休上班")
    assert day_info(date(2027, 10, 8)).confirmed is False


def test_calendar_day_overrides_package():
    CalendarDay.objects.create(date=date(2026, 10, 9), kind="holiday", name="临时调整")
    CalendarDay.objects.create(date=date(2026, 10, 10), kind="holiday", name="")
    assert day_info(date(2026, 10, 9)) == (False, True, "临时调整")
    assert day_info(date(2026, 10, 10)) == (False, True, "法定节假日")


def test_complete_year_confirms_ordinary_days():
    CalendarYear.objects.create(year=2027, source="国务院办公厅关于2027年部分节假日安排的通知")
    assert day_info(date(2027, 10, 8)) == (True, True, None)
    assert day_info(date(2027, 10, 9)) == (False, True, None)
