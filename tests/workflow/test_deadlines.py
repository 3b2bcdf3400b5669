"""Deadlines: every kind's due date from the rule profiles (natural and working days, a
holiday at the end, a pause and resume, an approved extension, an unconfirmed 2027 date) and
the services' history and refusals.

Subjects here are departments and jurisdictions (a department's quarterly screening, a
jurisdiction's annual report), so that these tests do not depend on a stage app; a deadline
only needs a model instance."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from rules.calendar import cn_date
from rules.models import CalendarDay, CalendarYear
from rules.services import profile_in_force
from workflow.deadlines import (
    DeadlineError,
    cancel,
    deadlines_of,
    extend,
    mark_met,
    open_deadline,
    pause,
    refresh_unconfirmed,
    resume,
)
from workflow.models import Deadline, DeadlineChange, DeadlineKind

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
Kind = DeadlineKind


def at(y: int, m: int, d: int, hour: int = 9) -> datetime:
    return datetime(y, m, d, hour, tzinfo=SHANGHAI)


def travel(y: int, m: int, d: int, hour: int = 9):
    return time_machine.travel(at(y, m, d, hour), tick=False)


def open_for(org, kind, start: date, *, code="SX", dept="市生态环境局", responsible="jingban",
             subject=None, **kwargs) -> Deadline:
    """A deadline of the demo organisation's department `dept`, opened on the start date."""
    department = org.departments[dept]
    with travel(start.year, start.month, start.day):
        return open_deadline(
            subject if subject is not None else department, kind,
            profile=profile_in_force(code, start), start_date=start,
            responsible=org.by_username[responsible] if responsible else None,
            department=department, **kwargs,
        )


# kind, rule set, start, extra arguments, due, calendar, days, citation
EVERY_KIND = [
    # SX 第九条: 30 natural days from discovery; the last day is 国庆节, so 10月8日
    (Kind.VERIFICATION, "SX", date(2026, 9, 1), {}, date(2026, 10, 8), "natural", 30,
     "SX 第九条"),
    # CQ 五: 30 days from opening the claim
    (Kind.INVESTIGATION, "CQ", date(2026, 3, 2), {}, date(2026, 4, 1), "natural", 30, "CQ 五"),
    # SX 第十七条: ends on 劳动节 (5月1日–5日), so the next working day 5月6日
    (Kind.INVESTIGATION_CONCLUSION, "SX", date(2026, 4, 1), {}, date(2026, 5, 6), "natural", 30,
     "SX 第十七条"),
    # SX 第十四条: 30 working days, 中秋节 and 国庆节 skipped, 9月20日 and 10月10日 counted
    (Kind.APPRAISAL, "SX", date(2026, 9, 15), {}, date(2026, 11, 2), "working", 30,
     "SX 第十四条"),
    (Kind.NEGOTIATION_REPLY, "SX", date(2026, 6, 1), {"days": 15, "citation": "磋商告知书"},
     date(2026, 6, 16), "natural", 15, "磋商告知书"),
    # SX 第十八条: 90 days from service; 8月30日 is a Sunday
    (Kind.NEGOTIATION_PERIOD, "SX", date(2026, 6, 1), {}, date(2026, 8, 31), "natural", 90,
     "SX 第十八条"),
    (Kind.JUDICIAL_CONFIRMATION, "SX", date(2026, 7, 1), {"days": 30, "citation": "CQ 八"},
     date(2026, 7, 31), "natural", 30, "CQ 八"),
    (Kind.PAYMENT, "SX", date(2026, 3, 2), {"days": 60, "citation": "赔偿协议第三条"},
     date(2026, 5, 6), "natural", 60, "赔偿协议第三条"),
    (Kind.RESTORATION, "SX", date(2026, 1, 1), {"days": 180, "citation": "修复方案"},
     date(2026, 6, 30), "natural", 180, "修复方案"),
    (Kind.EFFECT_ASSESSMENT, "SX", date(2026, 6, 1), {"days": 90, "citation": "CQ 十四"},
     date(2026, 8, 31), "natural", 90, "CQ 十四"),
    # SX 第八条 每季度: the round ends with its quarter
    (Kind.SCREENING_ROUND, "SX", date(2026, 10, 1), {}, date(2026, 12, 31), "natural", 91,
     "SX 第八条"),
    # CQ 二 每半年
    (Kind.HALF_YEAR_AGGREGATION, "CQ", date(2026, 1, 1), {}, date(2026, 6, 30), "natural", 180,
     "CQ 二"),
    # SX 第四十条 每年12月底前
    (Kind.ANNUAL_REPORT, "SX", date(2026, 1, 1), {}, date(2026, 12, 31), "natural", 364,
     "SX 第四十条"),
    (Kind.MAJOR_CASE_DISPATCH, "SX", date(2026, 7, 1), {"days": 30, "citation": "SX 第十二条"},
     date(2026, 7, 31), "natural", 30, "SX 第十二条"),
    (Kind.PROCURATORATE_FEEDBACK, "SX", date(2026, 9, 1), {"days": 15, "citation": "CQ 三"},
     date(2026, 9, 16), "natural", 15, "CQ 三"),
]


