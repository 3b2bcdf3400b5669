"""Period arithmetic: 民法典 第二百零一条 (start the next day) and 第二百零三条 (a last day
that is a rest day moves to the next working day), with the 2026 National Day schedule."""

from datetime import date, timedelta

import pytest

from rules.errors import NoFixedPeriod, RuleError, RuleNotDefined
from rules.models import CalendarDay, CalendarYear, RuleProfile
from rules.periods import compute_due, due_for
from rules.services import profile_in_force

pytestmark = pytest.mark.django_db


def natural(start: date, days: int = 30, **kwargs):
    return compute_due(start, days=days, calendar="natural", **kwargs)


def working(start: date, days: int, **kwargs):
    return compute_due(start, days=days, calendar="working", **kwargs)


class TestNaturalDays:
    def test_counting_starts_next_day(self):
        # SX 第九条 example: 30 days from 2026-09-28 end on Wednesday 2026-10-28
        result = natural(date(2026, 9, 28), citation="SX 第九条", start_event_label="发现线索")
        assert result.due == date(2026, 10, 28)
        assert result.confirmed is True
        assert result.rolled is False
        assert result.explanation == (
            "自2026年9月28日（发现线索）次日起算30日（自然日），依据SX 第九条；"
            "末日2026年10月28日（星期三）为工作日，期限届满日为2026年10月28日。"
        )

    def test_one_day(self):
        assert natural(date(2026, 10, 27), days=1).due == date(2026, 10, 28)

    @pytest.mark.parametrize("last_day", [date(2026, 10, d) for d in range(1, 8)])
    def test_last_day_in_national_day_holiday_ends_10_08(self, last_day):
        result = natural(last_day - timedelta(days=30))
        assert result.last_day == last_day
        assert result.due == date(2026, 10, 8)
        assert result.rolled is True
        assert result.confirmed is True
        assert "为法定节假日（国庆节），依民法典第二百零三条顺延至其后第一个工作日" \
               "2026年10月8日（星期四）" in result.explanation

    def test_last_day_on_makeup_saturday_10_10_not_moved(self):
        # 2026-10-10 is a Saturday 调休上班 day (国庆节) — a working day, so no roll-forward
        result = natural(date(2026, 9, 10))
        assert result.due == date(2026, 10, 10)
        assert result.rolled is False
        assert "为国庆节调休上班日，不顺延" in result.explanation

    def test_last_day_on_makeup_sunday_09_20_not_moved(self):
        assert natural(date(2026, 8, 21)).due == date(2026, 9, 20)

    def test_last_day_on_sunday_10_11_moves_to_monday(self):
        result = natural(date(2026, 9, 11))
        assert result.due == date(2026, 10, 12)
        assert "末日2026年10月11日（星期日）为休息日，依民法典第二百零三条顺延至" \
               "其后第一个工作日2026年10月12日（星期一）" in result.explanation

    def test_mid_autumn_then_weekend(self):
        # 2026-09-25 中秋节 (Fri), 26–27 weekend -> Monday 09-28
        assert natural(date(2026, 8, 26)).due == date(2026, 9, 28)


class TestWorkingDays:
    def test_across_national_day(self):
        # SX 第十四条: 30 working days from entrustment on 2026-09-28: 09-29, 09-30, 10-08,
        # 10-09, 10-10 (调休), 10-12 … -> the 30th is Friday 2026-11-13
        result = working(date(2026, 9, 28), 30, label="鉴定评估期限", citation="SX 第十四条",
                         start_event_label="委托书生效")
        assert result.due == date(2026, 11, 13)
        assert result.confirmed is True
        assert result.explanation == (
            "鉴定评估期限自2026年9月28日（委托书生效）次日起算30个工作日，依据SX 第十四条，"
            "期间不计法定节假日（国庆节）和休息日共16日，计入调休上班日2026年10月10日，"
            "期限届满日为2026年11月13日（星期五）。"
        )

    @pytest.mark.parametrize(("days", "due"), [
        (1, date(2026, 9, 30)),
        (2, date(2026, 10, 8)),  # 10-01..10-07 skipped
        (3, date(2026, 10, 9)),
        (4, date(2026, 10, 10)),  # the make-up Saturday counts
        (5, date(2026, 10, 12)),  # Sunday 10-11 does not
    ])
    def test_small_counts(self, days, due):
        assert working(date(2026, 9, 29), days).due == due


