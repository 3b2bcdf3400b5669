"""The coordinator goes from the dashboard to the reports page, opens the annual work report's
draft (SX 第四十条) and downloads it as PDF and Excel (issue 15)."""

from io import BytesIO
from pathlib import Path

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from accounts.roles import Role

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_coordinator_downloads_the_annual_report(page, live_server, log_in, password, demo_org):
    year = timezone.localdate().year
    coordinator = demo_org.users[Role.COORDINATOR]
    log_in(page, coordinator.username, password)
    page.get_by_role("link", name="数据看板", exact=True).click()
    page.locator('[data-testid="reports-link"]').click()
    expect(page.get_by_role("heading", name="报表", exact=True)).to_be_visible()
    card = page.locator('[data-testid="report-annual"]')
    card.get_by_role("button", name="查看草稿").click()
    title = f"{coordinator.department.jurisdiction.name}{year}年度生态环境损害赔偿工作情况"
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    assert page.locator("svg.chart").count() == 3

    with page.expect_download() as pdf_download:
        page.locator('[data-testid="annual-pdf"]').click()
    pdf = Path(pdf_download.value.path()).read_bytes()
    assert pdf_download.value.suggested_filename.endswith(".pdf")
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages).replace(" ", "")
    assert title in text.replace("\n", "")

    with page.expect_download() as xlsx_download:
        page.locator('[data-testid="annual-xlsx"]').click()
    sheet = openpyxl.load_workbook(BytesIO(Path(xlsx_download.value.path()).read_bytes())).active
    assert sheet["A1"].value == title
