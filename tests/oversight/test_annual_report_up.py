"""Reporting the approved annual report to the province (SX 第四十条: 每年12月底前将本年度生态环境
损害赔偿工作情况报送省生态环境厅): the coordinator of the city marks an approved final version
已报送 (a transition, audited); the province's department then sees it on its reports page —
only reported versions — and the cities' reported figures add up to the province's.

On the world of tests/oversight/conftest.py, with the province's department made the lead of
the province (as in the demo: 山西省生态环境厅), so that it counts everything below it."""

import re
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from accounts.roles import Role
from oversight import annual_final
from oversight.models import AnnualReportFinal
from tests.conftest import login
from tests.factories import UserFactory
from workflow import approvals
from workflow.models import ApprovalStep, AuditEvent

from .conftest import NOW

REPORTS = reverse("oversight:reports")


@pytest.fixture
def province_lead(world):
    world.p_eco.is_lead = True
    world.p_eco.save()
    return world


def approved_final(user, jurisdiction) -> AnnualReportFinal:
    final = annual_final.submit_final(user, jurisdiction, 2026, summary="请审批。",
                                      today=NOW.date())
    head = UserFactory(department=user.department, role=Role.DEPARTMENT_HEAD)
    step = ApprovalStep.objects.get(request__object_id=final.pk,
                                    request__action="annual_report_final")
    approvals.decide(step, by=head, approve=True, opinion="同意报送。")
    final.refresh_from_db()
    assert final.state == "approved"
    return final


def report_up(client, user, final):
    login(client, user)
    return client.post(reverse("oversight:annual_report_up", args=[final.pk]),
                       {"seen_state": final.state})


def reported_rows(html: str) -> dict[str, str]:
    table = re.search(r'data-testid="reported-table">(.*?)</table>', html, re.S)
    assert table, "no reported table"
    return {m[1]: re.sub(r"<[^>]+>|\s", "", m[2]) for m in
            re.finditer(r'<tr[^>]*data-unit="(\w+)">(.*?)</tr>', table[1], re.S)}


def test_reported_up_is_audited_and_seen_by_the_province_only_then(client, province_lead):
    world = province_lead
    c2_coordinator = UserFactory(department=world.c2_lead, role=Role.COORDINATOR)
    final = approved_final(world.coordinator, world.c1)
    pdf = reverse("workflow:download_attachment", args=[final.pdf_id])

    # approved but not reported: the province sees neither the row nor the file
    login(client, world.provincial)
    rows = reported_rows(client.get(REPORTS).content.decode())
    assert "尚未报送" in rows[str(world.c1.pk)]
    assert str(final) not in client.get(REPORTS).content.decode()
    assert client.get(pdf).status_code == 404

    # only the coordinator of 甲市 reports it: not another city's, not the province's
    assert report_up(client, c2_coordinator, final).status_code == 404
    province_coordinator = UserFactory(department=world.p_eco, role=Role.COORDINATOR)
    assert report_up(client, province_coordinator, final).status_code == 404  # not reported
    head = UserFactory(department=world.c1_lead, role=Role.DEPARTMENT_HEAD)
    assert report_up(client, head, final).status_code == 403
    final.refresh_from_db()
    assert final.state == "approved"

    login(client, world.coordinator)
    page = client.get(REPORTS).content.decode()
    assert f'data-testid="report-up-{final.pk}"' in page and "报送测试省" in page
    response = report_up(client, world.coordinator, final)
    assert response.status_code == 302
    final.refresh_from_db()
    assert final.state == "submitted" and final.submitted_by == world.coordinator
    event = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(AnnualReportFinal),
        object_id=str(final.pk), action="transition").order_by("-id").first()
    assert (event.from_state, event.to_state, event.transition) == ("已定稿", "已报送", "报送上级")
    # once only
    report_up(client, world.coordinator, final)
    assert AuditEvent.objects.filter(object_id=str(final.pk), transition="报送上级",
                                     content_type=event.content_type).count() == 1

    # now the province sees it and downloads it; another city still does not
    login(client, world.provincial)
    rows = reported_rows(client.get(REPORTS).content.decode())
    assert rows[str(world.c1.pk)].startswith(f"{world.c1.name}第1版")
    assert client.get(pdf).status_code == 200
    login(client, c2_coordinator)
    assert str(final) not in client.get(REPORTS).content.decode()
    assert client.get(pdf).status_code == 404


def test_a_jurisdiction_without_one_above_has_nobody_to_report_to(client, province_lead):
    world = province_lead
    coordinator = UserFactory(department=world.p_eco, role=Role.COORDINATOR)
    final = approved_final(coordinator, world.province)
    report_up(client, coordinator, final)
    final.refresh_from_db()
    assert final.state == "approved"


def test_the_cities_reported_figures_add_up_to_the_provinces(client, province_lead):
    world = province_lead
    c2_coordinator = UserFactory(department=world.c2_lead, role=Role.COORDINATOR)
    c1 = approved_final(world.coordinator, world.c1)
    c2 = approved_final(c2_coordinator, world.c2)
    # a pending later version of 丙市 is not what the province sees
    annual_final.report_up(c1, by=world.coordinator)
    annual_final.report_up(c2, by=c2_coordinator)
    c1.refresh_from_db()
    c2.refresh_from_db()

    rows, total, live = annual_final.reported_below(world.provincial, 2026, NOW.date())
    assert [r.final for r in rows] == [c1, c2]
    # hand-counted (conftest): 甲市 with 乙区 — clues 4 in 2026 Q4 + 1 in Q3 = 5, cases A B C D
    # started in 2026; 丙市 — 2 clues, E started in 2025
    assert (rows[0].values["clues"], rows[0].values["started"]) == (5, 4)
    assert (rows[1].values["clues"], rows[1].values["started"]) == (2, 0)
    assert total["clues"] == 7 and total["started"] == 4
    assert total["claimed"] == Decimal("1050000.00")
    # the province counts the same now (nothing changed since, nothing at the province's own
    # level): every figure the breakdown has equals the sum of the reported ones
    for field, value in live.items():
        assert total[field] == value, field
    for row in rows:
        for field, value in row.live.items():
            assert row.values[field] == value, (row.jurisdiction, field)

    login(client, world.provincial)
    html = client.get(REPORTS).content.decode()
    foot = re.search(r"<tfoot>(.*?)</tfoot>", html, re.S)[1]
    total_cells, live_cells = [
        [re.sub(r"<[^>]+>|\s", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)][2:]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", foot, re.S)]
    assert total_cells == ["7", "4", "1", "1", "1,050,000.00元", "180,000.00元", "300,000.00元"]
    assert live_cells == ["7", "4", "—", "—", "1,050,000.00元", "180,000.00元", "300,000.00元"]
