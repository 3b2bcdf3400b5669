"""The lists' sortable columns (clue list, case list, deadline board) with keyset pagination,
their labelled filters, 我的案件 (filter and home panel), and the case list's Excel export with
the same filters (issue 15)."""

import re
from datetime import date
from io import BytesIO

import pytest
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from accounts.roles import Role
from cases.models import Case, Investigation
from cases.selectors import my_cases
from tests.cases.factories import CaseFactory
from tests.conftest import login
from tests.factories import ClueFactory, DepartmentFactory, UserFactory
from tests.xlsx import PAYLOADS, assert_literal_text, cells_by_header
from workflow.deadlines import open_deadline
from workflow.models import DeadlineKind

pytestmark = pytest.mark.django_db

CASES = reverse("cases:case_list")
CLUES = reverse("screening:clue_list")
BOARD = reverse("workflow:deadline_board")
EXPORT = reverse("cases:case_list_export")


@pytest.fixture
def dept(db):
    return DepartmentFactory(name="本局")


@pytest.fixture
def officer(dept):
    return UserFactory(department=dept, role=Role.OFFICER)


@pytest.fixture
def cases(dept, officer):
    """Seven cases of our department: numbers and opening dates in different orders."""
    made = []
    for i, (number, day) in enumerate([("A-05", 3), ("A-01", 9), ("A-07", 1), ("A-03", 5),
                                       ("A-02", 7), ("A-06", 2), ("A-04", 4)]):
        made.append(CaseFactory(number=f"140100-2026-SP{number}", department=dept,
                                created_by=officer if i % 2 == 0 else
                                UserFactory(department=dept, role=Role.OFFICER),
                                opened_on=date(2026, 9, day)))
    return made


def numbers(response) -> list[str]:
    return [c.number for c in response.context["page"]]


def walk(client, url, params) -> list[str]:
    """Every row of a list, following 下一页 (the `after` cursor) with the other parameters."""
    seen, query = [], dict(params)
    for _ in range(20):
        response = client.get(url, query)
        assert response.status_code == 200
        seen += [str(r) for r in response.context["page"]]
        cursor = response.context["page"].next_cursor
        if not cursor:
            return seen
        query = {**params, "after": cursor}
    raise AssertionError("no last page")


@override_settings(ECOCLAIM_PAGE_SIZE=3)
@pytest.mark.parametrize("sort, expected", [
    ("number", [f"140100-2026-SPA-0{i}" for i in range(1, 8)]),
    ("-number", [f"140100-2026-SPA-0{i}" for i in range(7, 0, -1)]),
    ("opened_on", ["140100-2026-SPA-07", "140100-2026-SPA-06", "140100-2026-SPA-05",
                   "140100-2026-SPA-04", "140100-2026-SPA-03", "140100-2026-SPA-02",
                   "140100-2026-SPA-01"]),
    ("-opened_on", ["140100-2026-SPA-01", "140100-2026-SPA-02", "140100-2026-SPA-03",
                    "140100-2026-SPA-04", "140100-2026-SPA-05", "140100-2026-SPA-06",
                    "140100-2026-SPA-07"]),
])
def test_case_list_sorts_across_keyset_pages(client, officer, cases, sort, expected):
    login(client, officer)
    assert walk(client, CASES, {"sort": sort}) == expected


@override_settings(ECOCLAIM_PAGE_SIZE=3)
def test_previous_page_keeps_the_ascending_order(client, officer, cases):
    login(client, officer)
    first = client.get(CASES, {"sort": "number"})
    second = client.get(CASES, {"sort": "number", "after": first.context["page"].next_cursor})
    back = client.get(CASES, {"sort": "number",
                              "before": second.context["page"].prev_cursor})
    assert numbers(back) == numbers(first)
    assert numbers(second) == [f"140100-2026-SPA-0{i}" for i in (4, 5, 6)]


def test_unknown_sort_key_is_the_default_order(client, officer, cases):
    login(client, officer)
    response = client.get(CASES, {"sort": "created_by__password"})
    assert numbers(response)[0] == "140100-2026-SPA-01"  # newest opened first


@override_settings(ECOCLAIM_PAGE_SIZE=3)
def test_header_links_keep_filters_and_pagination_keeps_the_sort(client, officer, cases):
    login(client, officer)
    response = client.get(CASES, {"stage": "draft", "sort": "number"})
    page = response.content.decode()
    header = re.search(r'<th scope="col" aria-sort="ascending"><a [^>]*href="([^"]+)"', page)
    assert header and "stage=draft" in header.group(1) and "sort=-number" in header.group(1)
    assert "after=" not in header.group(1)
    next_link = re.search(r'href="(\?[^"]*after=[^"]+)">下一页', page).group(1)
    assert "sort=number" in next_link and "stage=draft" in next_link
    # the filter form keeps the sort too
    assert '<input type="hidden" name="sort" value="number">' in page


def test_filters_are_labelled(client, officer, cases):
    login(client, officer)
    for url, names in ((CASES, ("q", "stage", "classification", "mine")),
                       (CLUES, ("q", "state", "damage_type", "channel")),
                       (BOARD, ("kind", "department", "on", "mine"))):
        page = client.get(url).content.decode()
        for name in names:
            assert re.search(rf'<label class="form-[a-z-]+[^"]*" for="id_{name}"', page), \
                (url, name)


