import pytest
from django.conf import settings

from accounts.demo import build_org

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


def login(client, user):
    client.force_login(user)
    return client
