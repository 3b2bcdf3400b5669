"""Periods follow the facts, not the moment of data entry (issue 13).

- CQ 五: 损害调查应当在30日内完成，开展鉴定评估时间不计入损害调查期限. The investigation clock
  stops on the appraisal's entrustment date and runs again on its completion date as they
  were recorded, whatever day they are typed in; correcting either date recomputes the due
  date, with the change in the deadline's history.
- SX 第十四条: 鉴定评估期限原则上不超过30个工作日（自委托书生效之日起计算）; counted, as every
  period, from the day after (民法典 第二百零一条), so from the recorded entrustment date.

Dates by hand (2026: 中秋节 9月25日–27日, 国庆节 10月1日–7日, make-up working days 9月20日 and
10月10日). A CQ case investigated from 9月1日: 30 days end on 10月1日, a holiday, so 10月8日.
"""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.roles import Role
from cases.appraisal import cancel_appraisal, correct_dates, entrust, record_result
from cases.models import Appraisal, Case
from tests.factories import DepartmentFactory, UserFactory
from workflow.audit import history
from workflow.deadlines import DeadlineError, deadlines_of, pause, resume, scan_deadlines
from workflow.models import Deadline, DeadlineChange, DeadlineKind

from .appraisal_factories import AppraisalOrg, InstitutionFactory, make_case

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
Method = Appraisal.Method
R = Case.Restorability
CQ_REASON = "鉴定评估期间不计入调查期限（CQ 五；NAT 四）"


def travel(y: int, m: int, d: int):
    return time_machine.travel(datetime(y, m, d, 10, tzinfo=SHANGHAI), tick=False)


def reload(obj):
    return type(obj).objects.get(pk=obj.pk)


@pytest.fixture
def cq():
    return AppraisalOrg("CQ")


@pytest.fixture
def sx():
    return AppraisalOrg("SX")


def investigation_of(case) -> Deadline:
    return deadlines_of(case).get(kind=DeadlineKind.INVESTIGATION)


def cq_case(org):
    """A CQ case in 调查中 since 2026-09-01: the investigation is due 2026-10-08."""
    with travel(2026, 9, 1):
        return make_case(org, classification=Case.Classification.ORDINARY)


def entrust_on(org, case, entrusted_on: date, *, recorded: date):
    with travel(recorded.year, recorded.month, recorded.day):
        return entrust(case, method=Method.INSTITUTION, institution=InstitutionFactory(),
                       entrusted_on=entrusted_on, by=org.officer)


def finish_on(org, appraisal, finished_on: date, *, recorded: date):
    with travel(recorded.year, recorded.month, recorded.day):
        return record_result(appraisal, amount=Decimal("420000.00"), restorability=R.YES,
                             report_number="渝环鉴〔2026〕8号", finished_on=finished_on,
                             by=org.officer)


def entrusted_and_finished(org):
    """Entrusted 9月10日, entered 9月15日; finished 10月20日, entered 10月23日."""
    case = cq_case(org)
    appraisal = entrust_on(org, case, date(2026, 9, 10), recorded=date(2026, 9, 15))
    appraisal = finish_on(org, appraisal, date(2026, 10, 20), recorded=date(2026, 10, 23))
    return case, appraisal


# --- pause and resume on the recorded dates (CQ 五) -----------------------------------------

def test_the_investigation_pauses_from_the_recorded_entrustment_date(cq):
    case = cq_case(cq)
    assert investigation_of(case).due == date(2026, 10, 8)
    entrust_on(cq, case, date(2026, 9, 10), recorded=date(2026, 9, 15))

    investigation = investigation_of(case)
    assert investigation.paused_since == date(2026, 9, 10)  # not 9月15日, the day of entry
    assert investigation.pauses.get().started_on == date(2026, 9, 10)
    change = investigation.changes.get(action=DeadlineChange.Action.PAUSED)
    assert change.explanation.startswith("自2026年9月10日起中止计算")


