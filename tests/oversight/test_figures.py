"""The dashboard's figures pinned against the hand-counted world of conftest.py."""

import datetime
from decimal import Decimal

import pytest

from oversight import figures, periods
from oversight.selection import Selection

from .conftest import NOW

Q4 = periods.parse("2026Q4")


def sel(user, **kw):
    return Selection(user=user, period=kw.pop("period", Q4), today=NOW.date(), **kw)


# --- scoping: the officer counts only their own department ------------------------------------

def test_officer_counts_only_own_department(world):
    s = sel(world.water_officer)
    clues = figures.clues_by_channel_and_outcome(s)
    assert clues.total == 2  # the Q3 clue is outside the period; others' clues never count
    assert clues.outcome_totals["open"] == 2
    assert {s.stage: s.count for s in figures.cases_by_stage(s)} == {
        "investigating": 1, "terminated": 1}
    due = figures.deadlines_due(s)
    assert (due.overdue, due.soon) == (1, 1)
    assert figures.approvals_waiting(s, NOW).total == 1
    money = figures.money(s)
    assert money.total.claimed == Decimal("150000")
    assert (money.total.judged, money.total.paid, money.total.outstanding) == (
        Decimal("80000"), Decimal("80000"), Decimal("0"))
    assert money.total.agreed == 0 and money.total.deposit_held == 0
    assert figures.major_cases(s).total == 0
    # a city department sees its own system in the county below: the county shows nothing
    side = figures.breakdown(s)
    assert [(r.label, r.clues, r.claimed) for r in side.rows] == [
        ("甲市（本级）", 2, Decimal("150000")), ("甲市乙区", 0, Decimal("0"))]


def test_another_citys_officer_sees_none_of_city_one(world):
    s = sel(world.c2_officer)  # C2's lead department: C2 only
    assert figures.clues_by_channel_and_outcome(s).total == 2
    assert figures.money(s).total.claimed == Decimal("400000")
    assert figures.deadlines_due(s).overdue == 1


# --- the coordinator: the jurisdiction and the ones below it ----------------------------------

def test_coordinator_sees_city_and_county(world):
    s = sel(world.coordinator)
    clues = figures.clues_by_channel_and_outcome(s)
    assert clues.total == 4
    assert {r.label[:4]: r.total for r in clues.rows} == {"日常监管": 3, "信访投诉": 1}
    assert sum(st.count for st in figures.cases_by_stage(s)) == 4
    due = figures.deadlines_due(s)
    assert (due.overdue, due.soon) == (2, 1)
    assert {(r.department, r.overdue, r.soon) for r in due.rows} == {
        ("甲市水利局", 1, 1), ("乙区生态环境分局", 1, 0)}
    approvals = figures.approvals_waiting(s, NOW)
    assert approvals.total == 2
    assert approvals.ages == {"d3": 1, "d7": 0, "d15": 1, "older": 0}
    money = figures.money(s)
    assert money.total.claimed == Decimal("650000")
    assert money.total.deposit_held == Decimal("30000")
    assert money.total.spent == Decimal("20000")  # the deposit the department applied
    by_damage = {r.label: r.claimed for r in money.by_damage_type}
    assert by_damage == {"水污染": Decimal("300000"), "大气污染": Decimal("300000"),
                         "土壤污染": Decimal("50000")}
    majors = figures.major_cases(s)
    assert (majors.total, majors.open) == (2, 1)
    assert majors.rows[0].last_noted_on == datetime.date(2026, 11, 1)
    assert majors.rows[0].last_progress.startswith("已送达磋商告知书")


def test_coordinator_side_by_side_city_level_and_county(world):
    s = sel(world.coordinator)
    side = figures.breakdown(s)
    rows = {r.label: r for r in side.rows}
    assert set(rows) == {"甲市（本级）", "甲市乙区"}
    assert (rows["甲市（本级）"].clues, rows["甲市乙区"].clues) == (3, 1)
    assert (rows["甲市（本级）"].cases_opened, rows["甲市乙区"].cases_opened) == (1, 1)
    assert (rows["甲市（本级）"].overdue, rows["甲市乙区"].overdue) == (1, 1)
    assert side.total.clues == figures.clues_by_channel_and_outcome(s).total
    assert side.total.claimed == figures.money(s).total.claimed


