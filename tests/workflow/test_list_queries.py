"""The three big lists (clue list, case list, deadline board) cost a fixed number of queries
per page, for an ordinary officer and for the coordinator, whatever the number of rows: the
session's user comes with their department and jurisdiction in one query, the navbar's roles
and unread count in one more, and nothing is written to the session on a plain page."""

from datetime import date, timedelta

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Department
from cases.models import Case
from screening.models import Clue, SourceChannel
from workflow.models import Deadline

pytestmark = pytest.mark.django_db

TODAY = date(2026, 9, 30)
# session, user (+ department + jurisdiction), permissions (own and groups', one query), the
# page, the navbar (roles + unread), one list-specific extra (filter choices, badges or the
# board's departments and summary); the board's page is one query per status shown (open,
# overdue)
MAX_QUERIES = {"/screening/clues/": 6, "/cases/": 6, "/workflow/deadlines/": 7,
               "/workflow/deadlines/?view=overdue": 7}


def add_rows(org, n, start=0):
    officer = org.by_username["jingban"]
    channel = SourceChannel.objects.get(code="supervision")
    departments = [org.departments[s] for s in ("市生态环境局", "市水务局", "小店区水利局")]
    ct = ContentType.objects.get_for_model(Department)
    clues, cases, deadlines = [], [], []
    for i in range(start, start + n):
        d = departments[i % len(departments)]
        day = TODAY - timedelta(days=i % 40)
        profile = d.jurisdiction.rule_profile_on(day)
        clues.append(Clue(
            number=f"LQ-C-{i:05d}", jurisdiction=d.jurisdiction, department=d, channel=channel,
            found_on=day, registered_on=day, summary="查询数测试", damage_type="water",
            registered_by=officer, rule_profile=profile))
        cases.append(Case(
            number=f"LQ-K-{i:05d}", jurisdiction=d.jurisdiction, department=d, cause="查询数测试",
            opened_on=day, created_by=officer, rule_profile=profile,
            stage=Case.Stage.INVESTIGATING))
        deadlines.append(Deadline(
            content_type=ct, object_id=d.pk, subject_label="查询数测试", kind="negotiation_reply",
            title="磋商告知书答复期限", start_event="送达", start_date=day, days=30, due=day,
            department=d, responsible=officer,
            status=Deadline.Status.OVERDUE if i % 2 else Deadline.Status.OPEN))
    Clue.objects.bulk_create(clues)
    Case.objects.bulk_create(cases)
    Deadline.objects.bulk_create(deadlines)


def count(client, url) -> tuple[int, int, list[str]]:
    client.get(url)  # the session's refresh stamp after login is not what is measured
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.count(b"<tr"), \
        [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize("url", list(MAX_QUERIES))
@pytest.mark.parametrize("username", ["shuiwu", "qiantou"])
def test_a_list_page_costs_the_same_few_queries_whatever_the_rows(
        client, demo_org, settings, url, username, django_assert_max_num_queries):
    settings.ECOCLAIM_PAGE_SIZE = 10
    client.force_login(demo_org.by_username[username])
    with time_machine.travel(TODAY, tick=False):
        add_rows(demo_org, 3)
        few, few_rows, _ = count(client, url)
        add_rows(demo_org, 60, start=3)
        many, many_rows, sql = count(client, url)
        assert many_rows > few_rows  # the page filled up
        assert many == few, sql
        assert not any("django_session" in s and not s.startswith("SELECT") for s in sql)
        with django_assert_max_num_queries(MAX_QUERIES[url]):
            client.get(url)


@pytest.mark.parametrize("username", ["shuiwu", "qiantou"])
def test_page_51_costs_what_the_first_page_costs(client, demo_org, settings, username):
    settings.ECOCLAIM_PAGE_SIZE = 2
    client.force_login(demo_org.by_username[username])
    with time_machine.travel(TODAY, tick=False):
        add_rows(demo_org, 320)
        for url, field in (("/screening/clues/", "registered_on"), ("/cases/", "opened_on"),
                           ("/workflow/deadlines/", "due")):
            first, _, _ = count(client, url)
            response = client.get(url)
            for _ in range(50):
                cursor = response.context["page"].next_cursor
                assert cursor, (url, field)
                response = client.get(f"{url}?after={cursor}")
            deep, rows, _ = count(client, f"{url}?after={cursor}")
            assert deep == first and rows > 1, url


@pytest.mark.parametrize("view", ["active", "all", "closed"])
def test_the_board_merges_its_statuses_in_due_order(client, demo_org, settings, view):
    """The board reads each status through its own index range (keyset_page's split) and
    merges them: the pages together are every deadline of the view once, latest due first."""
    settings.ECOCLAIM_PAGE_SIZE = 7
    officer = demo_org.by_username["qiantou"]
    client.force_login(officer)
    with time_machine.travel(TODAY, tick=False):
        add_rows(demo_org, 40)
        every_fifth = list(Deadline.objects.order_by("pk").values_list("pk", flat=True))[::5]
        Deadline.objects.filter(pk__in=every_fifth).update(status=Deadline.Status.MET)
        statuses = {"active": ["open", "overdue"], "closed": ["met", "cancelled"],
                    "all": ["open", "overdue", "met", "cancelled"]}[view]
        expected = list(Deadline.objects.visible_to(officer).filter(status__in=statuses)
                        .order_by("-due", "-pk").values_list("pk", flat=True))
        seen, url = [], f"/workflow/deadlines/?view={view}"
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        page_sql = [q["sql"] for q in ctx.captured_queries
                    if 'FROM "workflow_deadline"' in q["sql"] and "LIMIT 8" in q["sql"]]
        assert len(page_sql) == len(statuses)  # one ordered range per status, no IN (...)
        while True:
            page = response.context["page"]
            seen += [d.pk for d in page]
            if not page.next_cursor:
                break
            response = client.get(f"{url}&after={page.next_cursor}")
        assert seen == expected and len(seen) > 7
        back = client.get(f"{url}&before={page.prev_cursor}").context["page"]
        assert [d.pk for d in back] == expected[-len(page.rows) - 7:-len(page.rows)]
