"""The deadline board, the month calendar, a deadline's page, the include for a record's page
and the home panel: scoped by the one rule (a deadline follows its department), 404 outside
the scope, keyset-paginated, and each row with its explanation and 待确认 mark."""

import re
from datetime import date

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import UserFactory
from workflow.deadlines import deadlines_of, mark_met, pause, scan_deadlines
from workflow.models import Deadline, DeadlineKind

from .test_deadlines import open_for, travel

pytestmark = pytest.mark.django_db

Kind = DeadlineKind
BOARD = reverse("workflow:deadline_board")
CALENDAR = reverse("workflow:deadline_calendar")
ROW = re.compile(f'<a href="{re.escape(BOARD)}' + r'(\d+)/">')  # a link to a deadline's page


@pytest.fixture
def four(demo_org):
    """One deadline in each of four departments: city ecology (the city's lead department),
    city water, district ecology (the district's lead department), district water."""
    start = date(2026, 9, 1)
    return {
        name: open_for(demo_org, Kind.VERIFICATION, start, dept=name, responsible=None)
        for name in ("市生态环境局", "市水务局", "小店区生态环境分局", "小店区水利局")
    }


def ids_on(response) -> set[int]:
    assert response.status_code == 200
    return {int(pk) for pk in ROW.findall(response.content.decode())}


def board(client, user, query=""):
    client.force_login(user)
    with travel(2026, 9, 20):
        return client.get(BOARD + query)


def test_the_board_needs_a_login(client):
    response = client.get(BOARD)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("username", "sees"), [
    # the city's lead department sees its jurisdiction and the ones below it
    ("jingban", {"市生态环境局", "市水务局", "小店区生态环境分局", "小店区水利局"}),
    # a department sees its own and its own system (same kind) below
    ("shuiwu", {"市水务局", "小店区水利局"}),
    # the district's lead department sees its district only
    ("xiaodian", {"小店区生态环境分局", "小店区水利局"}),
    # the procuratorate takes part in no deadline here
    ("jiancha", set()),
])
def test_the_board_shows_what_the_scoping_rule_allows(client, demo_org, four, username, sees):
    shown = ids_on(board(client, demo_org.by_username[username]))
    assert shown == {four[name].pk for name in sees}


def test_no_department_no_deadlines(client, four):
    assert ids_on(board(client, UserFactory(department=None))) == set()


def test_a_deadline_outside_the_scope_is_not_found(client, demo_org, four):
    client.force_login(demo_org.by_username["shuiwu"])
    assert client.get(reverse("workflow:deadline_detail",
                              args=[four["市生态环境局"].pk])).status_code == 404
    assert client.get(reverse("workflow:deadline_detail",
                              args=[four["小店区水利局"].pk])).status_code == 200
    client.force_login(demo_org.by_username["xiaodian"])
    assert client.get(reverse("workflow:deadline_detail",
                              args=[four["市水务局"].pk])).status_code == 404


def test_filtering_by_a_department_outside_the_scope_shows_nothing_more(client, demo_org, four):
    outside = four["市生态环境局"].department
    shown = ids_on(board(client, demo_org.by_username["shuiwu"], f"?department={outside.pk}"))
    assert four["市生态环境局"].pk not in shown


def test_rows_show_the_explanation_and_the_unconfirmed_mark(client, demo_org):
    confirmed = open_for(demo_org, Kind.VERIFICATION, date(2026, 9, 1))
    unconfirmed = open_for(demo_org, Kind.VERIFICATION, date(2026, 12, 15))
    client.force_login(demo_org.by_username["jingban"])
    with travel(2026, 9, 20):
        page = client.get(BOARD).content.decode()
    text = re.sub(r"<[^>]+>", "", page)  # citations are marked up (rules/citations.py)
    assert confirmed.explanation in text
    assert unconfirmed.explanation in text
    assert page.count('data-testid="unconfirmed"') == 1
    assert "剩18日" in page


