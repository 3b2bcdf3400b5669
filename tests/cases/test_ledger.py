"""The major-case ledger (重大案件台帐) and its periodic progress dispatch (SX 第十二条: 建立台帐，
定期调度): the dispatch deadline opened through the engine when a case becomes 重大, met and
reopened by a progress note, cancelled when the case is no longer 重大, its reminder from the
scan; the ledger's scope, pagination and query count; the Excel export read back."""

from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.roles import Role
from cases import ledger
from cases.classification import save_checklist
from cases.models import Case, MajorCaseProgress
from cases.views_ledger import classification_panel
from rules.services import new_version, profile_in_force
from tests.factories import UserFactory
from tests.xlsx import HYPERLINK, assert_literal_text, cells_by_header
from workflow.deadlines import process_alerts, scan_deadlines
from workflow.models import Deadline, DeadlineAlert, Notification

from .factories import case_under

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
LEDGER = reverse("cases:major_ledger")
EXPORT = reverse("cases:major_ledger_export")
Status = Deadline.Status


def at(y, m, d):
    return time_machine.travel(datetime(y, m, d, 10, tzinfo=SHANGHAI), tick=False)


def progress_url(case):
    return reverse("cases:major_progress", args=[case.pk])


@pytest.fixture
def monthly():
    """SX and CQ with a monthly dispatch from 2026-10-01: a new version each, as an
    administrator would publish it (a changed value is a new version)."""
    versions = {}
    for code, citation in (("SX", "SX 第十二条"), ("CQ", "CQ 十")):
        versions[code] = new_version(
            profile_in_force(code, date(2026, 10, 1)), {ledger.KEY: {"months": 1}},
            by=None, effective_from=date(2026, 10, 1), note="重大案件每月至少调度一次",
            citations={ledger.KEY: citation})
    return versions


@pytest.fixture
def district(demo_org):
    return demo_org.departments["小店区生态环境分局"]


def major_case(department=None, code="SX", criteria=("inspection",), **fields):
    case = case_under(code, "800000.00", **({"department": department} if department else {}),
                      **fields)
    save_checklist(case, criteria=list(criteria), by=case.created_by)
    case.refresh_from_db()
    return case


# --- the dispatch deadline ---------------------------------------------------------------------

@at(2026, 11, 24)
def test_becoming_major_opens_the_dispatch_deadline(monthly):
    case = major_case()
    assert case.classification == Case.Classification.MAJOR
    deadline = ledger.active_dispatch(case).get()
    assert deadline.kind == Deadline.Kind.MAJOR_CASE_DISPATCH
    assert (deadline.start_date, deadline.days, deadline.due) == (
        date(2026, 11, 24), 30, date(2026, 12, 24))
    assert (deadline.rule_key, deadline.citation, deadline.profile) == (
        "major.progress_interval", "SX 第十二条", monthly["SX"])
    assert deadline.responsible == case.created_by and deadline.department == case.department
    assert deadline.title == f"案件 {case.number} 重大案件进展调度（每月）"
    assert "依据SX 第十二条" in deadline.explanation
    # the case itself keeps the version of its clue date; the recurring duty reads the one in
    # force when each period starts
    assert case.rule_profile.version == 1


@at(2026, 11, 24)
def test_classifying_again_keeps_one_dispatch_deadline(monthly):
    case = major_case()
    save_checklist(case, criteria=["inspection", "major_emergency"], by=case.created_by)
    assert ledger.active_dispatch(case).count() == 1


@at(2026, 11, 24)
def test_no_longer_major_cancels_the_dispatch(monthly):
    case = major_case(code="CQ")
    deadline = ledger.active_dispatch(case).get()
    assert deadline.citation == "CQ 十"
    save_checklist(case, criteria=[], by=case.created_by)
    deadline.refresh_from_db()
    assert deadline.status == Status.CANCELLED
    assert deadline.changes.last().reason == "案件重新分类为一般，不再属于重大案件"


@at(2026, 11, 24)
def test_stop_dispatch_for_a_closed_case(monthly):
    case = major_case()
    assert ledger.stop_dispatch(case, by=case.created_by, reason="案件已终止") == 1
    assert not ledger.active_dispatch(case).exists()