class Test2027WithoutPackageData:
    def test_no_entry_weekend_fallback(self):
        # 2027-10-01 is a Friday; nobody has entered the 2027 schedule yet
        result = natural(date(2027, 9, 1), citation="SX 第九条", start_event_label="发现线索")
        assert result.due == date(2027, 10, 1)
        assert result.confirmed is False
        assert result.unconfirmed_years == (2027,)
        assert result.explanation.endswith(
            "期限届满日为2027年10月1日（2027年节假日安排尚未录入，按周末推算，待确认）。")

    def test_weekend_fallback_rolls_over_weekend(self):
        result = natural(date(2027, 9, 2))  # Saturday 2027-10-02 -> Monday 10-04
        assert (result.due, result.confirmed) == (date(2027, 10, 4), False)

    def _enter_national_day_2027(self):
        for day in range(1, 8):
            CalendarDay.objects.create(date=date(2027, 10, day), kind="holiday", name="国庆节")

    def test_holiday_entered_rolls_forward(self):
        self._enter_national_day_2027()
        result = natural(date(2027, 9, 1))
        assert result.due == date(2027, 10, 8)
        assert result.rolled is True
        assert "末日2027年10月1日（星期五）为法定节假日（国庆节）" in result.explanation
        # 10-08 itself has no entry and 2027 is not marked complete: still a guess
        assert result.confirmed is False

    def test_holiday_entered_and_year_complete_confirmed(self):
        self._enter_national_day_2027()
        CalendarYear.objects.create(year=2027, source="国务院办公厅关于2027年部分节假日安排的通知")
        result = natural(date(2027, 9, 1))
        assert (result.due, result.confirmed) == (date(2027, 10, 8), True)
        assert "待确认" not in result.explanation

    def test_landing_day_entered_confirmed(self):
        self._enter_national_day_2027()
        CalendarDay.objects.create(date=date(2027, 10, 8), kind="workday", name="国庆节")
        result = natural(date(2027, 9, 1))
        assert (result.due, result.confirmed) == (date(2027, 10, 8), True)

    def test_working_days_into_2027_unconfirmed(self):
        result = working(date(2026, 12, 20), 20)
        assert result.due == date(2027, 1, 15)
        assert result.confirmed is False
        assert "（2027年节假日安排尚未录入，按周末推算，待确认）" in result.explanation


class TestDueFor:
    def test_sx_verification(self):
        sx = profile_in_force("SX", date(2026, 9, 28))
        result = due_for(sx, "verification.period", date(2026, 9, 28))
        assert result.due == date(2026, 10, 28)
        assert result.explanation.startswith(
            "初步核查期限自2026年9月28日（发现线索）次日起算30日（自然日），依据SX 第九条；")

    def test_nt_verification_from_referral(self):
        nt = profile_in_force("NT", date(2026, 9, 4))
        result = due_for(nt, "verification.period", date(2026, 9, 4))
        assert result.due == date(2026, 10, 8)
        assert "（收到移送的线索）" in result.explanation and "NT 三(二)" in result.explanation

    def test_negotiation_falls_back_to_nat(self):
        nt = profile_in_force("NT", date(2026, 7, 3))
        result = due_for(nt, "negotiation.period", date(2026, 7, 3))
        assert result.due == date(2026, 10, 8)  # 90th day is 10-01
        assert "依据NAT 六" in result.explanation

    def test_appraisal_working_days_and_max(self):
        sx = profile_in_force("SX", date(2026, 9, 28))
        assert due_for(sx, "appraisal.period", date(2026, 9, 28)).due == date(2026, 11, 13)
        extended = due_for(sx, "appraisal.period", date(2026, 9, 28), days_field="max_days")
        assert extended.due == date(2026, 12, 25)
        assert extended.days == 60 and extended.calendar == "working"

    def test_cq_investigation(self):
        cq = profile_in_force("CQ", date(2026, 3, 1))
        result = due_for(cq, "investigation.period", date(2026, 3, 2))
        assert result.due == date(2026, 4, 1)
        assert "依据CQ 五" in result.explanation

    def test_nat_reasonable_period_has_no_due_date(self):
        nat = profile_in_force("NAT", date(2026, 3, 1))
        with pytest.raises(NoFixedPeriod, match="合理"):
            due_for(nat, "investigation.period", date(2026, 3, 2))

    def test_missing_rule(self):
        nt = profile_in_force("NT", date(2026, 3, 1))
        with pytest.raises(RuleNotDefined):
            due_for(nt, "appraisal.period", date(2026, 3, 2))

    def test_not_a_period(self):
        sx = RuleProfile.objects.get(rule_set__code="SX")
        with pytest.raises(RuleError, match="不是期限规则"):
            due_for(sx, "trivial.amount", date(2026, 3, 2))


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"days": 0, "calendar": "natural"}, "正整数"),
    ({"days": 30, "calendar": "lunar"}, "计算方式"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(RuleError, match=message):
        compute_due(date(2026, 1, 1), **kwargs)