def test_week_overdue_kind_department_and_mine(client, demo_org):
    jingban = demo_org.by_username["jingban"]
    this_week = open_for(demo_org, Kind.VERIFICATION, date(2026, 9, 1))  # due 10月8日 (Thu)
    later = open_for(demo_org, Kind.NEGOTIATION_REPLY, date(2026, 10, 1), days=30,
                     citation="磋商告知书")  # due 11月2日
    overdue = open_for(demo_org, Kind.NEGOTIATION_REPLY, date(2026, 9, 1), days=20,
                       citation="磋商告知书", dept="市水务局", responsible="shuiwu")  # 9月21日
    done = open_for(demo_org, Kind.PROCURATORATE_FEEDBACK, date(2026, 9, 1), days=15,
                    citation="CQ 三")
    with travel(2026, 10, 5):
        scan_deadlines()
        mark_met(done)
    client.force_login(jingban)
    with travel(2026, 10, 5):
        assert ids_on(client.get(BOARD + "?view=week")) == {this_week.pk}
        assert ids_on(client.get(BOARD + "?view=overdue")) == {overdue.pk}
        assert ids_on(client.get(BOARD)) == {this_week.pk, later.pk, overdue.pk}
        assert ids_on(client.get(BOARD + "?view=closed")) == {done.pk}
        assert ids_on(client.get(BOARD + "?view=all&kind=negotiation_reply")) == {
            later.pk, overdue.pk}
        water = overdue.department.pk
        assert ids_on(client.get(BOARD + f"?view=all&department={water}")) == {overdue.pk}
        assert ids_on(client.get(BOARD + "?view=all&mine=on")) == {this_week.pk, later.pk,
                                                                    done.pk}
        assert ids_on(client.get(BOARD + "?view=all&on=2026-11-02")) == {later.pk}
        summary = client.get(BOARD + "?view=overdue").content.decode()
    assert "太原市水务局 · 磋商告知书答复：<strong>1</strong>" in summary


def test_the_board_is_keyset_paginated_with_a_constant_number_of_queries(
        client, demo_org, settings):
    settings.ECOCLAIM_PAGE_SIZE = 3
    jingban = demo_org.by_username["jingban"]
    for i in range(4):
        open_for(demo_org, Kind.NEGOTIATION_REPLY, date(2026, 9, 1), days=10 + i,
                 citation="磋商告知书")
    client.force_login(jingban)

    def queries(url):
        with travel(2026, 9, 2), CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        return response, len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]

    few_response, few, _ = queries(BOARD)
    for i in range(20):
        open_for(demo_org, Kind.NEGOTIATION_REPLY, date(2026, 9, 1), days=30 + i,
                 citation="磋商告知书", dept="小店区生态环境分局")
    many_response, many, sql = queries(BOARD)
    assert few == many
    listing = [s for s in sql if 'FROM "workflow_deadline"' in s]
    assert len(listing) == 2  # one ordered range per status shown (open, overdue), merged
    assert not any("COUNT(" in s.upper() or "OFFSET" in s.upper() for s in listing)

    seen, response = [], many_response
    for _ in range(20):
        page_ids = ROW.findall(response.content.decode())
        seen += page_ids
        more = re.search(r'<li class="page-item"><a class="page-link" href="\?([^"]*)">下一页',
                         response.content.decode())
        if not more:
            break
        with travel(2026, 9, 2):
            response = client.get(BOARD + "?" + more.group(1).replace("&amp;", "&"))
    assert len(seen) == len(set(seen)) == 24
    dues = [Deadline.objects.get(pk=pk).due for pk in seen]
    assert dues == sorted(dues, reverse=True)


def cell(page: str, day: str) -> str:
    start = page.index(f'data-date="{day}"')
    return page[start:page.index("</td>", start)]


def test_the_month_calendar(client, demo_org):
    for _ in range(6):
        open_for(demo_org, Kind.VERIFICATION, date(2026, 9, 1))  # due 10月8日
    open_for(demo_org, Kind.NEGOTIATION_REPLY, date(2026, 9, 1), days=20, citation="磋商告知书",
             dept="市水务局")  # 9月21日, outside October's grid? no: the grid starts 9月28日
    client.force_login(demo_org.by_username["jingban"])
    with travel(2026, 10, 5):
        page = client.get(CALENDAR + "?month=2026-10").content.decode()
    assert "期限月历 · 2026年10月" in page
    assert "国庆节" in cell(page, "2026-10-01")
    assert "国庆节调休上班" in cell(page, "2026-10-10")
    eighth = cell(page, "2026-10-08")
    assert eighth.count("初步核查期限 · 太原市生态环境局") == 4
    assert "另有2项" in eighth and "on=2026-10-08" in eighth
    assert "初步核查" not in cell(page, "2026-10-07")
    assert "磋商告知书答复期限" not in page  # 9月21日 is before the grid
    client.force_login(demo_org.by_username["xiaodian"])
    with travel(2026, 10, 5):
        page = client.get(CALENDAR + "?month=2026-10").content.decode()
    assert "初步核查期限" not in page  # outside the district's scope


