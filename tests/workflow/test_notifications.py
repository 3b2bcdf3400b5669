"""In-app notifications: the unread badge in the navigation (at no extra query), the list,
mark-as-read (one, all; POST with CSRF; only one's own), the e-mail preference and e-mail
through Django's backend after commit, each sent once."""

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config.celery import app as celery_app
from workflow.models import Notification, NotificationPreference
from workflow.notifications import Draft, notify, notify_many, send_emails

pytestmark = pytest.mark.django_db

LIST = reverse("workflow:notification_list")


@pytest.fixture
def officer(demo_org):
    return demo_org.by_username["jingban"]


@pytest.fixture
def eager_celery():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def make(user, n, **fields):
    return Notification.objects.bulk_create(
        Notification(recipient=user, verb="test", title=f"通知{i}", url="/", **fields)
        for i in range(n))


def badge(page: str) -> str:
    start = page.index('data-testid="nav-notifications"')
    return page[start:page.index("</a>", start)]


def test_the_unread_count_is_in_the_navigation(client, officer, demo_org):
    make(officer, 3)
    make(demo_org.by_username["chuzhang"], 5)
    client.force_login(officer)
    nav = badge(client.get(reverse("home")).content.decode())
    assert ">3</span>" in nav and "未读通知3条" in nav
    Notification.objects.filter(recipient=officer).update(read_at="2026-10-01T00:00:00Z")
    assert "badge" not in badge(client.get(reverse("home")).content.decode())


def test_a_hundred_unread_read_99_plus(client, officer):
    make(officer, 100)
    client.force_login(officer)
    assert ">99+</span>" in badge(client.get(reverse("home")).content.decode())


def test_the_badge_costs_no_query_of_its_own(client, officer):
    make(officer, 2)
    client.force_login(officer)
    client.get(LIST)
    with CaptureQueriesContext(connection) as ctx:
        client.get(LIST)
    counting = [q["sql"] for q in ctx.captured_queries
                if "workflow_notification" in q["sql"] and "COUNT(" in q["sql"]]
    # folded into the roles query the navigation makes anyway (a page that read the roles
    # before rendering, like the home page's panels, counts in a query of its own)
    assert len(counting) == 1 and "auth_group" in counting[0]


def test_the_list_shows_only_ones_own_newest_first_and_unread_filter(client, officer, demo_org):
    mine = make(officer, 3)
    make(demo_org.by_username["chuzhang"], 2)
    Notification.objects.filter(pk=mine[0].pk).update(read_at="2026-10-01T00:00:00Z")
    client.force_login(officer)
    page = client.get(LIST).content.decode()
    assert page.count('data-testid="notification"') == 3
    assert page.index("通知2") < page.index("通知1") < page.index("通知0")
    unread = client.get(LIST + "?unread=1").content.decode()
    assert unread.count('data-testid="notification"') == 2


def test_mark_one_read(client, officer):
    note, = make(officer, 1)
    client.force_login(officer)
    assert client.get(reverse("workflow:notification_read", args=[note.pk])).status_code == 405
    response = client.post(reverse("workflow:notification_read", args=[note.pk]),
                           {"next": LIST + "?unread=1"})
    assert response.status_code == 302 and response["Location"] == LIST + "?unread=1"
    note.refresh_from_db()
    assert note.read_at is not None


def test_an_outside_next_is_not_followed(client, officer):
    note, = make(officer, 1)
    client.force_login(officer)
    response = client.post(reverse("workflow:notification_read", args=[note.pk]),
                           {"next": "https://evil.example/"})
    assert response["Location"] == LIST


def test_another_users_notification_is_not_found(client, officer, demo_org):
    theirs, = make(demo_org.by_username["chuzhang"], 1)
    client.force_login(officer)
    assert client.post(reverse("workflow:notification_read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_is_a_post_with_csrf(officer, demo_org):
    make(officer, 4)
    others = make(demo_org.by_username["chuzhang"], 1)
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(officer)
    assert csrf_client.post(reverse("workflow:notification_read_all")).status_code == 403
    page = csrf_client.get(LIST)
    token = page.cookies["csrftoken"].value
    response = csrf_client.post(reverse("workflow:notification_read_all"),
                                {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=officer, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=others[0].pk).read_at is None


def test_email_after_commit_once(officer, eager_celery, django_capture_on_commit_callbacks,
                                 settings):
    settings.ECOCLAIM_SITE_URL = "https://ecoclaim.example"
    officer.email = "zhangming@example.cn"
    officer.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify(officer, verb="test", title="期限提醒：初步核查期限还有3日届满", body="请及时办理。",
               url=reverse("workflow:deadline_detail", args=[1]))
    (message,) = mail.outbox
    assert message.subject == "【EcoClaim】期限提醒：初步核查期限还有3日届满"
    assert message.to == ["zhangming@example.cn"]
    assert "请及时办理。" in message.body
    assert "https://ecoclaim.example" + reverse("workflow:deadline_detail", args=[1]) in message.body
    note = Notification.objects.get()
    assert note.email_status == Notification.Email.SENT and note.emailed_at
    assert send_emails([note.pk]) == 0  # a retried task sends nothing
    assert len(mail.outbox) == 1


def test_no_email_when_turned_off_or_without_an_address(client, officer, demo_org, eager_celery,
                                                        django_capture_on_commit_callbacks):
    officer.email = "zhangming@example.cn"
    officer.save()
    client.force_login(officer)
    response = client.post(reverse("workflow:notification_preferences"), {"email_enabled": "0"})
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=officer).email_enabled is False
    assert "邮件通知：已关闭" in client.get(LIST).content.decode()
    head = demo_org.by_username["chuzhang"]  # no address
    with django_capture_on_commit_callbacks(execute=True):
        notify(officer, verb="test", title="甲")
        notify(head, verb="test", title="乙")
    assert mail.outbox == []
    assert set(Notification.objects.values_list("email_status", flat=True)) == {"not_sent"}
    client.post(reverse("workflow:notification_preferences"), {"email_enabled": "1"})
    with django_capture_on_commit_callbacks(execute=True):
        notify(officer, verb="test", title="丙")
    assert [m.subject for m in mail.outbox] == ["【EcoClaim】丙"]


def test_a_repeated_delivery_creates_nothing(officer):
    draft = Draft(recipient_id=officer.pk, verb="test", title="提醒", dedupe_key="deadline-alert:1")
    notify_many([draft])
    notify_many([draft])
    assert Notification.objects.filter(recipient=officer).count() == 1
