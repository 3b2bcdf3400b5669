"""案件办理台账 (NAT 二: 建立案件办理台账，实行跟踪管理) on the reports page, pinned against the
hand-counted world of conftest.py:

| case | department | opened     | ended (Beijing day)  | 2026Q3 | 2026Q4 |
| A    | C1 水利局   | 2026-10-05 | —                    | no     | open   |
| B    | C1 水利局   | 2026-05-10 | 终止 2026-08-20       | ended  | no     |
| C    | C1 生态环境局 | 2026-02-01 | 结案 2026-10-01 00:30 | open   | ended  |
| D    | K1 分局     | 2026-10-20 | —                    | no     | open   |
| E    | C2 生态环境局 | 2025-12-01 | —                    | open   | open   |
"""

from io import BytesIO

import openpyxl
import pytest
from django.urls import reverse

from accounts.roles import Role
from cases import ledger
from oversight import periods
from oversight.selection import Selection
from tests.conftest import login
from tests.factories import UserFactory

from .conftest import NOW

PAGE = reverse("oversight:case_ledger")
XLSX = reverse("oversight:case_ledger_xlsx")
REPORTS = reverse("oversight:reports")


def ledger_of(user, code):
    period = periods.parse(code)
    sel = Selection(user=user, period=period, today=NOW.date())
    cases = ledger.handling_cases(sel.cases(), period.start, period.end)
    return cases, ledger.handling_figures(cases, period.start, period.end)


def numbers(world, cases) -> set[str]:
    names = {case.number: key for key, case in world.cases.items()}
    return {names[n] for n in cases.values_list("number", flat=True)}


def test_coordinator_quarter_four(world):
    cases, figures = ledger_of(world.coordinator, "2026Q4")
    assert numbers(world, cases) == {"A", "C", "D"}  # B ended in Q3; E is another city's
    assert figures == ledger.HandlingFigures(total=3, started=2, terminated=0, closed=1,
                                             open_at_end=2)
    ended = {c.number: c.ended_on for c in cases}
    # 结案 approved at 00:30 on 1 October in Beijing: that day, not 30 September (UTC)
    assert ended[world.cases["C"].number].isoformat() == "2026-10-01"


def test_coordinator_quarter_three(world):
    cases, figures = ledger_of(world.coordinator, "2026Q3")
    assert numbers(world, cases) == {"B", "C"}  # A and D started in October
    assert figures == ledger.HandlingFigures(total=2, started=0, terminated=1, closed=0,
                                             open_at_end=1)


def test_officer_ledger_holds_only_own_department(world):
    cases, figures = ledger_of(world.water_officer, "2026Q4")
    assert numbers(world, cases) == {"A"}
    assert figures.total == 1
    cases, _ = ledger_of(world.c2_officer, "2026")
    assert numbers(world, cases) == {"E"}


def test_province_sees_its_system_below(world):
    cases, figures = ledger_of(world.provincial, "2026Q4")
    assert numbers(world, cases) == {"C", "D", "E"}  # the ecology departments, not 水利局
    assert figures.open_at_end == 2


def test_page_shows_the_figures_and_rows(client, world):
    login(client, world.coordinator)
    html = client.get(PAGE, {"period": "2026Q4"}).content.decode()
    assert 'data-figure="ledger-total">3<' in html
    assert 'data-figure="ledger-closed">1<' in html
    for key in "ACD":
        assert world.cases[key].number in html
    for key in "BE":
        assert world.cases[key].number not in html


def test_export_writes_the_same_rows_through_the_shared_writer(client, world):
    login(client, world.coordinator)
    response = client.get(XLSX, {"period": "2026Q4"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0].startswith("案件办理台账（2026年第四季度")
    assert rows[1][:2] == ("序号", "案件编号")
    data = {r[1]: r for r in rows[2:]}
    assert set(data) == {world.cases[k].number for k in "ACD"}
    closed = data[world.cases["C"].number]
    assert closed[ledger.HANDLING_COLUMNS.index(
        next(c for c in ledger.HANDLING_COLUMNS if c.header == "终止或结案日期"))].date() \
        .isoformat() == "2026-10-01"


def test_reports_page_offers_the_ledger_with_its_period_picker(client, world):
    login(client, world.coordinator)
    html = client.get(REPORTS).content.decode()
    assert f'action="{PAGE}"' in html
    assert f'formaction="{XLSX}"' in html
    assert '<option value="2026Q3">' in html


# --- denial, through the page and the export URL themselves -----------------------------------

def test_another_city_cannot_ask_for_city_one(client, world):
    login(client, world.c2_officer)
    page = client.get(PAGE, {"period": "2026Q4", "jurisdiction": world.c1.pk})
    assert "所选行政区不在您的数据范围内" in page.content.decode()
    assert world.cases["A"].number not in page.content.decode()
    assert client.get(XLSX, {"period": "2026Q4", "jurisdiction": world.c1.pk}).status_code == 400
    response = client.get(XLSX, {"period": "2026"})
    sheet = openpyxl.load_workbook(BytesIO(b"".join(response.streaming_content))).active
    written = {r[1] for r in list(sheet.iter_rows(values_only=True))[2:]}
    assert written == {world.cases["E"].number}


def test_a_role_without_the_case_list_is_refused(client, world):
    finance = UserFactory(department=world.c1_lead, role=Role.FINANCE)
    login(client, finance)
    assert client.get(PAGE).status_code == 403
    assert client.get(XLSX).status_code == 403
    assert f'action="{PAGE}"' not in client.get(REPORTS).content.decode()


@pytest.mark.parametrize("params", [{"period": "custom", "start": "2026-10-01"},
                                    {"period": "1999Q9"}])
def test_bad_period_is_refused_next_to_the_field(client, world, params):
    login(client, world.coordinator)
    html = client.get(PAGE, params).content.decode()
    assert "请更正上面标出的筛选条件" in html
    assert client.get(XLSX, params).status_code == 400
