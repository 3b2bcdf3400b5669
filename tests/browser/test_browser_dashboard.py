"""The coordinator opens the dashboard from the navigation and clicks a figure through to the
list it counts (issue 15): the list shows the same records, with the filters named above it."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from tests.factories import ClueFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_coordinator_clicks_a_figure_through_to_its_list(page, live_server, log_in, password,
                                                         demo_org):
    today = timezone.localdate()
    coordinator = demo_org.users[Role.COORDINATOR]
    district = next(d for d in demo_org.departments.values()
                    if d.jurisdiction_id == demo_org.districts[0].pk and d.handles_claims)
    for department in (coordinator.department, coordinator.department, district):
        ClueFactory(department=department, registered_on=today, found_on=today)

    log_in(page, coordinator.username, password)
    page.get_by_role("link", name="数据看板", exact=True).click()
    expect(page.get_by_role("heading", name="数据看板")).to_be_visible()
    figure = page.locator('[data-figure="clues-total"]')
    expect(figure).to_have_text("3")
    expect(page.locator('[data-testid="side-by-side"]')).to_contain_text("（本级）")
    assert page.locator("svg.chart").count() >= 5

    figure.click()
    expect(page).to_have_url(re.compile(r"/screening/clues/\?.*date_from="))
    expect(page.locator('[data-testid="linked-filters"]')).to_contain_text("登记日期")
    expect(page.locator("table tbody tr")).to_have_count(3)