def test_counting_resumes_on_the_recorded_completion_date(cq):
    case, _appraisal = entrusted_and_finished(cq)
    investigation = investigation_of(case)
    assert not investigation.is_paused
    assert investigation.pauses.get().ended_on == date(2026, 10, 20)  # not 10月23日
    # 9月10日–10月19日: 40 days not counted; 30 + 40 = 70 days after 9月1日 is 11月10日
    # (a Tuesday). Entered dates (9月15日–10月22日, 38 days) would have given 11月9日.
    assert investigation.paused_days == 40
    assert investigation.due == date(2026, 11, 10)
    assert f"中止期间40日不计入（{CQ_REASON}，2026年9月10日至2026年10月19日）" \
        in investigation.explanation
    resumed = investigation.changes.get(action=DeadlineChange.Action.RESUMED)
    assert (resumed.old_due, resumed.new_due) == (date(2026, 10, 8), date(2026, 11, 10))


def test_an_investigation_marked_overdue_after_the_entrustment_is_paused_from_it(cq):
    # Entrusted 10月5日, before the due date 10月8日, but entered on 10月12日 after the scan
    # marked the investigation overdue: the period had stopped running, so it is paused.
    case = cq_case(cq)
    scan_deadlines(now=datetime(2026, 10, 9, 8, tzinfo=SHANGHAI))
    assert investigation_of(case).status == Deadline.Status.OVERDUE
    appraisal = entrust_on(cq, case, date(2026, 10, 5), recorded=date(2026, 10, 12))
    investigation = investigation_of(case)
    assert investigation.status == Deadline.Status.OPEN
    assert investigation.paused_since == date(2026, 10, 5)
    # 10月5日–10月14日 paused (10 days): 40 days after 9月1日 is 10月11日, a Sunday → 10月12日
    finish_on(cq, appraisal, date(2026, 10, 15), recorded=date(2026, 10, 16))
    investigation = investigation_of(case)
    assert investigation.due == date(2026, 10, 12)
    assert investigation.next_action_on == date(2026, 10, 16)  # the next scan finds it late


def test_overlapping_appraisals_pause_from_the_first_entrustment_to_the_last_completion(cq):
    case = cq_case(cq)
    first = entrust_on(cq, case, date(2026, 9, 10), recorded=date(2026, 9, 15))
    second = entrust_on(cq, case, date(2026, 9, 8), recorded=date(2026, 9, 16))
    assert investigation_of(case).paused_since == date(2026, 9, 8)
    finish_on(cq, first, date(2026, 10, 10), recorded=date(2026, 10, 12))
    assert investigation_of(case).is_paused  # the second still runs
    finish_on(cq, second, date(2026, 10, 5), recorded=date(2026, 10, 15))
    investigation = investigation_of(case)
    # 9月8日–10月9日 (32 days): 62 days after 9月1日 is 11月2日 (a Monday)
    assert investigation.pauses.get().ended_on == date(2026, 10, 10)
    assert (investigation.paused_days, investigation.due) == (32, date(2026, 11, 2))


# --- correcting the dates -------------------------------------------------------------------

def test_correcting_the_entrustment_date_on_the_page_recomputes_the_due_date(client, cq):
    case, appraisal = entrusted_and_finished(cq)
    client.force_login(cq.officer)
    url = reverse("cases:appraisal_dates", args=[appraisal.pk])
    with travel(2026, 10, 26):
        page = client.get(reverse("cases:case_section", args=[case.pk, "appraisals"]),
                          HTTP_HX_REQUEST="true").content.decode()
        assert url in page  # the case page's 鉴定评估 links to the correction
        form = client.get(url).content.decode()
        assert 'value="2026-09-10"' in form and 'value="2026-10-20"' in form
        response = client.post(url, {"entrusted_on": "2026-09-08", "finished_on": "2026-10-20",
                                     "reason": "委托书生效日期录入有误，以委托书为准。"})
    assert response.status_code == 302
    assert reload(appraisal).entrusted_on == date(2026, 9, 8)
    investigation = investigation_of(case)
    # 9月8日–10月19日: 42 days; 72 days after 9月1日 is 11月12日 (a Thursday)
    assert (investigation.paused_days, investigation.due) == (42, date(2026, 11, 12))
    change = investigation.changes.get(action=DeadlineChange.Action.RECOMPUTED)
    assert (change.old_due, change.new_due) == (date(2026, 11, 10), date(2026, 11, 12))
    assert change.by == cq.officer
    assert "委托日期由2026年9月10日更正为2026年9月8日" in change.reason
    assert "委托书生效日期录入有误" in change.reason and "CQ 五" in change.reason
    assert change.explanation.startswith(
        "中止期间由“2026年9月10日中止、2026年10月20日恢复计算”"
        "更正为“2026年9月8日中止、2026年10月20日恢复计算”。")
    assert "中止期间42日不计入" in change.explanation
    assert any("entrusted_on" in event.changes for event in history(reload(appraisal)))


