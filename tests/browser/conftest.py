"""Browser tests: Playwright's sync API drives Debian's chromium (/usr/bin/chromium, never a
downloaded browser) against pytest-django's live_server.

Without /usr/bin/chromium the tests skip, except in CI (CI=true or ECOCLAIM_REQUIRE_SERVICES=1),
where a missing browser is an error: `make test` installs Debian's chromium.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking switches chromium keeps trying to reach Google's hosts,
# which a closed network refuses.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000


def _in_ci() -> bool:
    return (
        os.environ.get("CI", "").lower() in ("true", "1", "yes")
        or os.environ.get("ECOCLAIM_REQUIRE_SERVICES") == "1"
    )


@pytest.fixture
def browser(transactional_db):
    """A chromium for one test, started after the test database is set up and closed before
    it is torn down. While Playwright's sync API runs, its event loop is this thread's running
    loop, and Django (asgiref's Local) then hands out a second set of connections; the
    database fixtures must do their work outside that time, and whatever the test opened
    inside it is closed here."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium (make test does)"
        if _in_ci():
            pytest.fail(f"{message}; browser tests may not skip in CI", pytrace=False)
        pytest.skip(message)

    from django.db import connections
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()
            connections.close_all()


@pytest.fixture
def new_context(browser):
    """Makes fresh browser contexts (separate cookies, so separate sessions) and closes them."""
    contexts = []

    def make():
        context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture
def password():
    from tests.conftest import PASSWORD

    return PASSWORD


@pytest.fixture
def log_in(live_server):
    """Fills in and submits the login form of the UI contract: /accounts/login/, inputs
    name="username" and name="password", a submit button "登录"."""

    def submit(page, username: str, password: str) -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.locator('input[name="username"]').fill(username)
        page.locator('input[name="password"]').fill(password)
        page.get_by_role("button", name="登录", exact=True).click()

    return submit