def test_case_trend_over_eight_quarters(world):
    trend = figures.case_trend(sel(world.coordinator))
    assert [q.period.code for q in trend] == [
        "2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3", "2026Q4"]
    got = {q.period.code: (q.started, q.terminated, q.closed) for q in trend}
    assert got["2026Q1"] == (1, 0, 0)  # C opened
    assert got["2026Q2"] == (1, 0, 0)  # B opened
    assert got["2026Q3"] == (0, 1, 0)  # B terminated 2026-08-20
    assert got["2026Q4"] == (2, 0, 1)  # A and D opened; C closed 10-01 00:30 Beijing time
    assert sum(sum(v) for v in got.values()) == 6


# --- the province: its cities side by side ----------------------------------------------------

def test_provincial_department_sees_its_system_below_side_by_side(world):
    s = sel(world.provincial)
    clues = figures.clues_by_channel_and_outcome(s)
    assert clues.total == 4  # C1 生态环境局 1 + K1 1 + C2 2; never C1 水利局 (another system)
    side = figures.breakdown(s)
    rows = {r.label: r for r in side.rows}
    assert list(rows) == ["测试省（本级）", "甲市", "丙市"]
    assert [rows[k].clues for k in rows] == [0, 2, 2]
    assert [rows[k].claimed for k in rows] == [Decimal("0"), Decimal("500000"),
                                               Decimal("400000")]
    money = figures.money(s)
    assert side.total.clues == clues.total
    assert side.total.claimed == money.total.claimed == Decimal("900000")
    assert side.total.paid == money.total.paid == Decimal("100000")
    assert side.total.overdue == figures.deadlines_due(s).overdue == 2
    assert [r.claimed for r in money.by_jurisdiction] == [r.claimed for r in side.rows]


def test_filters_narrow_the_scope(world):
    s = sel(world.provincial, jurisdiction=world.c1)
    assert figures.clues_by_channel_and_outcome(s).total == 2
    assert [r.label for r in figures.breakdown(s).rows] == ["甲市（本级）", "甲市乙区"]
    s = sel(world.coordinator, department=world.c1_water)
    assert figures.clues_by_channel_and_outcome(s).total == 2
    s = sel(world.coordinator, damage_type="air")
    assert sum(st.count for st in figures.cases_by_stage(s)) == 1
    s = sel(world.coordinator, period=periods.parse("2026Q3"))
    assert figures.clues_by_channel_and_outcome(s).total == 1
    s = sel(world.coordinator, period=periods.custom(datetime.date(2026, 8, 1),
                                                     datetime.date(2026, 10, 8)))
    assert figures.clues_by_channel_and_outcome(s).total == 2


def test_restoration_figures(world):
    rest = figures.restoration(sel(world.coordinator))
    assert rest.total == 0 and rest.assessments == {"passed": 0, "failed": 0}


@pytest.mark.parametrize("code,start,end,label", [
    ("2026Q1", datetime.date(2026, 1, 1), datetime.date(2026, 3, 31), "2026年第一季度"),
    ("2026Q4", datetime.date(2026, 10, 1), datetime.date(2026, 12, 31), "2026年第四季度"),
    ("2028H1", datetime.date(2028, 1, 1), datetime.date(2028, 6, 30), "2028年上半年"),
    ("2026", datetime.date(2026, 1, 1), datetime.date(2026, 12, 31), "2026年"),
])
def test_periods(code, start, end, label):
    p = periods.parse(code)
    assert (p.start, p.end, p.label, p.code) == (start, end, label, code)


def test_bad_period_codes():
    assert periods.parse("2026Q5") is None and periods.parse("x") is None
    assert periods.parse("2026H3") is None


def test_quarters_ending_crosses_years():
    assert [q.code for q in periods.quarters_ending(datetime.date(2026, 2, 1), 3)] == [
        "2025Q3", "2025Q4", "2026Q1"]
