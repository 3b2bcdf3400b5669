"""The dashboard page: who may open it, its filters, and that every figure's link shows the
records counted (the linked list, scoped as always, gives the same count)."""

import re
from html import unescape

import pytest
from django.urls import reverse

from accounts.roles import Role
from tests.conftest import login
from tests.factories import UserFactory

URL = reverse("oversight:dashboard")


def figure_link(html: str, name: str) -> tuple[str, int]:
    m = re.search(rf'<a href="([^"]+)" data-figure="{name}">(\d+)</a>', html)
    assert m, f"figure {name} not found"
    return unescape(m[1]), int(m[2])


def listed(client, url) -> int:
    response = client.get(url)
    assert response.status_code == 200
    if "count" in response.context:
        return response.context["count"]
    return len(list(response.context["page"]))


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login" in response["Location"]
    assert client.get(reverse("oversight:approvals")).status_code == 302


def test_every_role_reaches_it_from_the_navigation(client, world):
    for role in (Role.OFFICER, Role.DIVISION_HEAD, Role.COORDINATOR, Role.PROCURATORATE,
                 Role.FINANCE):
        user = UserFactory(department=world.c1_lead, role=role)
        html = login(client, user).get(reverse("home")).content.decode()
        assert f'href="{URL}">数据看板</a>' in html
        page = client.get(URL)
        assert page.status_code == 200
        assert "<svg" in page.content.decode()


def test_a_user_without_department_sees_nothing(client, world):
    user = UserFactory(department=None)
    html = login(client, user).get(URL).content.decode()
    assert '<span data-figure="clues-total">0</span>' in html  # no role: no list to link to
    assert '<span data-figure="cases-total">0</span>' in html


@pytest.mark.parametrize("figure", [
    "clues-total", "clues-open", "cases-total", "stage-investigating", "stage-closed",
    "overdue", "soon", "approvals", "major", "started-8", "terminated-7", "closed-8",
    "started-5",
])
def test_the_linked_list_shows_the_same_count(client, world, figure):
    login(client, world.coordinator)
    html = client.get(URL, {"period": "2026Q4"}).content.decode()
    url, shown = figure_link(html, figure)
    assert listed(client, url) == shown


@pytest.mark.parametrize("figure,count", [("clues-total", 2), ("cases-total", 2),
                                          ("overdue", 1), ("approvals", 1)])
def test_officer_links_keep_the_officer_scope(client, world, figure, count):
    login(client, world.water_officer)
    html = client.get(URL).content.decode()
    url, shown = figure_link(html, figure)
    assert shown == count == listed(client, url)


def test_filtered_links_carry_the_filters(client, world):
    login(client, world.provincial)
    html = client.get(URL, {"period": "2026Q4", "jurisdiction": world.c1.pk}).content.decode()
    url, shown = figure_link(html, "clues-total")
    assert shown == 2 and f"jurisdiction={world.c1.pk}" in url
    assert listed(client, url) == 2
    page = client.get(url).content.decode()
    assert "行政区：甲市（含下级）" in page and "登记日期：2026年10月1日至2026年12月31日" in page


def test_province_side_by_side_table(client, world):
    html = login(client, world.provincial).get(URL, {"period": "2026Q4"}).content.decode()
    assert 'data-testid="side-by-side"' in html
    assert "测试省（本级）" in html and "甲市" in html and "丙市" in html
    assert "900,000.00 元" in html


@pytest.mark.parametrize("params,field,message", [
    ({"period": "custom", "start": "2026-13-45", "end": "2026-12-31"}, "start",
     "请输入有效的日期，如2026-07-01。"),
    ({"period": "custom", "start": "2026-10-01"}, "end", "自定义期间须填写截止日期。"),
    ({"period": "custom", "start": "2026-10-01", "end": "2026-09-01"}, "end",
     "截止日期不能早于起始日期。"),
    ({"period": "2019Q9"}, "period", "请选择列出的统计期间。"),
])
def test_bad_filters_are_refused_next_to_the_field(client, world, params, field, message):
    html = login(client, world.coordinator).get(URL, params).content.decode()
    m = re.search(rf'id="id_{field}_error">([^<]+)<', html)
    assert m and m[1] == message
    assert "请更正上面标出的筛选条件" in html and "data-figure" not in html


def test_a_jurisdiction_outside_the_scope_is_refused(client, world):
    html = login(client, world.water_officer).get(URL, {"jurisdiction": world.c2.pk}) \
        .content.decode()
    assert "所选行政区不在您的数据范围内。" in html


def test_custom_period(client, world):
    login(client, world.coordinator)
    html = client.get(URL, {"period": "custom", "start": "2026-08-01",
                            "end": "2026-10-08"}).content.decode()
    url, shown = figure_link(html, "clues-total")
    assert shown == 2 == listed(client, url)
    assert "2026年8月1日至2026年10月8日" in html


def test_approval_age_links(client, world):
    login(client, world.coordinator)
    html = client.get(URL).content.decode()
    for code, count in (("d3", 1), ("d15", 1), ("d7", 0)):
        m = re.search(rf'<a href="([^"]+age={code}[^"]*)">', html)
        url = unescape(m[1])
        assert listed(client, url) == count
    page = client.get(reverse("oversight:approvals")).content.decode()
    assert page.count('data-testid="approval-row"') == 2
    assert "甲市水利局" in page and "乙区生态环境分局" in page


def test_approvals_list_is_scoped(client, world):
    page = login(client, world.c2_officer).get(reverse("oversight:approvals")).content.decode()
    assert 'data-testid="approval-row"' not in page


def test_no_link_to_a_list_the_user_may_not_open(client, world):
    finance = UserFactory(department=world.c1_lead, role=Role.FINANCE)
    html = login(client, finance).get(URL).content.decode()
    assert "/screening/clues/?" not in html and "/cases/?" not in html
    assert '<span data-figure="clues-total">' in html
    assert '<span data-figure="cases-total">' in html
    assert 'data-figure="overdue"' in html  # the deadline board is open to every role
