"""/public/figures/ (SX 第三十八条 依法向社会公开; the annual work report of SX 第四十条): the
headline figures of the approved final version of a jurisdiction's annual report, frozen when it
was submitted; nothing before approval, nothing of a returned version, never a live count; on
the world of tests/oversight/conftest.py (甲市 2026: 启动索赔 4 件, 索赔金额 650,000)."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from accounts.roles import Role
from cases.models import Case
from disclosure.public_figures import FIGURES
from oversight import annual_final
from oversight.models import AnnualReportFinal
from tests.cases.factories import CaseFactory
from tests.factories import UserFactory
from workflow import approvals
from workflow.models import Attachment

LIST = reverse("public:figures")


@pytest.fixture(autouse=True)
def fresh_cache():
    # the public pages are cached (disclosure/public.py); the database is rolled back after
    # each test, so must the cache be
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def head(world):
    return UserFactory(department=world.c1_lead, role=Role.DEPARTMENT_HEAD)


def submit(world) -> AnnualReportFinal:
    return annual_final.submit_final(world.coordinator, world.c1, 2026, summary="请审批。",
                                     today=datetime.date(2026, 11, 15))


def decide(final, head, approve=True):
    step = approvals.inbox(head).get(request__object_id=final.pk,
                                     request__action="annual_report_final")
    approvals.decide(step, by=head, approve=approve, opinion="同意。" if approve else "请补充。")
    final.refresh_from_db()
    return final


def year_url(world, code=None, year=2026):
    return reverse("public:figures_year", args=[code or world.c1.code, year])


def figures(client, url) -> dict[str, str]:
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    return {label: html.split(f">{label}</th>", 1)[1].split("</td>", 1)[0]
            .split(">", 1)[1].strip() for _, _, label, _ in FIGURES if f">{label}<" in html}


def test_nothing_before_approval_and_the_approved_figures_after(client, world, head):
    final = submit(world)
    assert final.state == "pending"
    assert "甲市" not in client.get(LIST).content.decode()
    assert client.get(year_url(world)).status_code == 404

    decide(final, head)
    listed = client.get(LIST).content.decode()
    assert "甲市 2026年度" in listed and year_url(world) in listed
    shown = figures(client, year_url(world))
    assert shown["启动索赔"] == "4 件"
    assert shown["索赔金额"] == "650,000.00 元"
    # every figure is the snapshot's (SX 第四十条: the report as approved)
    for key, _, label, unit in FIGURES:
        value = final.totals[key]
        expected = f"{Decimal(value):,.2f}" if unit == "元" else str(value)
        assert shown[label] == f"{expected} {unit}", key
    # the /public/ list links here
    assert LIST in client.get(reverse("public:list")).content.decode()
    # reported to the province since (已报送): still the approved version, still published
    from oversight.annual_final import report_up

    report_up(AnnualReportFinal.objects.get(pk=final.pk), by=world.coordinator)
    assert AnnualReportFinal.objects.get(pk=final.pk).state == "submitted"
    from django.core.cache import cache

    cache.clear()  # read from the database, not the page cached before
    assert figures(client, year_url(world))["启动索赔"] == "4 件"


def test_a_returned_version_never_shows(client, world, head):
    decide(submit(world), head, approve=False)
    assert AnnualReportFinal.objects.get().state == "returned"
    assert "甲市" not in client.get(LIST).content.decode()
    assert client.get(year_url(world)).status_code == 404


def test_a_later_approved_version_replaces_the_earlier_one(client, world, head):
    decide(submit(world), head)
    assert figures(client, year_url(world))["启动索赔"] == "4 件"  # now cached
    CaseFactory(department=world.c1_lead, stage=Case.Stage.INVESTIGATING,
                opened_on=datetime.date(2026, 11, 1), appraised_amount=Decimal("1000"))
    # a second version submitted and returned: the first approved one stays
    decide(submit(world), head, approve=False)
    assert figures(client, year_url(world))["启动索赔"] == "4 件"
    # a third, approved: it replaces the first at once (the cached page is dropped)
    third = decide(submit(world), head)
    assert (third.version, third.totals["started"]) == (3, 5)
    shown = figures(client, year_url(world))
    assert shown["启动索赔"] == "5 件" and shown["索赔金额"] == "651,000.00 元"
    assert "第3版" in client.get(year_url(world)).content.decode()
    assert client.get(LIST).content.decode().count("甲市 2026年度") == 1


def test_the_figures_are_the_snapshot_even_after_records_change(client, world, head):
    decide(submit(world), head)
    cache.clear()  # not the cache's doing: the page reads only the frozen snapshot
    for n in range(3):
        CaseFactory(department=world.c1_lead, stage=Case.Stage.INVESTIGATING,
                    opened_on=datetime.date(2026, 3, 1 + n), appraised_amount=Decimal("5"))
    shown = figures(client, year_url(world))
    assert shown["启动索赔"] == "4 件" and shown["索赔金额"] == "650,000.00 元"
    # and it is the stored snapshot that is shown, not a count made now
    AnnualReportFinal.objects.update(totals={"started": 99, "claimed": "1.50"})
    cache.clear()
    shown = figures(client, year_url(world))
    assert shown == {"启动索赔": "99 件", "索赔金额": "1.50 元"}


def test_other_ids_and_years_are_not_found(client, world, head):
    final = decide(submit(world), head)
    assert client.get(year_url(world)).status_code == 200
    others = [(world.c2.code, 2026), (world.k1.code, 2026), (world.province.code, 2026),
              (world.c1.code, 2025), (world.c1.code, 2027), (world.c1.code, 0),
              (world.c1.code, 99999), (str(world.c1.pk), 2026), (str(final.pk), 2026),
              (str(final.pdf_id), 2026), ("..", 2026), ("a" * 40, 2026), ("%00", 2026)]
    for code, year in others:
        assert client.get(reverse("public:figures_year", args=[code, year])).status_code \
            == 404, (code, year)
    for path in (f"/public/figures/{world.c1.code}/", f"/public/figures/{final.pk}/",
                 f"/public/figures/{world.c1.code}/2026/pdf/"):
        assert client.get(path).status_code == 404, path
    # the page names no person, no case and none of the archived files
    html = client.get(year_url(world)).content.decode()
    for hidden in [c.number for c in world.cases.values()] + [
            world.coordinator.get_full_name() or world.coordinator.username, head.username]:
        assert hidden not in html
    for attachment in Attachment.objects.all():
        assert reverse("workflow:download_attachment", args=[attachment.pk]) not in html


def test_pages_are_cacheable_and_use_no_session(client, world, head):
    decide(submit(world), head)
    for url in (LIST, year_url(world)):
        response = client.get(url)
        assert response.status_code == 200
        cache_control = response["Cache-Control"]
        assert "public" in cache_control and "max-age=300" in cache_control, url
        assert "no-store" not in cache_control and "private" not in cache_control
        assert "Cookie" not in response.get("Vary", ""), url
        assert not response.cookies, url
    # a logged-in visitor gets the same public page
    client.force_login(world.coordinator)
    response = client.get(year_url(world))
    assert response.status_code == 200 and "public" in response["Cache-Control"]
    assert client.post(LIST).status_code == 405
    assert client.post(year_url(world)).status_code == 405