def test_correcting_the_completion_date_moves_the_resumption(cq):
    case, appraisal = entrusted_and_finished(cq)
    with travel(2026, 10, 26):
        correct_dates(appraisal, entrusted_on=date(2026, 9, 10), finished_on=date(2026, 10, 16),
                      reason="鉴定评估报告落款日期为10月16日。", by=cq.officer)
    investigation = investigation_of(case)
    # 9月10日–10月15日: 36 days; 66 days after 9月1日 is 11月6日 (a Friday)
    assert investigation.pauses.get().ended_on == date(2026, 10, 16)
    assert (investigation.paused_days, investigation.due) == (36, date(2026, 11, 6))
    change = investigation.changes.get(action=DeadlineChange.Action.RECOMPUTED)
    assert (change.old_due, change.new_due) == (date(2026, 11, 10), date(2026, 11, 6))
    assert "完成日期由2026年10月20日更正为2026年10月16日" in change.reason
    assert reload(appraisal).finished_on == date(2026, 10, 16)


def test_correcting_a_running_appraisal_moves_the_start_of_the_pause(client, cq):
    case = cq_case(cq)
    appraisal = entrust_on(cq, case, date(2026, 9, 10), recorded=date(2026, 9, 15))
    client.force_login(cq.officer)
    url = reverse("cases:appraisal_dates", args=[appraisal.pk])
    with travel(2026, 9, 20):
        assert 'name="finished_on"' not in client.get(url).content.decode()
        response = client.post(url, {"entrusted_on": "2026-09-08", "reason": "录入有误。"})
    assert response.status_code == 302
    investigation = investigation_of(case)
    assert investigation.paused_since == date(2026, 9, 8)
    change = investigation.changes.get(action=DeadlineChange.Action.RECOMPUTED)
    assert change.old_due == change.new_due == date(2026, 10, 8)
    assert "更正为“2026年9月8日起中止”" in change.explanation


def test_refused_dates_are_shown_next_to_their_fields_and_nothing_changes(client, cq):
    case, appraisal = entrusted_and_finished(cq)
    client.force_login(cq.officer)
    url = reverse("cases:appraisal_dates", args=[appraisal.pk])
    with travel(2026, 10, 26):
        future = client.post(url, {"entrusted_on": "2026-10-30", "finished_on": "2026-10-20",
                                   "reason": "更正。"})
        backwards = client.post(url, {"entrusted_on": "2026-09-10",
                                      "finished_on": "2026-09-05", "reason": "更正。"})
        no_reason = client.post(url, {"entrusted_on": "2026-09-08",
                                      "finished_on": "2026-10-20", "reason": " "})
        too_early = client.post(url, {"entrusted_on": "2026-08-20",
                                      "finished_on": "2026-10-20", "reason": "更正。"})
    assert future.status_code == backwards.status_code == no_reason.status_code == 200
    html = future.content.decode()
    assert 'id="id_entrusted_on_error"' in html and "委托日期不能晚于今天。" in html
    html = backwards.content.decode()
    assert 'id="id_finished_on_error"' in html
    assert "完成日期不能早于委托日期（2026年9月10日）。" in html
    assert 'id="id_reason_error"' in no_reason.content.decode()
    assert "委托日期不能早于调查开始日期（2026年9月1日）。" in too_early.content.decode()
    appraisal = reload(appraisal)
    assert (appraisal.entrusted_on, appraisal.finished_on) == (date(2026, 9, 10),
                                                               date(2026, 10, 20))
    investigation = investigation_of(case)
    assert investigation.due == date(2026, 11, 10)
    assert not investigation.changes.filter(action=DeadlineChange.Action.RECOMPUTED).exists()