def test_the_table_covers_every_kind():
    assert {row[0] for row in EVERY_KIND} == set(Kind)


@pytest.mark.parametrize(("kind", "code", "start", "extra", "due", "calendar", "days", "citation"),
                         EVERY_KIND, ids=[row[0].value for row in EVERY_KIND])
def test_every_kind_gets_its_due_date_from_the_rules(demo_org, kind, code, start, extra, due,
                                                     calendar, days, citation):
    deadline = open_for(demo_org, kind, start, code=code, **extra)
    assert (deadline.due, deadline.calendar, deadline.days) == (due, calendar, days)
    assert deadline.citation == citation
    assert deadline.confirmed
    assert deadline.status == Deadline.Status.OPEN
    assert f"期限届满日为{cn_date(due)}" in deadline.explanation
    assert citation in deadline.explanation
    (opened,) = deadline.changes.all()
    assert (opened.action, opened.new_due) == (DeadlineChange.Action.OPENED, due)


def test_explanation_of_a_holiday_end_and_the_rule_version(demo_org):
    deadline = open_for(demo_org, Kind.VERIFICATION, date(2026, 9, 1))
    assert deadline.explanation == (
        "初步核查期限自2026年9月1日（发现线索）次日起算30日（自然日），依据SX 第九条；"
        "末日2026年10月1日（星期四）为法定节假日（国庆节），依民法典第二百零三条顺延至其后"
        "第一个工作日2026年10月8日（星期四），期限届满日为2026年10月8日。")
    assert deadline.rule_key == "verification.period"
    assert deadline.profile.rule_set.code == "SX"
    assert deadline.start_event == "发现线索"


def test_a_rule_inherited_from_the_national_baseline_keeps_its_version(demo_org):
    # CQ has no verification period of its own; NAT has none either
    with pytest.raises(DeadlineError, match="均未规定“初步核查期限”"):
        open_for(demo_org, Kind.VERIFICATION, date(2026, 9, 1), code="CQ")
    # CQ's negotiation period is CQ's own; the NAT profile's comes from NAT 六
    nat = open_for(demo_org, Kind.NEGOTIATION_PERIOD, date(2026, 6, 1), code="NAT")
    assert (nat.citation, nat.profile.rule_set.code, nat.due) == ("NAT 六", "NAT",
                                                                  date(2026, 8, 31))


def test_a_period_without_fixed_days_needs_them_given(demo_org):
    # NAT 四: 调查应当及时，期限设定应当合理 — no number of days
    with pytest.raises(DeadlineError, match="未规定固定日数"):
        open_for(demo_org, Kind.INVESTIGATION, date(2026, 3, 2), code="NAT")
    deadline = open_for(demo_org, Kind.INVESTIGATION, date(2026, 3, 2), code="NAT", days=45)
    assert (deadline.due, deadline.citation) == (date(2026, 4, 16), "NAT 四")


def test_a_kind_without_rule_and_without_days_is_refused(demo_org):
    with pytest.raises(DeadlineError, match="请指定期限日数"):
        open_for(demo_org, Kind.PAYMENT, date(2026, 3, 2))


def test_working_days_can_be_chosen_for_an_agreed_period(demo_org):
    # SX 第十四条: a contract may agree another period for the appraisal
    deadline = open_for(demo_org, Kind.APPRAISAL, date(2026, 9, 15), days=20, calendar="working")
    assert (deadline.due, deadline.citation) == (date(2026, 10, 19), "SX 第十四条")
    assert "20个工作日" in deadline.explanation


