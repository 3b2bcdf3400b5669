"""A hand-counted world for the dashboard: a province with two cities, one city with a county,
records of every kind placed in known quarters, with the clock fixed at 2026-11-15 10:00 in
Beijing (2026年第四季度).

    省 P ── 省生态环境厅 (ecology, not lead): sees the ecology departments strictly below
     ├─ 市 C1 ── C1 生态环境局 (lead), C1 水利局 (water)
     │   └─ 区 K1 ── K1 生态环境分局 (lead of K1)
     └─ 市 C2 ── C2 生态环境局 (lead)

| record            | C1 水利局           | C1 生态环境局       | K1 分局            | C2 生态环境局      |
| clues 2026Q4      | 2 (supervision)     | 1 (supervision)     | 1 (complaint)      | 2 (supervision)    |
| clues 2026Q3      | 1                   |                     |                    |                    |
| cases             | A 调查中 2026-10-05 水 100,000; B 索赔终止 2026-05-10 土壤 50,000 (终止 2026-08-20) |
|                   |                     | C 结案 2026-02-01 水 200,000 重大 (结案 2026-10-01 00:30) |
|                   |                     |                     | D 磋商 2026-10-20 大气 300,000 重大, progress 2026-11-01 |
|                   |                     |                     |                    | E 履行 2025-12-01 水 400,000 |
| deadlines         | 1 overdue, 1 due 11-18, 1 due 12-30 | | 1 overdue           | 1 overdue          |
| pending approvals | 1 (on A, 2 days)    |                     | 1 (on D, 14 days)  |                    |
| money             | A: judgment 80,000 paid 80,000 | | D: deposit received 50,000 held 30,000 applied 20,000 | E: agreement 400,000 paid 100,000 |
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType

from accounts.models import Department, Jurisdiction
from accounts.roles import Role
from cases.models import Case, CaseObligor, MajorCaseProgress
from restoration.models import Deposit, FundObligation
from screening.models import SourceChannel
from tests.cases.factories import CaseFactory
from tests.factories import ClueFactory, DepartmentFactory, JurisdictionFactory, UserFactory
from tests.parties.factories import OrganisationFactory
from workflow.models import ApprovalRequest, Deadline, DeadlineKind

BJ = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 11, 15, 10, 0, tzinfo=BJ)
D = datetime.date


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@dataclass
class World:
    province: Jurisdiction
    c1: Jurisdiction
    k1: Jurisdiction
    c2: Jurisdiction
    p_eco: Department
    c1_lead: Department
    c1_water: Department
    k1_eco: Department
    c2_lead: Department
    cases: dict
    water_officer: object
    coordinator: object
    provincial: object
    c2_officer: object


def _clue(department, registered_on, channel="supervision"):
    return ClueFactory(department=department, registered_on=registered_on,
                       found_on=registered_on - datetime.timedelta(days=2),
                       channel=SourceChannel.objects.get(code=channel))


def _deadline(department, subject, *, status, due):
    return Deadline.objects.create(
        content_type=ContentType.objects.get_for_model(subject), object_id=subject.pk,
        subject_label=str(subject), kind=DeadlineKind.INVESTIGATION, title="损害调查",
        start_date=D(2026, 8, 1), calendar=Deadline.Calendar.NATURAL, days=60, due=due,
        explanation="测试", status=status, department=department)


def _approval(case, *, action, status, requested_at, closed_at=None, by):
    return ApprovalRequest.objects.create(
        content_type=ContentType.objects.get_for_model(Case), object_id=case.pk,
        department=case.department, action=action, title={"case_termination": "索赔终止",
                                                           "case_closing": "结案"}.get(action,
                                                                                       "索赔启动"),
        summary="测试", requested_by=by, requested_at=requested_at, status=status,
        closed_at=closed_at)


def _obligation(case, *, source, amount, paid):
    party = OrganisationFactory()
    obligor = CaseObligor.objects.create(case=case, party=party)
    return FundObligation.objects.create(
        case=case, source=source, obligor=obligor, kind="restoration_cost", amount=Decimal(amount),
        paid=Decimal(paid), outstanding=Decimal(amount) - Decimal(paid),
        payee_treasury=case.jurisdiction,
        status=FundObligation.Status.PAID if amount == paid else FundObligation.Status.OPEN)


@pytest.fixture
def world(db, clock):
    province = JurisdictionFactory(name="测试省", level=Jurisdiction.Level.PROVINCE)
    c1 = JurisdictionFactory(name="甲市", parent=province)
    k1 = JurisdictionFactory(name="甲市乙区", parent=c1, level=Jurisdiction.Level.COUNTY)
    c2 = JurisdictionFactory(name="丙市", parent=province)
    p_eco = DepartmentFactory(name="省生态环境厅", jurisdiction=province)
    c1_lead = DepartmentFactory(name="甲市生态环境局", jurisdiction=c1, is_lead=True)
    c1_water = DepartmentFactory(name="甲市水利局", jurisdiction=c1,
                                 kind=Department.Kind.WATER)
    k1_eco = DepartmentFactory(name="乙区生态环境分局", jurisdiction=k1, is_lead=True)
    c2_lead = DepartmentFactory(name="丙市生态环境局", jurisdiction=c2, is_lead=True)

    for day in (D(2026, 10, 8), D(2026, 11, 2)):
        _clue(c1_water, day)
    _clue(c1_water, D(2026, 8, 8))
    _clue(c1_lead, D(2026, 10, 9))
    _clue(k1_eco, D(2026, 10, 10), channel="complaint")
    for day in (D(2026, 10, 11), D(2026, 11, 3)):
        _clue(c2_lead, day)
    Deadline.objects.all().delete()  # the clues' own verification periods: not counted here

    water_officer = UserFactory(department=c1_water, role=Role.OFFICER)
    coordinator = UserFactory(department=c1_lead, role=Role.COORDINATOR)
    provincial = UserFactory(department=p_eco, role=Role.DEPARTMENT_HEAD)
    c2_officer = UserFactory(department=c2_lead, role=Role.OFFICER)

    W = Case.Stage
    cases = {
        "A": CaseFactory(department=c1_water, stage=W.INVESTIGATING, opened_on=D(2026, 10, 5),
                         damage_type="water", appraised_amount=Decimal("100000")),
        "B": CaseFactory(department=c1_water, stage=W.TERMINATED, opened_on=D(2026, 5, 10),
                         damage_type="soil", appraised_amount=Decimal("50000")),
        "C": CaseFactory(department=c1_lead, stage=W.CLOSED, opened_on=D(2026, 2, 1),
                         damage_type="water", appraised_amount=Decimal("200000"),
                         classification=Case.Classification.MAJOR),
        "D": CaseFactory(department=k1_eco, stage=W.NEGOTIATING, opened_on=D(2026, 10, 20),
                         damage_type="air", appraised_amount=Decimal("300000"),
                         classification=Case.Classification.MAJOR),
        "E": CaseFactory(department=c2_lead, stage=W.PERFORMING, opened_on=D(2025, 12, 1),
                         damage_type="water", appraised_amount=Decimal("400000")),
    }
    MajorCaseProgress.objects.create(case=cases["D"], noted_on=D(2026, 11, 1),
                                     text="已送达磋商告知书，义务人同意磋商。", by=coordinator)

    _approval(cases["B"], action="case_termination", status="approved", by=water_officer,
              requested_at=datetime.datetime(2026, 8, 10, 9, tzinfo=BJ),
              closed_at=datetime.datetime(2026, 8, 20, 9, tzinfo=BJ))
    _approval(cases["C"], action="case_closing", status="approved", by=coordinator,
              requested_at=datetime.datetime(2026, 10, 1, 9, tzinfo=BJ),
              # 10-01 00:30 in Beijing is still 09-30 (the third quarter) in UTC: the
              # quarter is the Beijing day's
              closed_at=datetime.datetime(2026, 10, 1, 0, 30, tzinfo=BJ))
    _approval(cases["A"], action="case_initiation", status="pending", by=water_officer,
              requested_at=NOW - datetime.timedelta(days=2))
    _approval(cases["D"], action="case_initiation", status="pending", by=coordinator,
              requested_at=NOW - datetime.timedelta(days=14))

    _deadline(c1_water, cases["A"], status=Deadline.Status.OVERDUE, due=D(2026, 11, 10))
    _deadline(c1_water, cases["A"], status=Deadline.Status.OPEN, due=D(2026, 11, 18))
    _deadline(c1_water, cases["A"], status=Deadline.Status.OPEN, due=D(2026, 12, 30))
    _deadline(k1_eco, cases["D"], status=Deadline.Status.OVERDUE, due=D(2026, 11, 1))
    _deadline(c2_lead, cases["E"], status=Deadline.Status.OVERDUE, due=D(2026, 11, 2))

    _obligation(cases["A"], source=FundObligation.Source.JUDGMENT, amount="80000",
                paid="80000")
    _obligation(cases["E"], source=FundObligation.Source.AGREEMENT, amount="400000",
                paid="100000")
    Deposit.objects.create(case=cases["D"], agreed_amount=Decimal("50000"),
                           received=Decimal("50000"), held=Decimal("30000"),
                           applied=Decimal("20000"))
    return World(province, c1, k1, c2, p_eco, c1_lead, c1_water, k1_eco, c2_lead, cases,
                 water_officer, coordinator, provincial, c2_officer)