def test_a_progress_note_meets_the_deadline_and_opens_the_next(monthly, client, district):
    with at(2026, 11, 24):
        case = major_case(district)
        first = ledger.active_dispatch(case).get()
    officer = UserFactory(department=district, role=Role.OFFICER)
    with at(2026, 12, 10):
        client.force_login(officer)  # sessions expire after 8 hours
        response = client.post(progress_url(case), {
            "noted_on": "2026-12-10", "text": "已完成损害调查，鉴定评估机构已进场。"})
        assert response.status_code == 302, response.content.decode()[:2000]
        assert response.url == progress_url(case), response.url
    note = MajorCaseProgress.objects.get(case=case)
    assert (note.noted_on, note.by, note.deadline) == (date(2026, 12, 10), officer, first)
    first.refresh_from_db()
    assert first.status == Status.MET
    following = ledger.active_dispatch(case).get()
    # a month counted from the note: 2027-01-10 is a Sunday (2027's schedule not yet entered)
    assert (following.start_date, following.days) == (date(2026, 12, 10), 31)
    assert following.due == date(2027, 1, 11) and following.confirmed is False
    assert following.start_event == "登记调度进展"
    assert list(ledger.dispatch_deadlines(case).values_list("status", flat=True)) == [
        Status.MET, Status.OPEN]


@at(2026, 11, 24)
def test_progress_errors_are_in_chinese(monthly, client, district):
    case = major_case(district)
    client.force_login(UserFactory(department=district, role=Role.OFFICER))
    page = client.post(progress_url(case), {"noted_on": "2026-11-25", "text": ""}).content.decode()
    assert "进展日期不能晚于今天。" in page and "请填写进展情况。" in page
    page = client.post(progress_url(case), {"noted_on": "2026-09-01", "text": "x"}).content.decode()
    assert "进展日期不能早于案件启动日期2026年9月10日。" in page
    assert not MajorCaseProgress.objects.exists()


@at(2026, 11, 24)
def test_without_an_interval_no_dispatch_deadline(client, district):
    case = major_case(district)
    assert not ledger.dispatch_deadlines(case).exists()
    officer = UserFactory(department=district, role=Role.OFFICER)
    note, following = ledger.record_progress(case, noted_on=date(2026, 11, 24), text="调度",
                                             by=officer)
    assert following is None and note.deadline is None
    client.force_login(officer)
    page = client.get(progress_url(case)).content.decode()
    assert ledger.NOT_SET in page


def test_the_scan_reminds_the_officer(monthly):
    with at(2026, 11, 24):
        case = major_case()
    with at(2026, 12, 17):  # 7 days before 12-24
        result = scan_deadlines()
        process_alerts(result.alerts)
    alert = DeadlineAlert.objects.get(deadline__object_id=case.pk,
                                      deadline__kind=Deadline.Kind.MAJOR_CASE_DISPATCH)
    assert (alert.kind, alert.days_left) == (DeadlineAlert.Kind.REMINDER, 7)
    notice = Notification.objects.get(recipient=case.created_by)
    assert "重大案件进展调度" in notice.title and "还有7日届满" in notice.title


# --- the ledger page -------------------------------------------------------------------------

@at(2026, 11, 24)
def test_the_ledger_lists_major_cases_with_deadline_and_last_note(monthly, client, demo_org,
                                                                  district):
    case = major_case(district, cause="某化工企业突发环境事件致河流污染")
    ledger.record_progress(case, noted_on=date(2026, 11, 24), text="已召开调度会，明确鉴定评估时限。",
                           by=case.created_by)
    other = case_under("SX", "5000.00", department=district)  # not 重大
    client.force_login(demo_org.by_username["jingban"])  # the city's lead department
    page = client.get(LEDGER).content.decode()
    assert case.number in page and other.number not in page
    assert "某化工企业突发环境事件致河流污染" in page
    assert "索赔启动登记" in page  # stage
    assert "中央和省级生态环境保护督察发现的重要生态环境问题" in page
    assert "2026年12月24日" in page  # the next dispatch due date
    assert "已召开调度会" in page


@at(2026, 11, 24)
def test_ledger_scope(monthly, client, demo_org, district):
    case = major_case(district)
    # another department of the city, not the lead: nothing
    client.force_login(demo_org.by_username["shuiwu"])
    assert case.number not in client.get(LEDGER).content.decode()
    assert client.get(progress_url(case)).status_code == 404
    assert client.post(progress_url(case), {"noted_on": "2026-11-24", "text": "x"}
                       ).status_code == 404
    # a department of another jurisdiction: nothing
    stranger = UserFactory(role=Role.OFFICER)
    client.force_login(stranger)
    assert case.number not in client.get(LEDGER).content.decode()
    assert client.get(progress_url(case)).status_code == 404
    # the lead department's coordinator reads but does not record
    client.force_login(demo_org.by_username["qiantou"])
    assert case.number in client.get(LEDGER).content.decode()
    page = client.get(progress_url(case))
    assert page.status_code == 200 and "登记调度进展" not in page.content.decode()
    assert client.post(progress_url(case), {"noted_on": "2026-11-24", "text": "x"}
                       ).status_code == 403
    # the procuratorate has no ledger
    client.force_login(demo_org.by_username["jiancha"])
    assert client.get(LEDGER).status_code == 403
    # a case that is not 重大 has no progress page
    plain = case_under("SX", "5000.00", department=district)
    client.force_login(demo_org.by_username["xiaodian"])
    assert client.get(progress_url(plain)).status_code == 404
    assert not MajorCaseProgress.objects.exists()


