"""The annual work report (年度生态环境损害赔偿工作情况, SX 第四十条): its totals are the
dashboard's figures for the same year and scope, hand-counted on the dashboard's world
(tests/oversight/conftest.py, clock 2026-11-15); who may generate it, tested through the views;
the PDF read back with pypdf and the Excel with openpyxl."""

from io import BytesIO

import openpyxl
import pytest
from django.urls import reverse
from pypdf import PdfReader

from accounts.roles import Role
from oversight import annual, figures, periods
from oversight.models import AnnualReportText
from oversight.selection import Selection
from tests.conftest import login
from tests.factories import UserFactory

from .conftest import D

PAGE = reverse("oversight:annual_report")
PDF = reverse("oversight:annual_pdf")
XLSX = reverse("oversight:annual_xlsx")
TEXT = reverse("oversight:annual_text")
REPORTS = reverse("oversight:reports")


def dashboard_selection(user, jurisdiction=None):
    return Selection(user=user, period=periods.year(2026), today=D(2026, 11, 15),
                     jurisdiction=jurisdiction)


def build(user, jurisdiction):
    return annual.build(annual.selection(user, jurisdiction, 2026, D(2026, 11, 15)))


# --- the figures -----------------------------------------------------------------------------

def test_coordinator_totals_are_hand_counted_and_equal_the_dashboard(world):
    # SX 第四十条: the coordinator of 甲市 reports 甲市 and 乙区 (cases A, B, C, D)
    report = build(world.coordinator, world.c1)
    assert report.title == "甲市2026年度生态环境损害赔偿工作情况"
    assert report.clues.total == 5  # 3 水利局 + 1 生态环境局 + 1 乙区
    assert (report.started, report.terminated, report.concluded) == (4, 1, 1)
    assert {r.code: r.count for r in report.by_classification}["major"] == 2
    assert [c.number for c, _, _ in report.terminations] == [world.cases["B"].number]
    assert (report.majors.total, report.majors.open) == (2, 1)
    assert report.money.total.claimed == 650000
    assert (report.money.total.judged, report.money.total.paid) == (80000, 80000)
    assert report.money.total.deposit_held == 30000

    for sel in (dashboard_selection(world.coordinator),
                dashboard_selection(world.coordinator, world.c1)):
        clues = figures.clues_by_channel_and_outcome(sel)
        assert report.clues.total == clues.total
        assert report.clues.outcome_totals == clues.outcome_totals
        trend = figures.case_trend(sel)[-4:]  # the year's four quarters
        assert report.started == sum(q.started for q in trend)
        assert report.terminated == sum(q.terminated for q in trend)
        assert report.concluded == sum(q.closed for q in trend)
        money = figures.money(sel)
        assert report.money.total.values() == money.total.values()
        rest = figures.restoration(sel)
        assert (report.restoration.total, report.restoration.assessments) == \
            (rest.total, rest.assessments)
        majors = figures.major_cases(sel)
        assert (report.majors.total, report.majors.open) == (majors.total, majors.open)


def test_a_department_heads_report_counts_only_what_the_department_sees(world):
    head = UserFactory(department=world.c1_water, role=Role.DEPARTMENT_HEAD)
    report = build(head, world.c1)
    assert report.clues.total == 3 and report.started == 2  # A and B only
    assert report.money.total.claimed == 150000
    sel = dashboard_selection(head)
    assert report.money.total.values() == figures.money(sel).total.values()
    assert report.clues.total == figures.clues_by_channel_and_outcome(sel).total


def test_the_provinces_report_equals_its_dashboard(world):
    report = build(world.provincial, world.province)
    sel = dashboard_selection(world.provincial)
    assert report.clues.total == figures.clues_by_channel_and_outcome(sel).total
    assert report.money.total.values() == figures.money(sel).total.values()
    trend = figures.case_trend(sel)[-4:]
    assert report.started == sum(q.started for q in trend)
    # the cities side by side, adding up to the province (issue 15, province view)
    assert [r.label for r in report.side.rows] == ["测试省（本级）", "甲市", "丙市"]
    assert sum(r.clues for r in report.side.rows) == report.clues.total
    assert sum(r.cases_opened for r in report.side.rows) == report.started
    assert sum(r.claimed for r in report.side.rows) == report.money.total.claimed
    assert report.side.total.clues == figures.breakdown(sel).total.clues


# --- who may generate it (through the views) -------------------------------------------------

@pytest.mark.parametrize("role", [Role.OFFICER, Role.DIVISION_HEAD, Role.PROCURATORATE,
                                  Role.FINANCE])
def test_other_roles_are_refused(client, world, role):
    login(client, UserFactory(department=world.c1_lead, role=role))
    for url in (PAGE, PDF, XLSX):
        assert client.get(url, {"year": 2026}).status_code == 403
    assert client.post(TEXT, {"year": 2026, "text": "x"}).status_code == 403
    assert not AnnualReportText.objects.exists()
    page = client.get(REPORTS)
    assert page.status_code == 200 and not page.context["may_annual"]


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(PDF)
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


def test_a_jurisdiction_outside_the_scope_is_refused(client, world):
    login(client, world.coordinator)
    response = client.get(PAGE, {"year": 2026, "jurisdiction": world.c2.pk})
    assert response.status_code == 200 and response.context["report"] is None
    assert "所选行政区不在您的数据范围内" in response.content.decode()
    assert client.get(PDF, {"year": 2026, "jurisdiction": world.c2.pk}).status_code == 400
    assert client.get(XLSX, {"year": 2026, "jurisdiction": world.c2.pk}).status_code == 400
    assert client.post(TEXT, {"year": 2026, "jurisdiction": world.c2.pk,
                              "text": "越权"}).status_code == 403
    # the lower jurisdiction is in scope
    assert client.get(PAGE, {"year": 2026, "jurisdiction": world.k1.pk}).context[
        "report"].started == 1


