"""Opening a collapsed section of the case page as a user does: a click on its title, then the
section's body arrives (htmx replaces the fallback link)."""

from playwright.sync_api import expect


def open_section(page, title: str):
    section = page.locator("details.case-section").filter(
        has=page.locator("summary", has_text=title))
    section.locator("summary").click()
    expect(section.get_by_test_id("section-link")).to_have_count(0)
    return section