@at(2026, 11, 24)
def test_ledger_queries_do_not_grow_with_rows(monthly, client, demo_org, district):
    client.force_login(demo_org.by_username["jingban"])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LEDGER).status_code == 200
        return len(queries)

    major_case(district)
    one = count()
    for _ in range(4):
        case = major_case(district, criteria=("inspection", "major_emergency"))
        ledger.record_progress(case, noted_on=date(2026, 11, 24), text="进展", by=case.created_by)
    assert count() == one


@at(2026, 11, 24)
def test_ledger_is_keyset_paginated(monthly, client, demo_org, district, settings):
    settings.ECOCLAIM_PAGE_SIZE = 2
    cases = [major_case(district, opened_on=date(2026, 9, d)) for d in (10, 11, 12)]
    client.force_login(demo_org.by_username["xiaodian"])
    response = client.get(LEDGER)
    first = response.content.decode()
    assert cases[2].number in first and cases[1].number in first
    assert cases[0].number not in first
    cursor = response.context["page"].next_cursor
    second = client.get(LEDGER, {"after": cursor}).content.decode()
    assert cases[0].number in second and cases[2].number not in second


# --- the export ------------------------------------------------------------------------------

@at(2026, 11, 24)
def test_the_export_reads_back(monthly, client, demo_org, district):
    case = major_case(district, cause="黄河支流非法采砂致河道生态破坏", criteria=("yellow_river_warning",),
                      fees="30000.00")
    ledger.record_progress(case, noted_on=date(2026, 11, 24), text="已移送检察机关支持起诉。",
                           by=case.created_by)
    elsewhere = major_case()  # another jurisdiction: not in the file
    client.force_login(demo_org.by_username["xiaodian"])
    response = client.get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(BytesIO(b"".join(response.streaming_content)))
    sheet = book["重大案件台帐"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == ledger.HEADERS
    assert rows[0][:3] == ("序号", "案件编号", "赔偿权利人")
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["E"].width == 36
    assert sheet.column_dimensions["G"].width == 48
    assert len(rows) == 2
    row = dict(zip(ledger.HEADERS, rows[1], strict=True))
    assert row["序号"] == 1 and row["案件编号"] == case.number
    assert row["案由"] == "黄河支流非法采砂致河道生态破坏"
    assert row["阶段"] == "索赔启动登记"
    assert row["重大案件情形"].startswith("黄河流域生态环境警示片曝光") and "SX 第十二条（四）" in \
        row["重大案件情形"]
    assert row["损害数额（元）"] == 800000  # the damage amount; fees apart
    assert row["启动日期"].date() == date(2026, 9, 10)  # Excel dates read back naive
    assert row["调度届满日"].date() == date(2026, 12, 24)
    assert row["下一期限"].endswith("重大案件进展调度（每月）")
    assert row["最近进展日期"].date() == date(2026, 11, 24)
    assert row["最近进展情况"] == "已移送检察机关支持起诉。"
    assert elsewhere.number not in {r[1] for r in rows}


@at(2026, 11, 24)
def test_the_export_writes_formula_like_text_as_text(monthly, client, demo_org, district):
    # OWASP: a cause or a progress note typed as a formula must not become one (issue 14.1)
    case = major_case(district, cause=HYPERLINK)
    ledger.record_progress(case, noted_on=date(2026, 11, 24), text="-2+3", by=case.created_by)
    client.force_login(demo_org.by_username["xiaodian"])
    response = client.get(EXPORT)
    book = load_workbook(BytesIO(b"".join(response.streaming_content)))
    (row,) = cells_by_header(book["重大案件台帐"])
    assert_literal_text(row["案由"], HYPERLINK)
    assert_literal_text(row["最近进展情况"], "-2+3")
    assert row["启动日期"].is_date and row["损害数额（元）"].data_type == "n"


@at(2026, 11, 24)
def test_the_case_page_include_shows_the_dispatch(monthly, district):
    case = major_case(district)
    officer = UserFactory(department=district, role=Role.OFFICER)
    request = RequestFactory().get("/")
    request.user = officer
    html = render_to_string("cases/_classification.html", {
        "classification_panel": classification_panel(case, officer)}, request=request)
    assert 'data-testid="classification-result">重大<' in html
    assert "具有重大案件情形：中央和省级生态环境保护督察" in html
    assert "2026年12月24日" in html and "登记调度进展" in html
    assert progress_url(case) in html
