"""The coordinator searches a party by part of its name from the navigation's search box
(issue 15), moves through the hits with the arrow keys (a static script: the CSP refuses
inline ones) and opens the case; nothing is refused by the CSP on the way."""

import re

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from cases.models import CaseObligor
from tests.cases.factories import CaseFactory
from tests.parties.factories import OrganisationFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_coordinator_finds_a_party_by_part_of_its_name(page, live_server, log_in, password,
                                                        demo_org):
    coordinator = demo_org.users[Role.COORDINATOR]
    officer = demo_org.users[Role.OFFICER]
    party = OrganisationFactory(name="太原晋阳化工有限公司", created_by=officer)
    case = CaseFactory(number="140100-2026-SP0042", department=officer.department,
                       created_by=officer, cause="含铬废水污染汾河案")
    CaseObligor.objects.create(case=case, party=party)
    refused = []
    page.on("console", lambda m: refused.append(m.text)
            if "Content Security Policy" in m.text else None)

    log_in(page, coordinator.username, password)
    box = page.get_by_test_id("nav-search")
    box.fill("晋阳化工")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q="))
    expect(page.get_by_test_id("search-group-parties")).to_contain_text("太原晋阳化工有限公司")
    expect(page.get_by_test_id("search-group-cases")).to_contain_text("140100-2026-SP0042")

    page.wait_for_selector("html[data-search-keys]", state="attached")  # the script ran
    page.locator("#search-q").focus()
    page.keyboard.press("ArrowDown")  # the first hit: the case (案件 come first)
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == case.get_absolute_url()
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.textContent").strip().startswith(
        "太原晋阳化工有限公司")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/$"))
    assert refused == []