def test_pause_and_resume_add_the_paused_days(demo_org):
    # CQ 五: the investigation clock stops while the appraisal runs
    officer = demo_org.by_username["jingban"]
    deadline = open_for(demo_org, Kind.INVESTIGATION, date(2026, 3, 2), code="CQ")
    assert deadline.due == date(2026, 4, 1)
    with travel(2026, 3, 10):
        deadline = pause(deadline, reason="委托鉴定评估", by=officer)
    assert deadline.is_paused and deadline.next_action_on is None
    assert deadline.due == date(2026, 4, 1)  # kept until counting resumes
    with travel(2026, 3, 22):
        deadline = resume(deadline, by=officer)
    assert (deadline.paused_days, deadline.due) == (12, date(2026, 4, 13))
    assert not deadline.is_paused
    assert deadline.explanation == (
        "损害调查期限自2026年3月2日（启动索赔）次日起算30日（自然日），中止期间12日不计入"
        "（委托鉴定评估，2026年3月10日至2026年3月21日），共计42日，依据CQ 五；"
        "末日2026年4月13日（星期一）为工作日，期限届满日为2026年4月13日。")
    history = [(c.action, c.old_due, c.new_due, c.by) for c in deadline.changes.all()]
    assert history == [
        ("opened", None, date(2026, 4, 1), None),
        ("paused", date(2026, 4, 1), None, officer),
        ("resumed", date(2026, 4, 1), date(2026, 4, 13), officer),
    ]
    (interval,) = deadline.pauses.all()
    assert (interval.started_on, interval.ended_on, interval.counted_days) == (
        date(2026, 3, 10), date(2026, 3, 22), 12)


def test_a_pause_of_a_working_day_period_counts_working_days(demo_org):
    deadline = open_for(demo_org, Kind.APPRAISAL, date(2026, 9, 15))
    with travel(2026, 9, 28):
        pause(deadline, reason="等待委托人补充材料")
    with travel(2026, 10, 12):
        deadline = resume(deadline)
    # 9月28–30日 and 10月8–10日 (10日 a make-up working day); 国庆节 and 10月11日 not counted
    assert deadline.paused_days == 6
    assert deadline.due == date(2026, 11, 10)
    assert "中止期间6个工作日不计入" in deadline.explanation


def test_an_approved_extension_up_to_the_rules_limit(demo_org):
    # SX 第十四条: 复杂的一般不超过60个工作日
    head = demo_org.by_username["chuzhang"]
    deadline = open_for(demo_org, Kind.APPRAISAL, date(2026, 9, 15))
    with travel(2026, 10, 20):
        deadline = extend(deadline, approved_by=head, reason="案情复杂，需补充监测")
    assert (deadline.extension_days, deadline.due) == (30, date(2026, 12, 14))
    assert "经批准延长30个工作日，共计60个工作日" in deadline.explanation
    change = deadline.changes.last()
    assert (change.action, change.by, change.reason) == ("extended", head, "案情复杂，需补充监测")
    assert (change.old_due, change.new_due) == (date(2026, 11, 2), date(2026, 12, 14))
    with pytest.raises(DeadlineError, match="已延长至规则上限60个工作日"):
        extend(deadline, approved_by=head, reason="再次延长")
    with pytest.raises(DeadlineError, match="须经批准"):
        extend(deadline, approved_by=None, reason="x", days=5)


def test_an_extension_of_an_overdue_deadline_reopens_it(demo_org):
    head = demo_org.by_username["chuzhang"]
    deadline = open_for(demo_org, Kind.NEGOTIATION_REPLY, date(2026, 6, 1), days=15,
                        citation="磋商告知书")
    Deadline.objects.filter(pk=deadline.pk).update(status=Deadline.Status.OVERDUE)
    with travel(2026, 6, 20):
        deadline = extend(deadline, approved_by=head, reason="义务人申请延期答复", days=10)
    assert deadline.status == Deadline.Status.OPEN
    assert deadline.due == date(2026, 6, 26)
    assert deadline.next_action_on == date(2026, 6, 20)  # the scan looks at it today