def test_the_calendar_marks_an_unconfirmed_year(client, demo_org):
    open_for(demo_org, Kind.VERIFICATION, date(2026, 12, 15))
    with travel(2026, 12, 20):
        client.force_login(demo_org.by_username["jingban"])
        page = client.get(CALENDAR + "?month=2027-01").content.decode()
    fourteenth = cell(page, "2027-01-14")
    assert "初步核查期限" in fourteenth and "待确认" in fourteenth


def test_the_deadline_page_shows_history(client, demo_org):
    deadline = open_for(demo_org, Kind.INVESTIGATION, date(2026, 3, 2), code="CQ")
    with travel(2026, 3, 10):
        pause(deadline, reason="委托鉴定评估", by=demo_org.by_username["jingban"])
    client.force_login(demo_org.by_username["chuzhang"])
    with travel(2026, 3, 12):
        page = client.get(reverse("workflow:deadline_detail", args=[deadline.pk])).content.decode()
    assert "中止中" in page and "委托鉴定评估" in page
    assert "设立期限" in page and "期限中止" in page
    assert "CQ 五" in page and "重庆市 第1版" in page


def test_a_record_page_includes_its_deadlines(demo_org):
    city = demo_org.city
    report = open_for(demo_org, Kind.ANNUAL_REPORT, date(2026, 1, 1), subject=city)
    later = open_for(demo_org, Kind.VERIFICATION, date(2026, 12, 15), subject=city)
    with travel(2026, 12, 20):
        html = render_to_string("workflow/_deadlines.html", {"deadlines": deadlines_of(city)})
    text = re.sub(r"<[^>]+>", "", html)  # citations are marked up (rules/citations.py)
    assert report.explanation in text and later.explanation in text
    assert html.index("年度工作情况报送") < html.index("初步核查期限")
    assert "剩11日" in html and "待确认" in html
    assert len(ROW.findall(html)) == 2
    empty = render_to_string("workflow/_deadlines.html", {"deadlines": []})
    assert "没有期限" in empty


def test_home_panel_my_deadlines(client, demo_org):
    soon = open_for(demo_org, Kind.VERIFICATION, date(2026, 9, 1))  # 10月8日
    open_for(demo_org, Kind.NEGOTIATION_REPLY, date(2026, 9, 1), days=60,
             citation="磋商告知书")  # 10月31日: not within 7 days
    late = open_for(demo_org, Kind.NEGOTIATION_REPLY, date(2026, 9, 1), days=20,
                    citation="磋商告知书")  # 9月21日
    open_for(demo_org, Kind.VERIFICATION, date(2026, 9, 1), responsible="chuzhang")
    with travel(2026, 10, 2):
        scan_deadlines()
    client.force_login(demo_org.by_username["jingban"])
    with travel(2026, 10, 2):
        page = client.get(reverse("home")).content.decode()
    panel = page[page.index("我的期限"):]
    panel = panel[:panel.index("</section>")]
    assert {int(pk) for pk in ROW.findall(panel)} == {soon.pk, late.pk}
    assert len(ROW.findall(panel)) == 2
    assert "逾期11日" in panel and "剩6日" in panel


def test_the_admin_shows_deadlines_read_only(client, demo_org):
    deadline = open_for(demo_org, Kind.INVESTIGATION, date(2026, 3, 2), code="CQ")
    pause(deadline, reason="委托鉴定评估", on=date(2026, 3, 10))
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(reverse("admin:workflow_deadline_changelist")).status_code == 200
    page = client.get(reverse("admin:workflow_deadline_change", args=[deadline.pk]))
    assert page.status_code == 200 and "委托鉴定评估" in page.content.decode()
    assert client.get(reverse("admin:workflow_deadlinealert_changelist")).status_code == 200
    assert client.get(reverse("admin:workflow_notification_changelist")).status_code == 200
    assert client.get(reverse("admin:workflow_deadline_add")).status_code == 403