def test_correction_page_404_outside_the_scope_and_403_without_the_role(client, cq):
    case, appraisal = entrusted_and_finished(cq)
    url = reverse("cases:appraisal_dates", args=[appraisal.pk])
    data = {"entrusted_on": "2026-09-08", "finished_on": "2026-10-20", "reason": "更正。"}
    stranger = UserFactory(department=DepartmentFactory(jurisdiction=cq.jurisdiction),
                           role=Role.OFFICER)
    finance = UserFactory(department=cq.department, role=Role.FINANCE)
    with travel(2026, 10, 26):
        client.force_login(stranger)
        assert (client.get(url).status_code, client.post(url, data).status_code) == (404, 404)
        client.force_login(finance)
        assert (client.get(url).status_code, client.post(url, data).status_code) == (403, 403)
    assert reload(appraisal).entrusted_on == date(2026, 9, 10)
    assert investigation_of(case).due == date(2026, 11, 10)


def test_the_service_checks_the_handler_and_refuses_a_withdrawn_appraisal(cq):
    case = cq_case(cq)
    appraisal = entrust_on(cq, case, date(2026, 9, 10), recorded=date(2026, 9, 15))
    finance = UserFactory(department=cq.department, role=Role.FINANCE)
    with travel(2026, 9, 20):
        with pytest.raises(PermissionDenied, match="办理案件的权限"):
            correct_dates(appraisal, entrusted_on=date(2026, 9, 8), reason="x", by=finance)
        cancel_appraisal(appraisal, reason="机构不能受理。", by=cq.officer)
        with pytest.raises(ValidationError, match="已撤销，不能更正日期"):
            correct_dates(appraisal, entrusted_on=date(2026, 9, 8), reason="x", by=cq.officer)


# --- the appraisal's own period (SX 第十四条) -------------------------------------------------

def test_the_appraisal_period_runs_from_the_recorded_entrustment_and_follows_a_correction(sx):
    with travel(2026, 9, 1):
        case = make_case(sx, classification=Case.Classification.ORDINARY)
    appraisal = entrust_on(sx, case, date(2026, 9, 10), recorded=date(2026, 9, 15))
    period = appraisal.deadline
    # From the day after 9月10日: 9月11日, 14–18日, the make-up Sunday 20日, 21–24日, 28–30日
    # (14), 10月8–10日 (17), 12–16日, 19–23日 (27), 26–28日: the 30th is Wednesday 10月28日.
    assert period.start_date == date(2026, 9, 10)
    assert period.due == date(2026, 10, 28)
    assert "自2026年9月10日（委托书生效）次日起算30个工作日" in period.explanation
    with travel(2026, 9, 20):
        correct_dates(appraisal, entrusted_on=date(2026, 9, 8), reason="录入有误。",
                      by=sx.officer)
    period = Deadline.objects.get(pk=period.pk)
    assert period.start_date == date(2026, 9, 8)
    assert period.due == date(2026, 10, 26)  # two working days earlier (9月9日, 10日)
    change = period.changes.get(action=DeadlineChange.Action.RECOMPUTED)
    assert (change.old_due, change.new_due) == (date(2026, 10, 28), date(2026, 10, 26))
    assert change.explanation.startswith("起算日由2026年9月10日更正为2026年9月8日。")


# --- the engine: effective dates validated ------------------------------------------------------

def test_pause_and_resume_take_an_effective_date_checked_in_chinese(cq):
    case = cq_case(cq)
    deadline = investigation_of(case)
    with travel(2026, 9, 15):
        with pytest.raises(DeadlineError, match="中止起始日2026年9月16日不能晚于今天") as future:
            pause(deadline, reason="委托鉴定评估", on=date(2026, 9, 16))
        assert future.value.field == "on"
        with pytest.raises(DeadlineError, match="中止日须在起算日2026年9月1日当日或之后"):
            pause(deadline, reason="委托鉴定评估", on=date(2026, 8, 31))
        pause(deadline, reason="委托鉴定评估", on=date(2026, 9, 5))
        with pytest.raises(DeadlineError, match="恢复计算日2026年9月16日不能晚于今天"):
            resume(deadline, on=date(2026, 9, 16))
        with pytest.raises(DeadlineError, match="不得早于中止起始日2026年9月5日"):
            resume(deadline, on=date(2026, 9, 4))
        deadline = resume(deadline, on=date(2026, 9, 10))
        assert deadline.paused_days == 5
        with pytest.raises(DeadlineError, match="不得早于上一次中止后恢复计算之日2026年9月10日"):
            pause(deadline, reason="再次委托", on=date(2026, 9, 9))
    with travel(2026, 9, 20):  # without on=: today, as before
        assert pause(deadline, reason="再次委托").paused_since == date(2026, 9, 20)
