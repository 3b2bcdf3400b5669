"""Sessions end after 8 hours without activity and at browser close (docs/architecture.md,
Security), while a page does not write the session row on every request: the row is refreshed
at most every ECOCLAIM_SESSION_REFRESH_SECONDS (accounts.middleware.SessionRefreshMiddleware)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in Beijing
LIST = reverse("screening:clue_list")
EIGHT_HOURS = timedelta(seconds=settings.SESSION_COOKIE_AGE)


def session_writes(client, url=LIST):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    writes = [q["sql"] for q in ctx.captured_queries
              if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")]
    return response, writes


def logged_in(response) -> bool:
    return response.status_code == 200


def test_the_documented_lifetime_is_eight_hours_and_browser_close():
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_an_idle_session_ends_after_eight_hours(client, demo_org):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(demo_org.by_username["jingban"])
        assert logged_in(client.get(LIST))
        clock.move_to(START + EIGHT_HOURS - timedelta(minutes=1))
        assert logged_in(client.get(LIST))  # 7 h 59 min idle: still in
        last = START + EIGHT_HOURS - timedelta(minutes=1)
        clock.move_to(last + EIGHT_HOURS + timedelta(seconds=1))
        response = client.get(LIST)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_an_active_session_lives_past_eight_hours(client, demo_org):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(demo_org.by_username["jingban"])
        for minutes in range(0, 12 * 60, 20):  # a page every 20 minutes for 12 hours
            clock.move_to(START + timedelta(minutes=minutes))
            assert logged_in(client.get(LIST)), minutes


def test_a_page_writes_the_session_only_once_per_refresh_interval(client, demo_org):
    refresh = timedelta(seconds=settings.ECOCLAIM_SESSION_REFRESH_SECONDS)
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(demo_org.by_username["shuiwu"])
        response, writes = session_writes(client)  # the login stamped the session
        assert logged_in(response) and writes == []
        for seconds in (1, 60, refresh.seconds - 1):
            clock.move_to(START + timedelta(seconds=seconds))
            response, writes = session_writes(client)
            assert logged_in(response) and writes == [], seconds
        clock.move_to(START + refresh)
        response, writes = session_writes(client)
        assert logged_in(response) and writes, "the session is refreshed once the interval is over"
        # the refresh moved the expiry: 8 hours from the refresh, not from the login
        clock.move_to(START + refresh + EIGHT_HOURS - timedelta(seconds=1))
        assert logged_in(client.get(LIST))


def test_the_session_cookie_ends_with_the_browser(client, demo_org):
    response = client.post(reverse("login"), {"username": "jingban", "password": PASSWORD})
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie.value and not cookie["max-age"] and not cookie["expires"]
    # the login stamped the session: the first page writes nothing
    response, writes = session_writes(client)
    assert logged_in(response) and writes == []


def test_logout_still_ends_the_session(client, demo_org):
    client.force_login(demo_org.by_username["jingban"])
    assert logged_in(client.get(LIST))
    client.post(reverse("logout"))
    assert client.get(LIST).status_code == 302
