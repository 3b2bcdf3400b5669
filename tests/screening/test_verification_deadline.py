"""初步核查: 30 days from discovery under SX (SX 第九条), from receiving a referral under NT
(NT 三(二)); a received referral starts its own clock; none under CQ; met with the decision."""

import datetime

import pytest
import time_machine

from accounts.roles import Role
from rules.models import RuleSet
from screening.models import Clue, SourceChannel
from screening.services import receive_referral, refer_clue
from tests.factories import ClueFactory, DepartmentFactory, JurisdictionFactory, UserFactory
from workflow import transitions
from workflow.deadlines import deadlines_of
from workflow.models import Deadline, DeadlineKind

pytestmark = pytest.mark.django_db


def department_under(code: str):
    return DepartmentFactory(jurisdiction=JurisdictionFactory(
        rule_set=RuleSet.objects.get(code=code)))


def verification(clue) -> Deadline:
    return deadlines_of(clue).get(kind=DeadlineKind.VERIFICATION)


def test_sx_counts_thirty_days_from_discovery_and_explains_itself():
    clue = ClueFactory(department=department_under("SX"),
                       found_on=datetime.date(2026, 9, 1), registered_on=datetime.date(2026, 9, 3))
    deadline = verification(clue)
    assert deadline.due == datetime.date(2026, 10, 8)  # 10-01 falls in National Day: next workday
    assert deadline.citation == "SX 第九条"
    assert "2026年9月1日" in deadline.explanation and "发现线索" in deadline.explanation
    assert deadline.department == clue.department


def test_nt_counts_from_receiving_a_referral_only():
    department = department_under("NT")
    own = ClueFactory(department=department, found_on=datetime.date(2026, 9, 1))
    assert not deadlines_of(own).exists()
    referred = ClueFactory(department=department, found_on=datetime.date(2026, 8, 1),
                           registered_on=datetime.date(2026, 9, 14),
                           channel=SourceChannel.objects.get(code="procuratorate"))
    deadline = verification(referred)
    assert deadline.start_date == datetime.date(2026, 9, 14)
    assert deadline.due == datetime.date(2026, 10, 14)
    assert "NT 三(二)" in deadline.citation


def test_cq_sets_no_verification_period():
    assert not deadlines_of(ClueFactory(department=department_under("CQ"))).exists()


def test_the_decision_meets_the_deadline():
    officer = UserFactory(department=department_under("SX"), role=Role.OFFICER)
    clue = transitions.perform(ClueFactory(department=officer.department), "start_verification",
                               by=officer)
    assert verification(clue).status == Deadline.Status.OPEN
    transitions.perform(clue, "exclude", by=officer, reason="已通过行政处罚实现修复")
    assert verification(clue).status == Deadline.Status.MET


def test_a_received_referral_starts_a_new_clock_on_receipt():
    officer = UserFactory(department=department_under("SX"), role=Role.OFFICER)
    clue = ClueFactory(department=officer.department, found_on=datetime.date(2026, 9, 1),
                       registered_on=datetime.date(2026, 9, 2))
    receiving = DepartmentFactory(jurisdiction=officer.department.jurisdiction, kind="water")
    receiver = UserFactory(department=receiving, role=Role.OFFICER)
    with time_machine.travel(datetime.datetime(2026, 9, 20, 10, tzinfo=datetime.UTC), tick=False):
        referral = refer_clue(clue, to_department=receiving, note="属水利部门职责", by=officer)
    assert verification(Clue.objects.get(pk=clue.pk)).status == Deadline.Status.MET
    with time_machine.travel(datetime.datetime(2026, 9, 22, 10, tzinfo=datetime.UTC), tick=False):
        received = receive_referral(referral, by=receiver)
    deadline = verification(received)
    assert deadline.start_date == datetime.date(2026, 9, 22)
    assert deadline.due == datetime.date(2026, 10, 22)
    assert deadline.responsible == receiver
