"""The pages: role (403) and scope (404) on every view, errors next to the fields, the finance
department's own scope for spending requests, the Excel export, the case page's panel and the
closing request; no inline styles or scripts (CSP)."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Department
from cases.models import Case
from restoration import services
from restoration.models import AlternativeProject, RestorationProject, SpendingRequest
from tests.factories import DepartmentFactory, JurisdictionFactory, UserFactory
from tests.restoration.factories import (
    D,
    _code,
    agreement_with,
    finance_for,
    library_project,
    pdf,
    walk,
)
from tests.xlsx import CMD, HYPERLINK, assert_literal_text, cells_by_header
from workflow import approvals

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("november")]


@pytest.fixture
def case(d):
    return agreement_with(d, deposit="10000").case


def project_of(case) -> RestorationProject:
    return case.restoration_projects.get()


def as_user(client, user):
    client.force_login(user)
    return client


def no_inline(response) -> None:
    html = response.content.decode()
    assert " style=" not in html and "<script>" not in html


def restoration_section(client, case):
    return client.get(reverse("cases:case_section", args=[case.pk, "restoration"]),
                      HTTP_HX_REQUEST="true")


def test_the_case_page_shows_the_restoration_panel(client, d, case):
    response = restoration_section(as_user(client, d.officer), case)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="restoration-panel"' in html and "修复项目1：河段底泥清淤" in html
    assert "结案前尚需" in html and "尚欠缴123,000.00 元" in html
    no_inline(response)
    # the case page's 下一步: the project's next step, and 申请结案 with what stands in its way
    response = client.get(case.get_absolute_url())
    page = response.content.decode()
    steps = page[page.index('data-testid="next-steps"'):]
    assert project_of(case).get_absolute_url() in steps and "修复项目1" in steps
    later = steps[steps.index("尚不能办理"):]
    assert "申请结案" in later and "尚欠缴123,000.00 元" in later
    no_inline(response)


def test_a_project_page_for_who_may_see_it(client, d, case):
    project = project_of(case)
    url = project.get_absolute_url()
    response = as_user(client, d.officer).get(url)
    assert response.status_code == 200
    assert 'data-testid="step-plan"' in response.content.decode()
    no_inline(response)
    # the heads read it but have no steps
    response = as_user(client, d.division_head).get(url)
    assert response.status_code == 200 and 'data-testid="step-plan"' not in \
        response.content.decode()
    outsider = UserFactory(role="officer")
    assert as_user(client, outsider).get(url).status_code == 404
    finance = finance_for(d)
    assert as_user(client, finance.user).get(url).status_code == 403
    procuratorate = DepartmentFactory(jurisdiction=d.department.jurisdiction,
                                      kind="procuratorate")
    prosecutor = UserFactory(department=procuratorate, role="procuratorate")
    assert as_user(client, prosecutor).get(url).status_code == 404
    services.invite_procuratorate(project, procuratorate=procuratorate,
                                  invited_on=D(2026, 11, 1), by=d.officer)
    assert as_user(client, prosecutor).get(url).status_code == 200
    step = reverse("restoration:project_step", args=[project.pk, "plan"])
    assert as_user(client, prosecutor).get(step).status_code == 403


def test_a_step_posts_through_the_service_and_shows_errors_next_to_fields(client, d, case):
    project = project_of(case)
    url = reverse("restoration:project_step", args=[project.pk, "plan"])
    client = as_user(client, d.officer)
    response = client.post(url, {"summary": "", "drafted_on": "2026-10-26"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "请填写修复方案概要。" in html and "is-invalid" in html
    response = client.post(url, {"summary": "清淤方案", "drafted_on": "2026-10-26",
                                 "seen_state": "planning"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "须填写修复方案概要并上传修复方案" in html  # no file: refused
    assert "委托第三方修复须登记受委托的第三方机构" in html
    executor = reverse("restoration:project_step", args=[project.pk, "executor"])
    response = client.post(executor, {"name": "山西某修复公司", "credit_code": "123"})
    assert response.status_code == 200 and "统一社会信用代码" in response.content.decode()
    assert client.post(executor, {"name": "山西某修复公司", "credit_code": _code()}
                       ).status_code == 302
    response = client.post(url, {"summary": "清淤方案", "drafted_on": "2026-10-26",
                                 "seen_state": "planning", "plan_file": pdf("方案.pdf")})
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert RestorationProject.objects.get(pk=project.pk).state == "plan_drafted"
    # a step that does not fit the state goes back with a message
    response = client.get(url)
    assert response.status_code == 302
    assert as_user(client, d.division_head).get(
        reverse("restoration:project_step", args=[project.pk, "review"])).status_code == 403


def test_site_visit_with_several_photos(client, d, case):
    project = walk(project_of(case), d, "in_progress")
    url = reverse("restoration:project_step", args=[project.pk, "visit"])
    photos = [pdf("一.jpg"), pdf("二.png")]
    response = as_user(client, d.officer).post(url, {
        "visited_on": "2026-11-01", "visitors": "张某", "findings": "清淤过半", "progress": "60",
        "photos": photos})
    assert response.status_code == 302
    page = client.get(project.get_absolute_url()).content.decode()
    assert "一.jpg" in page and "二.png" in page and "2026年11月1日" in page
    response = client.post(url, {"visited_on": "2026-11-01", "visitors": "张某",
                                 "findings": "x", "photos": [pdf("病毒.exe")]})
    assert response.status_code == 200 and "不支持的文件类型" in response.content.decode()


def test_the_case_fund_ledger_is_not_for_finance_or_other_departments(client, d, case):
    url = reverse("restoration:case_funds", args=[case.pk])
    response = as_user(client, d.officer).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="owed">123,000.00<' in html and "登记缴款" in html
    no_inline(response)
    assert as_user(client, finance_for(d).user).get(url).status_code == 404
    assert as_user(client, UserFactory(role="officer")).get(url).status_code == 404
    prosecutor = UserFactory(role="procuratorate", department=d.department)
    assert as_user(client, prosecutor).get(url).status_code == 403


def test_a_payment_through_the_page(client, d, case):
    obligation = case.fund_obligations.get()
    url = reverse("restoration:payment_create", args=[obligation.pk])
    client = as_user(client, d.officer)
    response = client.post(url, {"paid_on": "2026-11-01", "amount": "200000",
                                 "receipt_number": "FS-1"})
    assert response.status_code == 200
    assert "缴款金额超过欠缴金额" in response.content.decode()
    response = client.post(url, {"paid_on": "2026-11-01", "amount": "23000",
                                 "receipt_number": "FS-1"})
    assert response.status_code == 302
    obligation.refresh_from_db()
    assert obligation.outstanding == Decimal("100000.00")
    assert as_user(client, d.division_head).post(url, {}).status_code == 403
    assert as_user(client, UserFactory(role="officer")).get(url).status_code == 404


def test_extensions_are_for_heads(client, d, case):
    item = case.fund_obligations.get().schedule.get()
    url = reverse("restoration:schedule_extend", args=[item.pk])
    assert as_user(client, d.officer).get(url).status_code == 403
    response = as_user(client, d.division_head).post(url, {"due_on": "2027-03-31",
                                                           "reason": "资金困难"})
    assert response.status_code == 200 and "延期缴纳须有有效担保" in response.content.decode()
    response = client.post(url, {"due_on": "2027-03-31", "reason": "资金困难",
                                 "guarantee": "连带保证"})
    assert response.status_code == 302


def test_spending_review_by_the_named_finance_department_only(client, d, case):
    finance = finance_for(d)
    obligation = case.fund_obligations.get()
    services.record_payment(obligation, paid_on=D(2026, 11, 1), amount=Decimal("123000"),
                            receipt_number="FS-1", by=d.officer)
    client = as_user(client, d.officer)
    response = client.post(reverse("restoration:spending_create", args=[case.pk]), {
        "account": case.fund_accounts.get().pk, "purpose_kind": "restoration",
        "restoration_project": project_of(case).pk, "purpose": "委托清淤",
        "budget": "50000"})
    assert response.status_code == 302
    spending = SpendingRequest.objects.get(case=case)
    assert client.post(reverse("restoration:spending_submit", args=[spending.pk]),
                       {"seen_state": "draft"}).status_code == 302
    review = reverse("restoration:spending_review", args=[spending.pk])
    assert client.post(review, {"decision": "approve", "opinion": "同意"}).status_code == 403
    other = UserFactory(role="finance", department=Department.objects.create(
        name="外市财政局", kind="finance", jurisdiction=JurisdictionFactory()))
    assert as_user(client, other).get(spending.get_absolute_url()).status_code == 404
    assert as_user(client, other).post(review, {"decision": "approve",
                                                "opinion": "同意"}).status_code == 404
    client = as_user(client, finance.user)
    inbox = client.get(reverse("restoration:finance_inbox"))
    assert inbox.status_code == 200 and spending.get_absolute_url() in inbox.content.decode()
    detail = client.get(spending.get_absolute_url())
    assert detail.status_code == 200 and "提交审核结果" in detail.content.decode()
    assert case.get_absolute_url() not in detail.content.decode()  # finance gets no case link
    no_inline(detail)
    response = client.post(review, {"decision": "return", "opinion": "", "seen_state":
                                    "submitted"})
    assert response.status_code == 200 and "请填写审核意见。" in response.content.decode()
    assert client.post(review, {"decision": "approve", "opinion": "同意",
                                "seen_state": "submitted"}).status_code == 302
    assert client.post(reverse("restoration:spending_pay", args=[spending.pk]), {
        "paid_on": "2026-11-02", "voucher_number": "ZF-1", "seen_state": "approved"}
    ).status_code == 302
    spending.refresh_from_db()
    assert spending.state == "paid"
    assert client.get(reverse("restoration:index")).status_code == 302  # → the finance inbox
    home = client.get("/").content.decode()
    assert "待审核或支付的资金使用申请" in home


def test_the_excel_export_has_the_ledger_and_its_totals(client, d, case):
    obligation = case.fund_obligations.get()
    services.record_payment(obligation, paid_on=D(2026, 11, 1), amount=Decimal("23000.45"),
                            receipt_number="FS-1", by=d.officer)
    response = as_user(client, d.officer).get(
        reverse("restoration:case_funds_export", args=[case.pk]))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == ["缴纳义务", "资金账户", "缴款明细", "资金使用", "保证金"]
    rows = list(workbook["缴纳义务"].values)
    assert rows[0][:3] == ("案件编号", "缴纳义务人", "款项")
    assert rows[1][5:8] == (123000, 23000.45, 99999.55)
    assert rows[-1][0] == "合计" and rows[-1][5] == 123000
    accounts = list(workbook["资金账户"].values)
    assert accounts[1][3:] == (23000.45, 0, 23000.45)
    payments = list(workbook["缴款明细"].values)
    assert payments[1][6] == "FS-1"
    assert workbook["缴款明细"]["B2"].number_format == 'yyyy"年"m"月"d"日"'


def test_the_excel_export_writes_formula_like_text_as_text(client, d, case):
    # OWASP: names, payers, receipt numbers, guarantees and notes typed as formulas stay text
    # (issue 14.1)
    obligation = case.fund_obligations.get()
    party = obligation.obligor.party
    type(party).objects.filter(pk=party.pk).update(name="\t=1")
    type(obligation).objects.filter(pk=obligation.pk).update(guarantee="@SUM(1)")
    services.record_payment(obligation, paid_on=D(2026, 11, 1), amount=Decimal("100"),
                            receipt_number="+1+1", payer=CMD, by=d.officer)
    services.receive_deposit(case, on=D(2026, 11, 1), amount=Decimal("10"), reference="-2+3",
                             by=d.officer)
    response = as_user(client, d.officer).get(
        reverse("restoration:case_funds_export", args=[case.pk]))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    obligations = cells_by_header(workbook["缴纳义务"])
    assert_literal_text(obligations[0]["缴纳义务人"], "\t=1")
    assert_literal_text(obligations[0]["担保情况"], "@SUM(1)")
    (payment,) = cells_by_header(workbook["缴款明细"])
    assert_literal_text(payment["缴款人"], CMD)
    assert_literal_text(payment["非税收入票据号"], "+1+1")
    assert payment["金额（元）"].value == 100 and payment["缴款日期"].is_date
    movement = cells_by_header(workbook["保证金"])[-1]
    assert_literal_text(movement["票据或凭证号"], "-2+3")

    # the jurisdiction's ledger goes through the same writer
    type(case).objects.filter(pk=case.pk).update(number=HYPERLINK)
    export = as_user(client, finance_for(d).user).get(
        reverse("restoration:jurisdiction_ledger_export"))
    workbook = load_workbook(io.BytesIO(b"".join(export.streaming_content)))
    assert_literal_text(workbook["缴纳义务"]["A2"], HYPERLINK)


def test_the_jurisdiction_ledger_for_finance_and_its_export(client, d, case):
    finance = finance_for(d)
    obligation = case.fund_obligations.get()
    services.record_payment(obligation, paid_on=D(2026, 11, 1), amount=Decimal("1000"),
                            receipt_number="FS-1", by=d.officer)
    client = as_user(client, finance.user)
    response = client.get(reverse("restoration:jurisdiction_ledger"))
    assert response.status_code == 200
    html = response.content.decode()
    assert case.number in html and 'data-testid="received">1,000.00<' in html
    no_inline(response)
    elsewhere = JurisdictionFactory()
    assert client.get(reverse("restoration:jurisdiction_ledger") +
                      f"?jurisdiction={elsewhere.pk}").status_code == 404
    export = client.get(reverse("restoration:jurisdiction_ledger_export"))
    workbook = load_workbook(io.BytesIO(b"".join(export.streaming_content)))
    assert list(workbook["缴纳义务"].values)[1][0] == case.number
    assert as_user(client, UserFactory(role="procuratorate")).get(
        reverse("restoration:jurisdiction_ledger")).status_code == 403


def test_the_library_pages(client, d, case):
    client = as_user(client, d.officer)
    response = client.post(reverse("restoration:library_create"), {
        "name": "汾河湿地补植", "place": "小店段", "kind": "wetland", "status": "open",
        "capacity": "50"})
    assert response.status_code == 200 and "请填写规模单位" in response.content.decode()
    response = client.post(reverse("restoration:library_create"), {
        "name": "汾河湿地补植", "place": "小店段", "kind": "wetland", "status": "open",
        "capacity": "50", "capacity_unit": "亩", "budget": "200000"})
    assert response.status_code == 302
    alternative = AlternativeProject.objects.get(name="汾河湿地补植")
    assert alternative.jurisdiction == d.department.jurisdiction
    assert client.get(reverse("restoration:library_list")).status_code == 200
    detail = client.get(alternative.get_absolute_url())
    assert 'data-testid="remaining-budget">200,000.00 元<' in detail.content.decode()
    outsider = UserFactory(role="officer")
    assert as_user(client, outsider).get(alternative.get_absolute_url()).status_code == 404
    assert as_user(client, outsider).get(
        reverse("restoration:library_edit", args=[alternative.pk])).status_code == 404
    assert as_user(client, finance_for(d).user).get(
        reverse("restoration:library_list")).status_code == 403


def test_choosing_an_alternative_shows_what_is_left(client, d):
    alternative = library_project(d)
    case = agreement_with(d, restoration=[{"item": "异地补植", "mode": "alternative",
                                           "target": "补植50亩", "finish_by": D(2027, 6, 30)}]
                          ).case
    url = reverse("restoration:project_step", args=[project_of(case).pk, "alternative"])
    response = as_user(client, d.officer).get(url)
    assert 'data-testid="library-remaining"' in response.content.decode()
    assert "500,000.00" in response.content.decode()
    response = client.post(url, {"alternative": alternative.pk, "amount": "600000"})
    assert response.status_code == 200 and "超过该项目剩余预算" in response.content.decode()


def test_the_closing_request_on_the_case(client, d, case):
    url = reverse("restoration:case_closing", args=[case.pk])
    client = as_user(client, d.officer)
    response = client.get(url)
    assert response.status_code == 200 and 'data-testid="open-items"' in \
        response.content.decode()
    response = client.post(url, {"summary": "已履行", "seen_state": "performing"})
    assert response.status_code == 200 and "尚有未履行完毕的义务" in response.content.decode()
    walk(project_of(case), d, "passed")
    services.record_payment(case.fund_obligations.get(), paid_on=D(2026, 11, 1),
                            amount=Decimal("123000"), receipt_number="FS-1", by=d.officer)
    assert client.post(url, {"summary": "修复通过评估，赔偿资金已缴清。",
                             "seen_state": "performing"}).status_code == 302
    approvals.decide(approvals.inbox(d.division_head).get(), by=d.division_head, approve=True,
                     opinion="同意结案")
    assert Case.objects.get(pk=case.pk).stage == "closed"
    # closed: read-only everywhere
    step = reverse("restoration:project_step", args=[project_of(case).pk, "visit"])
    assert client.get(step).status_code == 302
    funds = client.get(reverse("restoration:case_funds", args=[case.pk])).content.decode()
    assert "登记缴款" not in funds and "资金使用申请</a>" not in funds
    page = client.get(case.get_absolute_url()).content.decode()
    assert url not in page and "没有需要办理的事项" in page
    panel = restoration_section(client, case).content.decode()
    assert url not in panel and "效果评估通过" in panel
    assert client.get(url).status_code == 302


def test_an_overdue_restoration_offers_the_enforcement_path_and_the_deposit(client, d, case):
    import datetime

    import time_machine

    from workflow.deadlines import scan_deadlines

    project = project_of(case)
    with time_machine.travel(datetime.datetime(2027, 7, 5, 2, tzinfo=datetime.UTC), tick=False):
        scan_deadlines()
        page = as_user(client, d.officer).get(project.get_absolute_url()).content.decode()
        assert "逾期未修复：转入诉讼或强制执行" in page
        assert reverse("restoration:case_pursue", args=[case.pk]) in page
        response = client.post(reverse("restoration:case_pursue", args=[case.pk]),
                                {"note": "义务人逾期未完成修复"})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).stage == "litigating"
