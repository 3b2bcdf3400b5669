"""The money summary (oversight.MoneyCount, issue 15): the triggers keep it equal to the
obligations, deposits and spending through inserts, updates that move money between groups
(a source, a status, a case moved to another department, damage type or jurisdiction) and
deletes; the nightly rebuild finds a drift and repairs it; the money figures read from it equal
the sums over the scoped records, for every user and filter, joint cases included, and an
officer never counts another department's money (CQ 十五; NAT 十一; NT 三(十一); SX 第三十七条)."""

import logging
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from accounts.roles import Role
from cases.models import Case
from oversight import figures, periods, summary
from oversight.models import MoneyCount
from oversight.selection import Selection
from restoration.models import Deposit, FundAccount, FundObligation, SpendingRequest
from tests.cases.factories import CaseFactory
from tests.factories import DepartmentFactory, UserFactory

from .conftest import NOW, _obligation

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="the summary's triggers are PostgreSQL's"),
]
Y = Decimal
SRC = FundObligation.Source


def stored(case_or_key) -> dict[str, Decimal]:
    """The six stored sums at a case's (department, jurisdiction, damage type)."""
    key = case_or_key if isinstance(case_or_key, tuple) else (
        case_or_key.department_id, case_or_key.jurisdiction_id, case_or_key.damage_type)
    row = summary.money_stored_counts().get(key, (Y(0),) * len(summary.MONEY))
    return dict(zip(summary.MONEY, row, strict=True))


def assert_equal_to_source():
    assert summary.money_differences() == []


def _spending(case, *, amount, purpose, by, reviewer):
    account, _ = FundAccount.objects.get_or_create(
        case=case, treasury=case.jurisdiction, fund=FundAccount.Fund.COMPENSATION,
        defaults={"received": Y(amount), "balance": Y(amount)})
    return SpendingRequest.objects.create(
        case=case, account=account, reviewing_department=reviewer, purpose_kind=purpose,
        purpose="测试", budget=Y(amount), approved_amount=Y(amount), requested_by=by)


def test_money_summary_follows_inserts_moves_and_deletes():
    department = DepartmentFactory()
    other = DepartmentFactory(jurisdiction=department.jurisdiction)
    finance = DepartmentFactory(jurisdiction=department.jurisdiction)
    officer = UserFactory(department=department, role=Role.OFFICER)
    a = CaseFactory(department=department, damage_type="water")
    b = CaseFactory(department=department, damage_type="soil")

    # inserts: an agreement and a judgment, a deposit, paid spending
    agreed = _obligation(a, source=SRC.AGREEMENT, amount="400000", paid="100000")
    judged = _obligation(a, source=SRC.JUDGMENT, amount="80000", paid="80000")
    Deposit.objects.create(case=a, agreed_amount=Y(50000), received=Y(50000), held=Y(30000),
                           applied=Y(20000))
    restore = _spending(a, amount="15000", purpose=SpendingRequest.Purpose.RESTORATION,
                        by=officer, reviewer=finance)
    _spending(a, amount="5000", purpose=SpendingRequest.Purpose.PUBLICITY, by=officer,
              reviewer=finance)
    assert stored(a) == {"agreed": Y(400000), "judged": Y(80000), "paid": Y(180000),
                         "outstanding": Y(300000), "held": Y(30000), "spent": Y(20000)}
    assert_equal_to_source()
    # paid out (a plain update no signal sees): restoration spending counts, publicity never
    SpendingRequest.objects.filter(case=a).update(state=SpendingRequest.State.PAID)
    assert stored(a)["spent"] == Y(35000)
    assert_equal_to_source()

    # updates that move money between columns and groups
    FundObligation.objects.filter(pk=agreed.pk).update(paid=Y(250000), outstanding=Y(150000))
    FundObligation.objects.filter(pk=judged.pk).update(source=SRC.AGREEMENT)
    assert (stored(a)["agreed"], stored(a)["judged"], stored(a)["paid"]) == (
        Y(480000), Y(0), Y(330000))
    FundObligation.objects.filter(pk=judged.pk).update(status=FundObligation.Status.CANCELLED)
    assert (stored(a)["agreed"], stored(a)["paid"]) == (Y(400000), Y(250000))
    FundObligation.objects.filter(pk=agreed.pk).update(case=b)  # to another damage type
    assert stored(b)["agreed"] == Y(400000) and stored(a)["agreed"] == 0
    assert_equal_to_source()
    # a case moved to another department and damage type takes all its money along
    old_key = (a.department_id, a.jurisdiction_id, "water")
    Case.objects.filter(pk=a.pk).update(department=other, damage_type="air")
    a.refresh_from_db()
    assert stored(a) == {"agreed": 0, "judged": 0, "paid": 0, "outstanding": 0,
                         "held": Y(30000), "spent": Y(35000)}
    assert not any(stored(old_key).values())
    assert_equal_to_source()
    # a save through the model (the path the forms take) moves it too
    b.department = other
    b.save()
    assert stored(b)["agreed"] == Y(400000)
    assert_equal_to_source()

    # deletes
    Deposit.objects.filter(case=a).delete()
    assert (stored(a)["held"], stored(a)["spent"]) == (0, Y(15000))
    FundObligation.objects.filter(pk=agreed.pk).delete()
    SpendingRequest.objects.filter(pk=restore.pk).delete()
    assert not any(stored(a).values()) and not any(stored(b).values())
    assert_equal_to_source()


