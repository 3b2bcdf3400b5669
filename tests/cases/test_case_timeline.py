"""The case page's timeline (办理记录, issue 14 point 5): newest first, a page at a time with
加载更多 (the oldest event of a long history is reachable; it was cut at 300 before), a filter
by kind, the fragment scoped like the case page, and a page's queries not growing with the
history's length."""

import datetime
import re

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from cases import timeline
from cases.models import Case
from tests.factories import DepartmentFactory, UserFactory
from workflow.models import AuditEvent

from .test_case_flow import Org, approve, make_case, submit

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 10, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(T0, tick=False):
        yield


@pytest.fixture
def org():
    return Org()


def add_events(case, n, *, start=1):
    """n transition events on the case, one minute apart after T0, marked 标记-0001 …"""
    ct = ContentType.objects.get_for_model(Case)
    AuditEvent.objects.bulk_create(AuditEvent(
        at=T0 + datetime.timedelta(minutes=i), action=AuditEvent.Action.TRANSITION,
        content_type=ct, object_id=str(case.pk), object_repr=str(case), transition="补充材料",
        from_state="investigating", to_state="investigating", reason=f"标记-{i:04d}",
        actor_name="经办人甲") for i in range(start, start + n))


def timeline_url(case) -> str:
    """The case page's 办理记录 section as a page (what opening it gives without scripts)."""
    return reverse("cases:case_section", args=[case.pk, "timeline"])


def marks(html):
    return [int(m) for m in re.findall(r"标记-(\d{4})", html)]


def more_url(html):
    match = re.search(r'hx-get="([^"]+)"\s+hx-target="closest li"', html)
    return match.group(1).replace("&amp;", "&") if match else None


def test_the_newest_events_come_first_a_page_at_a_time(client, org):
    case = make_case(org)
    add_events(case, 120)
    client.force_login(org.officer)
    page = client.get(timeline_url(case)).content.decode()
    assert marks(page) == list(range(120, 120 - timeline.PAGE_SIZE, -1))
    assert "加载更多" in page
    nxt = client.get(more_url(page))
    assert nxt.status_code == 200
    fragment = nxt.content.decode()
    assert "<html" not in fragment  # a fragment, swapped in place of the button
    assert marks(fragment) == list(range(70, 20, -1))
    last = client.get(more_url(fragment)).content.decode()
    # the rest: events 20 … 1, then the case's own creation, and no button any more
    assert marks(last) == list(range(20, 0, -1))
    assert "<strong>新建</strong>" in last
    assert "加载更多" not in last and more_url(last) is None


def test_the_oldest_event_of_a_320_event_case_is_reachable(client, org):
    case = make_case(org)
    add_events(case, 320)
    client.force_login(org.officer)
    html = client.get(timeline_url(case)).content.decode()
    seen = marks(html)
    while (url := more_url(html)) is not None:
        html = client.get(url).content.decode()
        seen += marks(html)
    assert seen == list(range(320, 0, -1))  # all of them, once each, newest first


def test_load_more_works_without_javascript_too(client, org):
    case = make_case(org)
    add_events(case, 60)
    client.force_login(org.officer)
    page = client.get(timeline_url(case)).content.decode()
    link = re.search(r'<a class="btn[^"]*" href="([^"]+)"', page[page.index("timeline-more"):])
    second = client.get(link.group(1).replace("&amp;", "&")).content.decode()
    assert "<html" in second and marks(second) == list(range(10, 0, -1))


def test_the_filter_by_kind(client, org):
    case = make_case(org)
    submit(client, org, case)
    approve(client, org.division_head, opinion="同意，报局领导。")
    add_events(case, 3)
    client.force_login(org.officer)
    page = client.get(timeline_url(case)).content.decode()
    # the kinds offered: the actions and the records the case has, in Chinese
    for label in ("全部", "状态变更", "修改", "新建", "审批", "案件赔偿义务人", "案件"):
        assert f">{label}</option>" in page
    url = reverse("cases:case_timeline", args=[case.pk])

    approvals_only = client.get(url, {"kind": "record:approval"}).content.decode()
    assert "同意，报局领导。" in approvals_only and "审批环节" in approvals_only
    assert marks(approvals_only) == [] and "提交启动审批" not in approvals_only

    transitions = client.get(url, {"kind": "action:transition"}).content.decode()
    assert marks(transitions) == [3, 2, 1]
    assert "<strong>新建</strong>" not in transitions and "<strong>修改</strong>" not in transitions

    created = client.get(url, {"kind": "action:create"}).content.decode()
    assert "<strong>新建</strong>" in created and marks(created) == []
    assert "<strong>状态变更</strong>" not in created

    # without JavaScript: the same GET on the case page opens its timeline in place
    page = client.get(case.get_absolute_url(), {"kind": "action:transition"}).content.decode()
    assert marks(page) == [3, 2, 1]
    assert 'value="action:transition" selected' in page
    # an unknown kind shows everything rather than failing
    everything = client.get(url, {"kind": "nonsense"}).content.decode()
    assert marks(everything) == [3, 2, 1] and "<strong>新建</strong>" in everything