def test_only_the_coordinator_writes_the_text(client, world):
    head = UserFactory(department=world.c1_lead, role=Role.DEPARTMENT_HEAD)
    login(client, head)
    assert client.get(PAGE, {"year": 2026}).status_code == 200
    assert client.post(TEXT, {"year": 2026, "text": "部门负责人"}).status_code == 403

    login(client, world.coordinator)
    response = client.post(TEXT, {"year": 2026, "text": "本年度全面开展线索筛查。"})
    assert response.status_code == 302
    saved = AnnualReportText.objects.get()
    assert (saved.jurisdiction, saved.year, saved.updated_by) == \
        (world.c1, 2026, world.coordinator)
    client.post(TEXT, {"year": 2026, "text": "修改后的综述。"})
    assert AnnualReportText.objects.get().text == "修改后的综述。"
    from django.contrib.contenttypes.models import ContentType

    from workflow.models import AuditEvent
    assert AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(AnnualReportText),
        object_id=str(saved.pk)).count() == 2  # created, then changed
    assert "修改后的综述。" in client.get(PAGE, {"year": 2026}).content.decode()


# --- the files -------------------------------------------------------------------------------

def test_pdf_reads_back(client, world):
    AnnualReportText.objects.create(jurisdiction=world.c1, year=2026, text="综述正文第一段。",
                                    updated_by=world.coordinator)
    login(client, world.coordinator)
    response = client.get(PDF, {"year": 2026})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    text = text.replace(" ", "").replace("\n", "")
    assert "甲市2026年度生态环境损害赔偿工作情况" in text
    assert "启动索赔4件" in text and "终止索赔1件" in text and "结案1件" in text
    assert "登记线索5条" in text
    assert "650,000.00" in text
    assert "各行政区情况" in text and "甲市乙区" in text
    assert "综述正文第一段。" in text
    # the charts, drawn as inline SVG: the trend's quarters and the money bars' labels
    assert "一季" in text and "四季" in text
    assert "修复支出20,000.00元" in text


def test_excel_reads_back_with_text_kept_text(client, world):
    case = world.cases["B"]
    case.termination_reason = "=HYPERLINK(\"http://x\",\"y\")"
    case.save(update_fields=["termination_reason"])
    login(client, world.coordinator)
    response = client.get(XLSX, {"year": 2026})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(BytesIO(response.content)).active
    values = {row[0].value: row for row in sheet.iter_rows() if row[0].value}
    assert values["甲市2026年度生态环境损害赔偿工作情况"]
    assert values["启动索赔案件"][1].value == 4
    assert values["终止索赔案件"][1].value == 1
    assert values["结案案件"][1].value == 1
    assert values["合计"][1].value is not None
    assert values["申请强制执行"][1].value == 0
    assert values["索赔金额（鉴定评估损害数额）"][1].value == 650000
    reason = values[case.number][2]
    assert reason.value == case.termination_reason and reason.data_type == "s"
    assert reason.quotePrefix


def test_reports_page_links_the_other_reports(client, world):
    login(client, world.coordinator)
    html = client.get(REPORTS).content.decode()
    assert reverse("oversight:annual_report") in html
    assert reverse("screening:report_half_year") in html
    assert reverse("cases:major_ledger") in html
    # NAT 二 案件办理台账, with this year as its period (tests/oversight/test_case_ledger.py)
    assert f'action="{reverse("oversight:case_ledger")}"' in html
    assert '<option value="2026" selected>' in html


def _paid(case, *, purpose, amount, paid_on, by):
    from decimal import Decimal

    from restoration.models import FundAccount, SpendingRequest

    account, _ = FundAccount.objects.get_or_create(
        case=case, treasury=case.jurisdiction, fund=FundAccount.Fund.COMPENSATION,
        defaults={"received": Decimal("500000"), "spent": Decimal("0"),
                  "balance": Decimal("500000")})
    request = SpendingRequest.objects.create(
        case=case, account=account, reviewing_department=case.department,
        purpose_kind=purpose, purpose="测试", budget=Decimal(amount), requested_by=by,
        approved_amount=Decimal(amount), paid_on=paid_on)
    SpendingRequest.objects.filter(pk=request.pk).update(state=SpendingRequest.State.PAID)


def test_fund_use_counts_the_years_paid_spending_in_scope(client, world):
    # CQ 十五; SX 第三十七条: 资金使用, paid in the year, by purpose
    by = world.coordinator
    _paid(world.cases["D"], purpose="restoration", amount="20000", paid_on=D(2026, 9, 1), by=by)
    _paid(world.cases["D"], purpose="publicity", amount="5000", paid_on=D(2026, 10, 1), by=by)
    _paid(world.cases["D"], purpose="restoration", amount="7000", paid_on=D(2025, 12, 31), by=by)
    _paid(world.cases["E"], purpose="restoration", amount="9000", paid_on=D(2026, 9, 1), by=by)
    report = build(world.coordinator, world.c1)
    assert [(r.code, r.count, r.amount) for r in report.fund_use] == \
        [("restoration", 1, 20000), ("publicity", 1, 5000)]
    login(client, world.coordinator)
    sheet = openpyxl.load_workbook(BytesIO(client.get(XLSX, {"year": 2026}).content)).active
    values = {row[0].value: row for row in sheet.iter_rows() if row[0].value}
    assert (values["资金使用合计"][1].value, values["资金使用合计"][2].value) == (2, 25000)
    page = client.get(PAGE, {"year": 2026}).content.decode()
    assert "本年度支付赔偿资金 2 笔" in page and "25,000.00" in page
