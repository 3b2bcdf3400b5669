import warnings

import pytest
from django.conf import settings

from accounts.demo import build_org
from rules import calendar

from .factories import PASSWORD  # noqa: F401  (browser tests log in with it)


def pytest_report_header(config):
    services = getattr(settings, "TEST_SERVICES", {})
    return f"EcoClaim test services: database={services.get('database')}, " \
           f"broker={services.get('broker')}"


@pytest.fixture
def demo_org(db):
    """The demo organisation (city 140100 with two districts, departments, one user per role);
    every user's password is tests.conftest.PASSWORD."""
    return build_org(password=PASSWORD)


@pytest.fixture(scope="session", autouse=True)
def no_stray_sessions_at_teardown(django_db_setup, django_db_blocker):
    """Before the test database is dropped, end any other session still connected to it (a
    worker subprocess or a thread that outlived its test), naming it in the warnings summary: a stray session
    makes DROP DATABASE fail, and the next run (make test's faked clock) then finds the old
    database in use."""
    yield
    from django.db import connection

    test_name = connection.settings_dict.get("TEST", {}).get("NAME")
    if connection.vendor != "postgresql" or connection.settings_dict["NAME"] != test_name:
        return  # SQLite, or no test in this run used the database
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, application_name, state, left(query, 200),"
            " pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()")
        for pid, application, state, query, _ in cursor.fetchall():
            warnings.warn(f"stray session on the test database ended: pid {pid} "
                          f"{application!r} {state}: {query}", pytest.PytestWarning,
                          stacklevel=1)


def login(client, user):
    client.force_login(user)
    return client


# The expectations of this suite were written against the State Council schedules that
# chinese-calendar 1.11 carries, through 2026. A newer release (the 2027 schedule is published
# late in 2026) must not turn the suite's "2027 not yet entered" dates into confirmed ones.
CALENDAR_PACKAGE_THROUGH = 2026


@pytest.fixture(autouse=True)
def calendar_package_through_2026(monkeypatch):
    real_day, real_years = calendar._package_day, calendar.package_years
    assert real_years()[1] >= CALENDAR_PACKAGE_THROUGH, "chinese-calendar lacks the 2026 schedule"

    def package_day(day):
        return real_day(day) if day.year <= CALENDAR_PACKAGE_THROUGH else None

    def package_years():
        first, last = real_years()
        return first, min(last, CALENDAR_PACKAGE_THROUGH)

    monkeypatch.setattr(calendar, "_package_day", package_day)
    monkeypatch.setattr(calendar, "package_years", package_years)


DEAD_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def dead_broker():
    """The Celery app pointed at a real broker that cannot be reached (no mock): every send
    fails with kombu's OperationalError, as when Redis is down. Restored afterwards. (Settings
    come in under the CELERY_ namespace, so the namespaced keys are the ones to change.)"""
    from config.celery import app

    dead = {"CELERY_BROKER_URL": DEAD_BROKER, "CELERY_BROKER_TRANSPORT_OPTIONS": {},
            "CELERY_TASK_PUBLISH_RETRY_POLICY": {"max_retries": 1, "interval_start": 0,
                                                 "interval_step": 0.1, "interval_max": 0.1}}
    saved = {k: app.conf.get(k) for k in dead}
    always_eager = app.conf.task_always_eager
    app.conf.update(dead)
    app.conf.task_always_eager = False
    app._pool = None
    app.amqp._producer_pool = None
    assert app.connection_for_write().as_uri().endswith("127.0.0.1:1/0")
    yield app
    app.conf.update(saved)
    app.conf.task_always_eager = always_eager
    app._pool = None
    app.amqp._producer_pool = None
