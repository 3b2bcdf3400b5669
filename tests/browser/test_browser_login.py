"""Logging in through the real login page, in a real browser (UI contract: README.md)."""

import re

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

# live_server needs committed data, hence transaction=True; serialized_rollback brings back
# the rows migrations created, which an earlier transactional test's flush removed.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WRONG_CREDENTIALS = "用户名或密码不正确"


# demo_org comes first in each signature so that it is built before the browser starts.
def test_each_role_logs_in_and_sees_its_home_page(
    demo_org, password, new_context, live_server, log_in
):
    assert demo_org.users, "demo_org made no users"
    failures = []
    for role, user in demo_org.users.items():
        # keys are accounts.roles.Role choices; the navigation shows the label (经办人 …)
        role_name = getattr(role, "label", str(role))
        page = new_context().new_page()
        try:
            log_in(page, user.get_username(), password)

            expect(page).to_have_url(f"{live_server.url}/")
            expect(page.get_by_role("heading", name="我的工作")).to_be_visible()
            navigation = page.get_by_role("navigation").filter(has_text=user.get_full_name())
            expect(navigation.first).to_contain_text(user.get_full_name())
            expect(navigation.first).to_contain_text(role_name)
        except (AssertionError, PlaywrightError) as exc:
            failures.append(f"{role_name} ({user.get_username()}): {exc}")
        finally:
            page.context.close()
    # every role is tried, so one failure does not hide the others
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize("known_user", [True, False], ids=["wrong-password", "unknown-user"])
def test_wrong_credentials_show_the_chinese_error(demo_org, page, live_server, log_in, known_user):
    user = next(iter(demo_org.users.values()))
    username = user.get_username() if known_user else "nobody-by-this-name"

    log_in(page, username, "not-the-password-2026")

    expect(page.get_by_text(WRONG_CREDENTIALS)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("heading", name="我的工作")).to_have_count(0)