def test_the_rebuild_finds_money_drift_and_repairs_it(world, caplog):
    assert_equal_to_source()
    e = world.cases["E"]
    MoneyCount.objects.filter(department=e.department).update(paid=Y(1))
    MoneyCount.objects.create(department=world.c1_water, jurisdiction=world.c1,
                              damage_type="air", held=Y(5))
    with caplog.at_level(logging.ERROR, logger="oversight.summary"):
        diff = summary.rebuild()
    zero = (Y(0),) * len(summary.MONEY)
    money_diff = {k: (s, c) for k, s, c in diff if len(k) == 3}
    assert money_diff == {
        (e.department_id, e.jurisdiction_id, "water"): (
            (Y(400000), 0, Y(1), Y(300000), 0, 0), (Y(400000), 0, Y(100000), Y(300000), 0, 0)),
        (world.c1_water.pk, world.c1.pk, "air"): ((0, 0, 0, 0, Y(5), 0), zero),
    }
    assert "2 keys differed" in caplog.text
    assert_equal_to_source()
    assert summary.rebuild() == []
    MoneyCount.objects.update(outstanding=Y(0))
    with pytest.raises(CommandError):
        call_command("rebuild_clue_counts")
    assert_equal_to_source()


def _money(s):
    m = figures.money(s)
    return ([(r.label, *r.values(), r.cases) for r in m.by_jurisdiction],
            [(r.label, *r.values(), r.cases) for r in m.by_damage_type], m.total.values())


@pytest.mark.parametrize("period", [periods.parse("2026Q4"), periods.parse("2026")],
                         ids=["quarter", "year"])
def test_money_figures_from_the_summary_equal_the_records(world, period):
    # a joint case of C2 with money, in which C1's water bureau takes part
    joint = CaseFactory(department=world.c2_lead, damage_type="soil")
    joint.participants.add(world.c1_water)
    _obligation(joint, source=SRC.JUDGMENT, amount="7000", paid="2000")
    users = [world.water_officer, world.coordinator, world.provincial, world.c2_officer]
    for user in users:
        for kw in ({}, {"jurisdiction": world.c1}, {"department": world.c2_lead},
                   {"damage_type": "water"}):
            with override_settings(ECOCLAIM_CLUE_SUMMARY=False):
                direct = _money(Selection(user=user, period=period, today=NOW.date(), **kw))
            s = Selection(user=user, period=period, today=NOW.date(), **kw)
            assert _money(s) == direct, (user, kw)
    # hand-counted: the water officer sees case A's judgment and the joint case, never E's
    # agreement (C2) nor D's deposit (K1)
    total = figures.money(Selection(user=world.water_officer, period=period,
                                    today=NOW.date())).total
    assert (total.agreed, total.judged, total.paid, total.outstanding, total.deposit_held,
            total.spent) == (0, Y(87000), Y(82000), Y(5000), 0, 0)
    # the coordinator: A and D (the county below), not E nor the joint case of C2
    total = figures.money(Selection(user=world.coordinator, period=period,
                                    today=NOW.date())).total
    assert (total.agreed, total.judged, total.deposit_held, total.spent) == (
        0, Y(80000), Y(30000), Y(20000))