def test_an_unconfirmed_2027_date_is_marked_until_the_schedule_is_entered(demo_org):
    deadline = open_for(demo_org, Kind.VERIFICATION, date(2026, 12, 15))
    assert deadline.due == date(2027, 1, 14)
    assert not deadline.confirmed
    assert "2027年节假日安排尚未录入，按周末推算，待确认" in deadline.explanation

    # an administrator enters 2027 (here: 1月14日 declared a holiday, to see the date move)
    CalendarDay.objects.create(date=date(2027, 1, 14), kind=CalendarDay.Kind.HOLIDAY,
                               name="测试假日")
    CalendarYear.objects.create(year=2027, source="国务院办公厅关于2027年部分节假日安排的通知")
    with travel(2026, 12, 20):
        assert refresh_unconfirmed() == 1
    deadline.refresh_from_db()
    assert deadline.confirmed
    assert deadline.due == date(2027, 1, 15)
    assert "待确认" not in deadline.explanation
    change = deadline.changes.last()
    assert (change.action, change.old_due, change.new_due) == (
        "recomputed", date(2027, 1, 14), date(2027, 1, 15))
    with travel(2026, 12, 21):
        assert refresh_unconfirmed() == 0


def test_met_cancelled_and_the_refusals(demo_org):
    officer = demo_org.by_username["jingban"]
    deadline = open_for(demo_org, Kind.VERIFICATION, date(2026, 9, 1))
    with travel(2026, 10, 9):
        deadline = mark_met(deadline, by=officer, note="核查完毕")
    assert deadline.status == Deadline.Status.MET
    assert deadline.next_action_on is None
    assert deadline.met_at == at(2026, 10, 9)
    assert deadline.changes.last().explanation == "于2026年10月9日办结，晚于届满日。"
    assert mark_met(deadline, by=officer).met_at == at(2026, 10, 9)  # met once
    with pytest.raises(DeadlineError, match="“已办结”，不能中止"):
        pause(deadline, reason="x")
    with pytest.raises(DeadlineError, match="“已办结”，不能撤销"):
        cancel(deadline, by=officer, reason="x")

    other = open_for(demo_org, Kind.SCREENING_ROUND, date(2026, 10, 1))
    with pytest.raises(DeadlineError, match="请填写撤销理由"):
        cancel(other, by=officer, reason=" ")
    other = cancel(other, by=officer, reason="线索已移送")
    assert (other.status, other.next_action_on) == (Deadline.Status.CANCELLED, None)
    with pytest.raises(DeadlineError, match="期限已撤销，不能办结"):
        mark_met(other)


def test_a_pause_must_lie_within_the_period(demo_org):
    deadline = open_for(demo_org, Kind.INVESTIGATION, date(2026, 3, 2), code="CQ")
    with pytest.raises(DeadlineError, match="中止日须在起算日"):
        pause(deadline, reason="委托鉴定评估", on=date(2026, 4, 2))
    with pytest.raises(DeadlineError, match="请填写中止事由"):
        pause(deadline, reason="")
    with pytest.raises(DeadlineError, match="未处于中止状态"):
        resume(deadline)
    pause(deadline, reason="委托鉴定评估", on=date(2026, 3, 10))
    with pytest.raises(DeadlineError, match="已中止"):
        pause(deadline, reason="委托鉴定评估", on=date(2026, 3, 11))
    with pytest.raises(DeadlineError, match="不得早于中止起始日"):
        resume(deadline, on=date(2026, 3, 9))


def test_met_while_paused_closes_the_pause(demo_org):
    deadline = open_for(demo_org, Kind.INVESTIGATION, date(2026, 3, 2), code="CQ")
    pause(deadline, reason="委托鉴定评估", on=date(2026, 3, 10))
    with travel(2026, 3, 15):
        deadline = mark_met(deadline)
    assert not deadline.is_paused
    assert deadline.pauses.get().ended_on == date(2026, 3, 15)


def test_deadlines_of_a_subject(demo_org):
    city = demo_org.city
    report = open_for(demo_org, Kind.ANNUAL_REPORT, date(2026, 1, 1), subject=city)
    open_for(demo_org, Kind.SCREENING_ROUND, date(2026, 10, 1))  # another subject
    round_q3 = open_for(demo_org, Kind.SCREENING_ROUND, date(2026, 7, 1), subject=city)
    assert list(deadlines_of(city)) == [round_q3, report]
    assert report.subject == city
    assert report.subject_label == str(city)
    # a jurisdiction has no page of its own: the deadline's page
    assert report.link == reverse("workflow:deadline_detail", args=[report.pk])