def test_the_filter_is_kept_by_load_more(client, org):
    case = make_case(org)
    add_events(case, 55)
    client.force_login(org.officer)
    url = reverse("cases:case_timeline", args=[case.pk])
    first = client.get(url, {"kind": "action:transition"}).content.decode()
    assert "kind=action%3Atransition" in more_url(first)
    second = client.get(more_url(first)).content.decode()
    assert marks(second) == [5, 4, 3, 2, 1] and "<strong>新建</strong>" not in second


def test_the_fragment_is_404_outside_the_scope_and_403_without_the_role(client, org):
    case = make_case(org)
    add_events(case, 60)
    url = reverse("cases:case_timeline", args=[case.pk])
    client.force_login(org.officer)
    cursor_url = more_url(client.get(timeline_url(case)).content.decode())
    outsider = UserFactory(department=DepartmentFactory(), role=Role.OFFICER)
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.get(cursor_url).status_code == 404
    no_role = UserFactory(department=org.department)
    client.force_login(no_role)
    assert client.get(url).status_code == 403
    assert client.get(cursor_url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_a_bad_cursor_gives_the_first_page(client, org):
    case = make_case(org)
    add_events(case, 5)
    client.force_login(org.officer)
    url = reverse("cases:case_timeline", args=[case.pk])
    response = client.get(url, {"after": "not-a-cursor"})
    assert response.status_code == 200 and marks(response.content.decode()) == [5, 4, 3, 2, 1]


def _queries(client, url, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_queries_do_not_grow_with_the_history(client, org, django_assert_max_num_queries):
    short, long = make_case(org), make_case(org)
    add_events(short, 10)
    add_events(long, 500)
    client.force_login(org.officer)
    client.get(short.get_absolute_url())  # warm caches (content types, permissions)
    for path in (lambda c: c.get_absolute_url(), timeline_url,
                 lambda c: reverse("cases:case_timeline", args=[c.pk])):
        baseline = _queries(client, path(short), django_assert_max_num_queries, 1000)
        _queries(client, path(long), django_assert_max_num_queries, baseline)


def test_the_page_stays_small_with_a_long_history(client, org):
    case = make_case(org)
    add_events(case, 500)
    client.force_login(org.officer)
    page = client.get(timeline_url(case)).content
    assert len(marks(page.decode())) == timeline.PAGE_SIZE
    assert len(page) < 150_000
    summary = client.get(case.get_absolute_url()).content  # the timeline is collapsed there
    assert marks(summary.decode()) == [] and len(summary) < 150_000


def test_an_event_of_the_same_minute_is_neither_lost_nor_repeated(client, org):
    case = make_case(org)
    ct = ContentType.objects.get_for_model(Case)
    same = timezone.now() + datetime.timedelta(days=1)
    AuditEvent.objects.bulk_create(AuditEvent(
        at=same, action=AuditEvent.Action.UPDATE, content_type=ct, object_id=str(case.pk),
        object_repr=str(case), reason=f"标记-{i:04d}") for i in range(1, 61))
    client.force_login(org.officer)
    html = client.get(timeline_url(case)).content.decode()
    seen = marks(html)
    html = client.get(more_url(html)).content.decode()
    seen += marks(html)
    assert sorted(seen) == list(range(1, 61))  # ties broken by id


def test_the_timeline_service_pages_and_kinds(client, org):
    from cases.timeline import Timeline
    from cases.views import _parts_of

    case = make_case(org)
    submit(client, org, case)
    add_events(case, 4)
    line = Timeline.of(case, _parts_of(case))
    kinds = dict(line.kinds()[2][1])
    assert kinds["record:approval"] == "审批" and kinds["record:case"] == "案件"
    assert kinds["record:cases.caseobligor"] == "案件赔偿义务人"
    first = line.page(size=3)
    assert [e.reason for e in first] == ["标记-0004", "标记-0003", "标记-0002"]
    rest = line.page(after=first.next_cursor, size=100)
    assert rest.rows[0].reason == "标记-0001" and rest.next_cursor is None
    approval_events = line.page("record:approval").rows
    assert approval_events and {e.content_type.model for e in approval_events} <= {
        "approvalrequest", "approvalstep"}
