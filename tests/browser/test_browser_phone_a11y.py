"""The main pages at phone width and under axe-core (issue 17, 手机宽度与键盘).

With the demo loaded, each page is opened by the demo user who works on it:
- at 390×844 the page does not scroll sideways (tables scroll inside their own box) and the
  navigation is collapsed behind its toggler, which opens it (Bootstrap's collapse, served
  from xstatic-bootstrap, under the app's CSP);
- axe-core (bundled by axe-playwright-python, injected from the installed package, nothing
  downloaded) reports no serious or critical finding at desktop width nor at phone width."""

import os
from io import StringIO

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from accounts.models import User
from cases.models import Case
from screening.models import Clue

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
BLOCKING = ("serious", "critical")
SHOTS = os.environ.get("ECOCLAIM_PHONE_SHOTS")  # a folder: save each page's phone screenshot
# The outermost elements that reach past the viewport's right edge (to name them in a failure).
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth, names = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (el.getBoundingClientRect().right <= width + 0.5) continue;
    const parent = el.parentElement;
    if (parent !== document.body && parent.getBoundingClientRect().right > width + 0.5) continue;
    names.push(el.tagName.toLowerCase() + (el.className && typeof el.className === "string"
      ? "." + el.className.trim().split(/\\s+/).join(".") : ""));
  }
  return names.slice(0, 8);
}"""


@pytest.fixture
def main_pages(db):
    """(user name or None for the public, path) of every main page, the demo loaded first."""
    call_command("load_demo", stdout=StringIO())
    officer = User.objects.get(username="jingban")
    case = Case.objects.visible_to(officer).order_by("pk").first()
    assert case is not None, "the demo has no case the officer sees"
    clue = Clue.objects.visible_to(officer).order_by("pk").first()
    word = case.cause[:2]
    return [
        ("jingban", reverse("home")),
        ("jingban", reverse("screening:clue_list")),
        ("jingban", reverse("cases:case_list")),
        ("jingban", case.get_absolute_url()),
        ("jingban", reverse("workflow:deadline_board")),
        ("jingban", reverse("workflow:deadline_calendar")),
        ("jingban", clue.get_absolute_url()),
        ("jingban", reverse("screening:round_list")),
        ("jingban", reverse("parties:party_list")),
        ("jingban", f"{reverse('search:search')}?q={word}"),
        ("chuzhang", reverse("home")),
        ("chuzhang", reverse("workflow:approval_inbox")),
        ("qiantou", reverse("home")),
        ("qiantou", reverse("oversight:dashboard")),
        (None, reverse("public:list")),
    ]


def _contexts(new_context, live_server, log_in, viewport, users):
    """One logged-in page per demo user (and one anonymous), at the given viewport."""
    pages = {}
    for username in users:
        page = new_context().new_page()
        page.set_viewport_size(viewport)
        if username is not None:
            log_in(page, username, DEMO_PASSWORD)
            expect(page.get_by_test_id("nav-user")).to_be_attached()
        pages[username] = page
    return pages


def _serious(page) -> list[str]:
    results = Axe().run(page)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] in BLOCKING:
            targets = "; ".join(", ".join(map(str, n["target"])) for n in violation["nodes"][:5])
            found.append(f"{page.url}: {violation['id']} ({violation['impact']}, "
                         f"{len(violation['nodes'])}×) {violation['help']} → {targets}; "
                         f"{violation['nodes'][0].get('failureSummary', '')}")
    return found


def test_axe_finds_nothing_serious_on_the_main_pages(main_pages, new_context, live_server,
                                                     log_in):
    found = []
    for viewport in (DESKTOP, PHONE):
        pages = _contexts(new_context, live_server, log_in, viewport,
                          dict.fromkeys(user for user, _ in main_pages))
        for username, path in main_pages:
            page = pages[username]
            page.goto(f"{live_server.url}{path}")
            found += _serious(page)
    assert not found, "axe-core, serious or critical:\n" + "\n".join(found)


def test_no_page_scrolls_sideways_at_phone_width_and_the_nav_is_collapsed(
        main_pages, new_context, live_server, log_in):
    pages = _contexts(new_context, live_server, log_in, PHONE,
                      dict.fromkeys(user for user, _ in main_pages))
    too_wide = []
    for username, path in main_pages:
        page = pages[username]
        page.goto(f"{live_server.url}{path}")
        width = page.evaluate("document.scrollingElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide.append(f"{path} ({username}): {width} px, "
                            f"{page.evaluate(OVERFLOWING)}")
        # the heading stays on a line or two (it once broke one character per line)
        heading = page.locator("main h1").first
        if heading.count():
            assert heading.bounding_box()["height"] < 90, f"{path}: the h1 is squeezed"
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/{username}{path.replace('/', '_')[:60]}.png",
                            full_page=True)
        if username is not None:
            toggler = page.get_by_role("button", name="展开导航")
            expect(toggler).to_be_visible()
            expect(toggler).to_have_attribute("aria-expanded", "false")
            expect(page.get_by_role("link", name="数据看板", exact=True)).to_be_hidden()
            # the nav takes one bar, not the screen
            assert page.locator("nav.navbar").bounding_box()["height"] < 80
    assert not too_wide, "the page scrolls sideways at 390 px:\n" + "\n".join(too_wide)

    # The toggler opens the navigation (Bootstrap's collapse runs under the CSP).
    page = pages["jingban"]
    page.goto(f"{live_server.url}/")
    page.get_by_role("button", name="展开导航").click()
    expect(page.get_by_role("link", name="数据看板", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="展开导航")).to_have_attribute("aria-expanded", "true")
    page.get_by_role("link", name="数据看板", exact=True).click()
    expect(page.get_by_role("heading", name="数据看板")).to_be_visible()
