"""The December reminder of the annual work report (SX 第四十条: 每年12月底前将本年度生态环境损害赔偿
工作情况报送省生态环境厅), from the rule profile's screening.aggregation; on the coordinator's home
page and the reports page."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse

from oversight.annual import annual_report_due
from rules.models import RuleSet
from tests.factories import DepartmentFactory, JurisdictionFactory

BJ = ZoneInfo("Asia/Shanghai")
SENTENCE = "2026年度生态环境损害赔偿工作情况须于2026年12月31日前报送"


def at(y, m, d):
    return time_machine.travel(datetime(y, m, d, 10, 0, tzinfo=BJ), tick=False)


def page(client, user, url) -> str:
    client.force_login(user)
    return client.get(url).content.decode()


def test_the_coordinator_is_reminded_in_december_only(client, demo_org):
    coordinator = demo_org.by_username["qiantou"]
    home, reports = reverse("home"), reverse("oversight:reports")
    with at(2026, 11, 30):
        assert SENTENCE not in page(client, coordinator, home)
        assert SENTENCE not in page(client, coordinator, reports)
    with at(2026, 12, 1):
        html = page(client, coordinator, home)
        assert SENTENCE in html and "SX 第四十条" in html
        assert f"{reverse('oversight:annual_report')}?year=2026" in html
        assert SENTENCE in page(client, coordinator, reports)
    with at(2027, 1, 2):
        assert SENTENCE not in page(client, coordinator, home)


def test_only_the_coordinator_is_reminded(client, demo_org):
    with at(2026, 12, 10):
        for username in ("jingban", "chuzhang", "juzhang", "jiancha", "caizheng"):
            assert "年度生态环境损害赔偿工作情况须于" not in page(
                client, demo_org.by_username[username], reverse("home")), username


def test_the_due_day_comes_from_the_rule_profile(demo_org):
    coordinator = demo_org.by_username["qiantou"]
    duty = annual_report_due(coordinator.department, date(2026, 12, 31))
    assert (duty.due, duty.citation) == (date(2026, 12, 31), "SX 第四十条")
    assert annual_report_due(coordinator.department, date(2026, 11, 30)) is None
    # CQ 二 aggregates every half-year and NT fixes nothing: no annual reminder
    for code in ("CQ", "NT"):
        department = DepartmentFactory(jurisdiction=JurisdictionFactory(
            rule_set=RuleSet.objects.get(code=code)))
        assert annual_report_due(department, date(2026, 12, 15)) is None


def test_an_approved_final_version_reported_up_ends_the_reminder(demo_org):
    from oversight.models import AnnualReportFinal

    coordinator = demo_org.by_username["qiantou"]
    final = AnnualReportFinal.objects.create(
        jurisdiction=coordinator.department.jurisdiction, year=2026, version=1,
        department=coordinator.department, sha256="0" * 64, created_by=coordinator)
    assert annual_report_due(coordinator.department, date(2026, 12, 15)) is not None
    AnnualReportFinal.objects.filter(pk=final.pk).update(state="pending")
    assert annual_report_due(coordinator.department, date(2026, 12, 15)) is not None
    # SX 第四十条: 报送省生态环境厅 — approved is not yet reported to the province above
    assert coordinator.department.jurisdiction.parent is not None
    AnnualReportFinal.objects.filter(pk=final.pk).update(state="approved")
    assert annual_report_due(coordinator.department, date(2026, 12, 15)) is not None
    AnnualReportFinal.objects.filter(pk=final.pk).update(state="submitted")
    assert annual_report_due(coordinator.department, date(2026, 12, 15)) is None
    # the province itself has nobody to report to: approved ends it there
    province = demo_org.by_username["shengting"].department
    AnnualReportFinal.objects.create(
        jurisdiction=province.jurisdiction, year=2026, version=1, department=province,
        sha256="0" * 64, created_by=demo_org.by_username["shengting"])
    assert annual_report_due(province, date(2026, 12, 15)) is not None
    AnnualReportFinal.objects.filter(jurisdiction=province.jurisdiction).update(state="approved")
    assert annual_report_due(province, date(2026, 12, 15)) is None