@override_settings(ECOCLAIM_PAGE_SIZE=2)
def test_clue_list_sorts_by_number_across_pages(client, dept, officer):
    made = [ClueFactory(department=dept, registered_by=officer,
                        registered_on=date(2026, 9, d)) for d in (5, 1, 3, 2, 4)]
    login(client, officer)
    expected = sorted(c.number for c in made)
    assert walk(client, CLUES, {"sort": "number"}) == expected
    assert walk(client, CLUES, {"sort": "-number"}) == expected[::-1]
    by_day = [c.number for c in sorted(made, key=lambda c: c.registered_on)]
    assert walk(client, CLUES, {"sort": "registered_on"}) == by_day


@override_settings(ECOCLAIM_PAGE_SIZE=2)
def test_deadline_board_sorts_by_due_both_ways_across_statuses(client, dept, officer, cases):
    for i, case in enumerate(cases[:5]):
        open_deadline(case, DeadlineKind.INVESTIGATION, profile=case.rule_profile, days=10 + i,
                      start_date=date(2026, 9, 1), department=dept, responsible=officer,
                      citation="测试")
    login(client, officer)
    asc = walk(client, BOARD, {"sort": "due"})
    desc = walk(client, BOARD, {"sort": "-due"})
    assert len(asc) == 5 and asc == desc[::-1]
    response = client.get(BOARD, {"sort": "due"})
    dues = [d.due for d in response.context["page"]]
    assert dues == sorted(dues)


# ---------------------------------------------------------------- 我的案件

def test_my_cases_are_handled_or_investigated_by_me(client, dept, officer, cases):
    colleague_case = next(c for c in cases if c.created_by != officer)
    investigation = Investigation.objects.create(case=colleague_case)
    investigation.team.add(officer)
    mine = {c.number for c in cases if c.created_by == officer} | {colleague_case.number}
    assert {c.number for c in my_cases(officer)} == mine
    login(client, officer)
    assert set(walk(client, CASES, {"mine": "on"})) == mine
    assert len(walk(client, CASES, {})) == 7


def test_my_cases_never_reach_outside_the_scope(client, officer):
    """A case handled by the user but now of another department (moved) is not shown."""
    elsewhere = CaseFactory(department=DepartmentFactory(), created_by=officer)
    assert elsewhere not in my_cases(officer)
    login(client, officer)
    assert walk(client, CASES, {"mine": "on"}) == []


def test_home_page_shows_my_cases_panel(client, dept, officer, cases):
    login(client, officer)
    response = client.get(reverse("home"))
    page = response.content.decode()
    assert 'data-testid="my-cases-panel"' in page
    mine = [c for c in cases if c.created_by == officer]
    for case in mine:
        assert case.number in page
    assert f'href="{CASES}?mine=on"' in page
    other = next(c for c in cases if c.created_by != officer)
    panel = page.split('data-testid="my-cases-panel"')[1].split("</section>")[0]
    assert other.number not in panel


def test_home_panel_is_absent_without_case_permission(client, dept):
    finance = UserFactory(department=dept, role=Role.FINANCE)
    login(client, finance)
    assert 'data-testid="my-cases-panel"' not in client.get(reverse("home")).content.decode()


# ---------------------------------------------------------------- export

def read(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert response["X-Content-Type-Options"] == "nosniff"
    book = load_workbook(BytesIO(b"".join(response.streaming_content)))
    return cells_by_header(book["案件清单"])


def test_export_has_the_lists_filters_and_order(client, dept, officer, cases):
    login(client, officer)
    rows = read(client.get(EXPORT, {"mine": "on", "sort": "number"}))
    expected = sorted(c.number for c in cases if c.created_by == officer)
    assert [r["案件编号"].value for r in rows] == expected
    first = rows[0]
    case = Case.objects.get(number=expected[0])
    assert first["启动日期"].value.date() == case.opened_on
    assert first["阶段"].value == case.get_stage_display()
    assert first["办案部门"].value == dept.name


def test_export_is_scoped(client, dept, officer, cases):
    theirs = CaseFactory(number="140100-2026-SPZ-99", department=DepartmentFactory(
        jurisdiction=dept.jurisdiction))
    login(client, officer)
    rows = read(client.get(EXPORT))
    assert theirs.number not in [r["案件编号"].value for r in rows]
    assert len(rows) == 7


def test_export_keeps_formula_like_text_as_text(client, dept, officer):
    for i, payload in enumerate(PAYLOADS):
        CaseFactory(number=f"140100-2026-SPF-{i:02d}", department=dept, created_by=officer,
                    cause=payload, summary=payload)
    login(client, officer)
    rows = read(client.get(EXPORT, {"sort": "number"}))
    for row, payload in zip(rows, PAYLOADS, strict=True):
        assert_literal_text(row["案由"], payload)
        assert_literal_text(row["案情简介及启动索赔理由"], payload)


@override_settings(ECOCLAIM_CASE_EXPORT_MAX_ROWS=3)
def test_export_too_large_is_refused_with_a_message(client, officer, cases):
    login(client, officer)
    response = client.get(EXPORT, {"stage": "draft"}, follow=True)
    assert response.redirect_chain[0][0].startswith(f"{CASES}?stage=draft")
    assert "请缩小筛选范围" in response.content.decode()


def test_export_needs_the_case_permission(client, dept):
    login(client, UserFactory(department=dept, role=Role.FINANCE))
    assert client.get(EXPORT).status_code == 403


def test_anonymous_lists_and_export_redirect_to_login(client):
    for url in (EXPORT, CASES):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]
