"""The Done-when walk of issue 15, as the coordinator, in one session: the dashboard for the
year, a figure clicked through to its list (the same count, the same filter named above it),
a party searched by part of its name from the navigation's search box and its case and clue
reached, then on the reports page the annual work report (SX 第四十条) downloaded as PDF and
Excel, whose totals are the dashboard's for the same year and scope."""

import re
from io import BytesIO
from pathlib import Path

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from accounts.roles import Role
from cases.models import CaseObligor
from tests.cases.factories import CaseFactory
from tests.factories import ClueFactory
from tests.parties.factories import OrganisationFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_coordinator_walks_dashboard_list_search_and_annual_report(
        page, live_server, log_in, password, demo_org):
    today = timezone.localdate()
    year = today.year
    coordinator = demo_org.users[Role.COORDINATOR]
    officer = demo_org.users[Role.OFFICER]
    district = next(d for d in demo_org.departments.values()
                    if d.jurisdiction_id == demo_org.districts[0].pk and d.handles_claims)
    party = OrganisationFactory(name="太原晋阳化工有限公司", created_by=officer)
    clues = [ClueFactory(department=department, registered_on=today, found_on=today)
             for department in (officer.department, officer.department, district)]
    clues[0].suspected_obligors.add(party)
    # last year's clue: outside the year on both the dashboard and the report
    ClueFactory(department=officer.department, registered_on=today.replace(year=year - 1),
                found_on=today.replace(year=year - 1))
    case = CaseFactory(number=f"140100-{year}-SP0042", department=officer.department,
                       created_by=officer, cause="含铬废水污染汾河案", opened_on=today)
    CaseObligor.objects.create(case=case, party=party)

    log_in(page, coordinator.username, password)

    # 1. the dashboard for the year; a figure through to the list it counts
    page.get_by_role("link", name="数据看板", exact=True).click()
    expect(page.get_by_role("heading", name="数据看板")).to_be_visible()
    page.get_by_label("统计期间", exact=True).select_option(str(year))
    page.get_by_role("button", name="统计", exact=True).click()
    expect(page.get_by_test_id("scope-line")).to_contain_text(f"{year}年")
    figure = page.locator('[data-figure="clues-total"]')
    expect(figure).to_have_text("3")
    expect(page.get_by_test_id("side-by-side")).to_contain_text("（本级）")
    assert page.locator("svg.chart").count() >= 5
    total_row = page.locator('[data-testid="side-by-side"] tfoot [data-unit="total"] td')
    expect(total_row.nth(2)).to_have_text("1")  # 本期启动案件
    dashboard_clues = int(figure.inner_text())
    dashboard_started = int(total_row.nth(2).inner_text())

    figure.click()
    expect(page).to_have_url(re.compile(rf"/screening/clues/\?.*date_from={year}-01-01"))
    expect(page.get_by_test_id("linked-filters")).to_contain_text("登记日期")
    expect(page.locator("table tbody tr")).to_have_count(dashboard_clues)

    # 2. a party by part of its name from the navigation's search box: its case and its clue
    box = page.get_by_test_id("nav-search")
    box.fill("晋阳化工")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q="))
    expect(page.get_by_test_id("search-group-parties")).to_contain_text("太原晋阳化工有限公司")
    expect(page.get_by_test_id("search-group-clues")).to_contain_text(clues[0].number)
    cases_group = page.get_by_test_id("search-group-cases")
    cases_group.get_by_role("link", name=re.compile(case.number)).first.click()
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/$"))
    expect(page.locator("main")).to_contain_text("含铬废水污染汾河案")
    page.go_back()
    page.get_by_test_id("search-group-clues").get_by_role(
        "link", name=re.compile(clues[0].number)).first.click()
    expect(page).to_have_url(re.compile(rf"/screening/clues/{clues[0].pk}/$"))

    # 3. the reports page: the annual report of the same year as PDF and Excel
    page.get_by_role("link", name="数据看板", exact=True).click()
    page.get_by_test_id("reports-link").click()
    expect(page.get_by_role("heading", name="报表", exact=True)).to_be_visible()
    card = page.get_by_test_id("report-annual")
    card.locator("select[name=year]").select_option(str(year))
    title = f"{coordinator.department.jurisdiction.name}{year}年度生态环境损害赔偿工作情况"

    with page.expect_download() as pdf_download:
        card.get_by_role("button", name="下载PDF").click()
    assert pdf_download.value.suggested_filename.endswith(".pdf")
    pdf = PdfReader(BytesIO(Path(pdf_download.value.path()).read_bytes()))
    text = _flat("".join(p.extract_text() for p in pdf.pages))
    assert title in text
    assert f"登记线索{dashboard_clues}条" in text
    assert f"本年度启动索赔{dashboard_started}件" in text

    with page.expect_download() as xlsx_download:
        card.get_by_role("button", name="下载Excel").click()
    assert xlsx_download.value.suggested_filename.endswith(".xlsx")
    sheet = openpyxl.load_workbook(
        BytesIO(Path(xlsx_download.value.path()).read_bytes())).active
    rows = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == title
    header = next(i for i, r in enumerate(rows) if r[0] == "线索来源渠道")
    clue_total = next(r for r in rows[header:] if r[0] == "合计")
    assert [v for v in clue_total if v is not None][-1] == dashboard_clues
    started = next(r for r in rows if r[0] == "启动索赔案件")
    assert started[1] == dashboard_started
