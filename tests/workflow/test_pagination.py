"""Keyset pagination of the clue list (workflow/pagination.py): every clue exactly once, in
(registered_on desc, id desc) order, the same pages walking back, a bad cursor is the first
page, and a page costs the same number of queries whatever the table size or the breadth of
the user's scope, with no COUNT and no OFFSET."""

import base64
import html
import json
import random
import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from screening.models import Clue, SourceChannel

pytestmark = pytest.mark.django_db

PAGE = 10
LIST = reverse("screening:clue_list")
ROW = re.compile(r'<a href="/screening/clues/(\d+)/">([^<]+)</a>')
PAGER = re.compile(r'<li class="page-item( disabled)?"><a class="page-link" href="([^"]*)">'
                   r"(首页|上一页|下一页)</a></li>")
# The most queries a list page may take: session, user with department and jurisdiction
# (scope), user and group permissions, the page itself, the user's roles (navigation), the
# channel filter's choices; no session save on a plain page (accounts.middleware).
MAX_QUERIES_PER_PAGE = 7


@pytest.fixture(autouse=True)
def page_size(settings):
    settings.ECOCLAIM_PAGE_SIZE = PAGE


_serial = iter(range(1, 1_000_000))


def make_clues(department, count, *, by, start=date(2026, 9, 1), per_day=3, seed=7, **fields):
    """`count` clues of `department`, several per registration day, created in shuffled order
    so that id order and date order disagree. Bulk: numbering and audit are not under test."""
    days = [start + timedelta(days=i // per_day) for i in range(count)]
    random.Random(seed).shuffle(days)
    channel = SourceChannel.objects.get(code="supervision")
    profile = department.jurisdiction.rule_profile_on(days[0])
    rows = [Clue(
        number=f"{department.jurisdiction.code}-2026-PG{next(_serial):05d}",
        jurisdiction=department.jurisdiction, department=department, channel=channel,
        found_on=day - timedelta(days=1), registered_on=day, summary="分页测试线索",
        damage_type=fields.get("damage_type", Clue.DamageType.WATER),
        place=fields.get("place"), registered_by=by, rule_profile=profile,
    ) for day in days]
    return Clue.objects.bulk_create(rows)


def expected_order(clues):
    return [c.number for c in sorted(clues, key=lambda c: (c.registered_on, c.pk), reverse=True)]


def numbers_on(response) -> list[str]:
    assert response.status_code == 200
    return [number for _pk, number in ROW.findall(response.content.decode())]


def pager(response) -> dict[str, str | None]:
    """{"首页"|"上一页"|"下一页": href, or None when the link is disabled}."""
    links = {label: None if disabled else html.unescape(href)
             for disabled, href, label in PAGER.findall(response.content.decode())}
    return links


def follow(client, href):
    assert href.startswith("?")
    return client.get(LIST + href)


def walk_forward(client, url=LIST):
    pages, response = [], client.get(url)
    while True:
        pages.append(numbers_on(response))
        href = pager(response).get("下一页")
        if href is None:
            return pages, response
        assert len(pages) < 50, "pagination does not end"
        response = follow(client, href)


def cursor(*values) -> str:
    raw = values[0] if len(values) == 1 and isinstance(values[0], str) else json.dumps(values)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@pytest.mark.parametrize("total", [60, 55])
def test_walking_forward_shows_every_clue_once_in_order_and_back_gives_the_same_pages(
        client, demo_org, total):
    officer = demo_org.by_username["jingban"]
    clues = make_clues(demo_org.departments["市生态环境局"], total, by=officer)
    client.force_login(officer)

    pages, last = walk_forward(client)
    assert [len(p) for p in pages] == [PAGE] * (total // PAGE) + (
        [total % PAGE] if total % PAGE else [])
    walked = [n for p in pages for n in p]
    assert walked == expected_order(clues)  # each exactly once, newest first, id breaks ties
    assert len(set(walked)) == total
    first_links = pager(client.get(LIST))
    assert first_links["首页"] is None and first_links["上一页"] is None

    back, response = [pages[-1]], last
    while (href := pager(response).get("上一页")) is not None:
        response = follow(client, href)
        back.append(numbers_on(response))
        assert len(back) <= len(pages)
    assert back[::-1] == pages
    assert pager(response)["首页"] is None  # walking back ends on the first page


def test_the_next_link_keeps_the_filters(client, demo_org):
    officer = demo_org.by_username["jingban"]
    department = demo_org.departments["市生态环境局"]
    air = make_clues(department, 23, by=officer, damage_type=Clue.DamageType.AIR, seed=1)
    make_clues(department, 12, by=officer, damage_type=Clue.DamageType.WATER, seed=2)
    client.force_login(officer)
    pages, _ = walk_forward(client, LIST + "?damage_type=air")
    assert [len(p) for p in pages] == [10, 10, 3]
    assert [n for p in pages for n in p] == expected_order(air)


BAD_CURSORS = [
    "garbage", "None", "!!!", "中文", "",
    cursor("[1, 2, 3]"), cursor('{"a": 1, "b": 2}'), cursor('"just a string"'),
    cursor("not-a-date", 5), cursor("2026-02-30", 5), cursor("2026-09-01", "x"),
    cursor("2026-09-01", None), cursor(["2026-09-01"], 5), cursor(True, 5),
    cursor('["2026-09-01", NaN]'),
]


@pytest.fixture
def first_page(client, demo_org):
    officer = demo_org.by_username["jingban"]
    clues = make_clues(demo_org.departments["市生态环境局"], 25, by=officer)
    client.force_login(officer)
    return expected_order(clues)[:PAGE]


@pytest.mark.parametrize("token", BAD_CURSORS)
def test_an_invalid_after_cursor_falls_back_to_the_first_page(client, first_page, token):
    response = client.get(LIST, {"after": token})
    assert response.status_code == 200, token
    assert numbers_on(response) == first_page
    assert pager(response)["首页"] is None and pager(response)["上一页"] is None


@pytest.mark.parametrize("token", ["garbage", cursor("not-a-date", 5)])
def test_an_invalid_before_cursor_falls_back_to_the_first_page(client, first_page, token):
    """Regression: `going_back` used to follow the mere presence of `before`, so an
    undecodable `before` sorted ascending and showed the OLDEST rows as if the first page."""
    response = client.get(LIST, {"before": token})
    assert response.status_code == 200, token
    assert numbers_on(response) == first_page


@pytest.mark.parametrize("pk", ["Infinity", "1e400"])
def test_a_cursor_with_a_non_finite_id_is_not_a_server_error(client, first_page, pk):
    """Regression: JSON allows Infinity and 1e400 (→ inf); int(inf) raises OverflowError,
    which _decode did not catch: a 500 from a crafted URL."""
    response = client.get(LIST, {"after": cursor(f'["2026-09-01", {pk}]')})
    assert response.status_code == 200
    assert numbers_on(response) == first_page


def test_a_cursor_past_every_id_is_not_a_server_error(client, first_page):
    """Ids beyond the database's bigint range are handled by the lookup, not a DataError."""
    response = client.get(LIST, {"after": cursor("2026-12-31", 10**30)})
    assert response.status_code == 200
    assert numbers_on(response) == first_page


# --- cost of a page ------------------------------------------------------------------


def list_queries(client, url=LIST):
    client.get(url)  # warm caches (content types, templates) so both sides measure the same
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return response, ctx.captured_queries


def assert_keyset_sql(queries):
    sql = [q["sql"] for q in queries]
    # The list itself is never counted; a per-user badge (unread notifications) may be.
    for statement in (s for s in sql if "screening_clue" in s):
        assert "COUNT(" not in statement.upper(), statement
        assert "OFFSET" not in statement.upper(), statement
    page_sql = [s for s in sql if 'FROM "screening_clue"' in s and "LIMIT" in s]
    assert len(page_sql) == 1, sql
    assert f"LIMIT {PAGE + 1}" in page_sql[0]
    assert 'ORDER BY "screening_clue"."registered_on" DESC, "screening_clue"."id" DESC' in \
        page_sql[0]


def test_query_count_does_not_grow_with_rows(client, demo_org, django_assert_max_num_queries):
    officer = demo_org.by_username["jingban"]
    department = demo_org.departments["市生态环境局"]
    make_clues(department, 5, by=officer, place=demo_org.districts[0])
    client.force_login(officer)
    few_response, few = list_queries(client)
    assert len(numbers_on(few_response)) == 5

    make_clues(department, 45, by=officer, place=demo_org.districts[1], seed=3)
    many_response, many = list_queries(client)
    assert len(numbers_on(many_response)) == PAGE
    assert len(many) == len(few), [q["sql"] for q in many]
    assert_keyset_sql(many)

    # a later page costs the same and still uses no OFFSET
    later_response, later = list_queries(client, LIST + pager(many_response)["下一页"])
    assert len(numbers_on(later_response)) == PAGE
    assert len(later) == len(few)
    assert_keyset_sql(later)

    with django_assert_max_num_queries(MAX_QUERIES_PER_PAGE):
        client.get(LIST)


@pytest.mark.parametrize("other", ["shuiwu", "xiaodian", "jiancha", "qiantou"])
def test_query_count_does_not_depend_on_the_breadth_of_scope(
        client, demo_org, other, django_assert_max_num_queries):
    d = demo_org.departments
    jingban = demo_org.by_username["jingban"]
    for i, short in enumerate(["市生态环境局", "市水务局", "小店区水利局", "小店区生态环境分局",
                               "迎泽区生态环境分局"]):
        make_clues(d[short], 10, by=jingban, place=demo_org.districts[i % 2], seed=i)
    joint = make_clues(d["市林业局"], 6, by=jingban, seed=9)
    for clue in joint:
        clue.participants.add(d["市检察院"])

    client.force_login(jingban)
    lead_response, lead = list_queries(client)
    assert len(numbers_on(lead_response)) == PAGE
    assert_keyset_sql(lead)

    client.force_login(demo_org.by_username[other])
    narrow_response, narrow = list_queries(client)
    assert numbers_on(narrow_response)  # sees something, through its own rule
    assert len(narrow) == len(lead), [q["sql"] for q in narrow]
    assert_keyset_sql(narrow)

    with django_assert_max_num_queries(MAX_QUERIES_PER_PAGE):
        client.get(LIST)
