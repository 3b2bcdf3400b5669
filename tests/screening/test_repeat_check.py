"""The repeat exception of 显著轻微 follows the facts (CQ 四(二); SX 第十一条(二) 赔偿义务人曾因违法
行为造成生态环境损害，2年内再次发生的): only earlier damage events count (a clue concluded as
经初步核查未造成生态环境损害, SX 第九条, does not), the obligor is seen on cases and on
历史记录 as well as on clues, one event is counted once, and records outside the user's scope
count but are not listed in the party's history."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from accounts.roles import Role
from cases.models import CaseObligor
from parties.historical import record_historical
from parties.history import party_history
from parties.models import HistoricalRecord
from rules.models import RuleSet
from screening.models import Clue
from screening.trivial import assess
from tests.cases.factories import CaseFactory
from tests.factories import ClueFactory, DepartmentFactory, JurisdictionFactory, UserFactory
from tests.parties.factories import OrganisationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def frozen():
    with time_machine.travel(datetime(2026, 11, 24, 10, tzinfo=ZoneInfo("Asia/Shanghai")),
                             tick=False):
        yield


@pytest.fixture
def department():
    return DepartmentFactory(jurisdiction=JurisdictionFactory(
        rule_set=RuleSet.objects.get(code="SX")))


@pytest.fixture
def party():
    return OrganisationFactory(name="晋阳化工有限公司")


def clue_of(party, department, found_on: str, **fields) -> Clue:
    clue = ClueFactory(department=department, estimated_amount="100.00", **fields)
    Clue.objects.filter(pk=clue.pk).update(found_on=found_on, registered_on=found_on)
    clue = Clue.objects.get(pk=clue.pk)
    clue.suspected_obligors.add(party)
    return clue


def repeat(clue):
    return next(e for e in assess(clue).exceptions if e.code == "repeat_within_years")


def historical(party, department, event_date: date, number="并环罚〔2024〕7号",
               kind=HistoricalRecord.Kind.DAMAGE_EVENT) -> HistoricalRecord:
    by = UserFactory(department=department, role=Role.OFFICER)
    return record_historical(HistoricalRecord(
        department=department, party=party, kind=kind, event_date=event_date,
        place="清徐县", description="超标排放废水，行政处罚。", document_number=number), by=by)


def test_a_clue_concluded_as_no_damage_is_not_an_earlier_damage(party, department):
    # SX 第九条: 经初步核查未造成生态环境损害 — no damage, so no "再次" (SX 第十一条(二))
    earlier = clue_of(party, department, "2025-12-01")
    Clue.objects.filter(pk=earlier.pk).update(
        state=Clue.State.CLOSED, decision=Clue.Decision.NOT_START,
        decision_reason=Clue.NotStartReason.NO_DAMAGE)
    finding = repeat(clue_of(party, department, "2026-10-01"))
    assert finding.applies is False
    assert earlier.number not in finding.detail
    assert "未造成生态环境损害的线索不计入" in finding.detail


def test_a_clue_not_started_as_trivial_was_damage_and_counts(party, department):
    earlier = clue_of(party, department, "2025-12-01")
    Clue.objects.filter(pk=earlier.pk).update(
        state=Clue.State.NOT_STARTED, decision=Clue.Decision.NOT_START,
        decision_reason=Clue.NotStartReason.TRIVIAL)
    finding = repeat(clue_of(party, department, "2026-10-01"))
    assert finding.applies is True
    assert f"线索 {earlier.number}（2025年12月01日）" in finding.detail


def test_a_clue_still_being_verified_leaves_the_question_open(party, department):
    # SX 第九条: whether the earlier clue caused damage is what its verification finds
    earlier = clue_of(party, department, "2026-09-01")
    clue = clue_of(party, department, "2026-10-01")
    finding = repeat(clue)
    assert finding.applies is None
    assert f"另有1条尚未作出核查结论的记录：晋阳化工有限公司：线索 {earlier.number}" in finding.detail
    assert "尚需判断" in assess(clue).suggestion
    Clue.objects.filter(pk=earlier.pk).update(state=Clue.State.CASE_OPENED)  # damage found
    assert repeat(clue).applies is True


def test_an_obligor_named_only_on_a_case_counts(party, department):
    case = CaseFactory(department=department, opened_on=date(2025, 11, 3))
    CaseObligor.objects.create(case=case, party=party)
    finding = repeat(clue_of(party, department, "2026-10-01"))
    assert finding.applies is True
    assert finding.detail.startswith("计入1条2年内此前的损害记录")
    assert f"案件 {case.number}（2025年11月03日）" in finding.detail


def test_a_case_and_the_clue_it_came_from_are_one_event(party, department):
    source = clue_of(party, department, "2025-10-01")
    case = CaseFactory(department=department, opened_on=date(2025, 11, 3))
    case.clues.add(source)
    CaseObligor.objects.create(case=case, party=party)
    finding = repeat(clue_of(party, department, "2026-10-01"))
    assert finding.applies is True
    assert finding.detail.startswith("计入1条")
    assert case.number in finding.detail and source.number not in finding.detail


def test_the_case_opened_from_this_clue_is_not_an_earlier_event(party, department):
    clue = clue_of(party, department, "2026-10-01")
    case = CaseFactory(department=department, opened_on=date(2026, 10, 1))
    case.clues.add(clue)
    CaseObligor.objects.create(case=case, party=party)
    assert repeat(clue).applies is False


def test_a_historical_record_counts_and_is_marked_so(party, department):
    record = historical(party, department, date(2025, 3, 1))
    finding = repeat(clue_of(party, department, "2026-10-01"))
    assert finding.applies is True
    assert (f"晋阳化工有限公司：历史记录（历史损害事件） {record.number}（2025年03月01日）"
            in finding.detail)


def test_damage_more_than_two_years_earlier_does_not_count(party, department):
    historical(party, department, date(2024, 9, 30))
    finding = repeat(clue_of(party, department, "2026-10-01"))
    assert finding.applies is False
    # exactly two years earlier still counts: 2 年内
    historical(party, department, date(2024, 10, 1), number="并环罚〔2024〕8号")
    assert repeat(clue_of(party, department, "2026-10-01")).applies is True


def test_records_outside_the_scope_count_but_are_not_listed(client, party, department):
    elsewhere = DepartmentFactory(jurisdiction=JurisdictionFactory(
        rule_set=RuleSet.objects.get(code="SX")))
    record = historical(party, elsewhere, date(2025, 3, 1))
    officer = UserFactory(department=department, role=Role.OFFICER)
    assert repeat(clue_of(party, department, "2026-10-01")).applies is True  # party_history_all
    shown = {(e.model, e.pk) for e in party_history(party, officer)}
    assert (HistoricalRecord, record.pk) not in shown
    client.force_login(officer)
    page = client.get(reverse("parties:party_detail", args=[party.pk])).content.decode()
    assert record.number not in page
    assert client.get(record.get_absolute_url()).status_code == 404


def test_a_clue_received_on_referral_is_the_same_damage_as_its_source(party, department):
    # SX 第八条 移送: the receiving department registers the same damage as its own clue
    from screening.services import receive_referral, refer_clue

    source = clue_of(party, department, "2026-10-01")
    officer = UserFactory(department=department, role=Role.OFFICER)
    to = DepartmentFactory(jurisdiction=department.jurisdiction)
    referral = refer_clue(source, to_department=to, note="属水利部门职责", by=officer)
    received = receive_referral(referral, by=UserFactory(department=to, role=Role.OFFICER))
    assert received.found_on == source.found_on
    assert repeat(received).applies is False
    assert repeat(source).applies is False  # nor is the received clue "earlier" for the source
    # a later clue of the obligor sees one earlier event, not two: the received clue, still
    # being verified by the receiving department
    finding = repeat(clue_of(party, department, "2026-11-01"))
    assert finding.applies is None
    assert f"另有1条尚未作出核查结论的记录：晋阳化工有限公司：线索 {received.number}" in finding.detail
    assert source.number not in finding.detail


def test_the_clue_page_says_which_earlier_records_were_counted(client, party, department):
    record = historical(party, department, date(2025, 3, 1))
    clue = clue_of(party, department, "2026-10-01")
    client.force_login(UserFactory(department=department, role=Role.OFFICER))
    page = client.get(reverse("screening:clue_detail", args=[clue.pk])).content.decode()
    assert "计入1条2年内此前的损害记录" in page
    assert f"历史记录（历史损害事件） {record.number}（2025年03月01日）" in page
    assert "应当启动索赔" in page  # SX 第十一条(二): the exception applies
