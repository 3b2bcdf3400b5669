"""The fund ledger's invariants, owed = paid + outstanding and received = spent + balance (and,
for the deposit, received = refunded + applied + held), checked after every operation of a
case's life, including refunds and applied deposits, per case and per jurisdiction; the
database refuses a write that breaks them, and ledger.verify refuses an operation on a ledger
that no longer matches its rows. Amounts are Decimal throughout."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Sum

from accounts.models import Jurisdiction
from restoration import ledger, services
from restoration.models import (
    Deposit,
    DepositMovement,
    FundAccount,
    FundObligation,
    Payment,
    RestorationProject,
    SpendingRequest,
)
from tests.factories import JurisdictionFactory
from tests.restoration.factories import D, agreement_with, finance_for, walk
from workflow import approvals

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("november")]

ZERO = Decimal("0")


def total(queryset, name="amount") -> Decimal:
    return queryset.aggregate(t=Sum(name))["t"] or ZERO


def reconciled(case, *users) -> ledger.Totals:
    """Both equations, from the stored figures and recomputed from the rows; the same for the
    jurisdiction ledger of each user given."""
    stored = ledger.case_totals(case)
    assert stored.problems() == []
    for value in vars(stored).values():
        assert isinstance(value, Decimal)
    # recomputed from the rows, independently of the stored balances
    obligations = FundObligation.objects.filter(case=case)
    paid = total(Payment.objects.filter(case=case))
    owed = total(obligations)
    outstanding = sum((o.amount - total(o.payments.all()) for o in obligations), ZERO)
    assert owed == paid + outstanding
    assert (stored.owed, stored.paid, stored.outstanding) == (owed, paid, outstanding)
    spent = total(SpendingRequest.objects.filter(case=case, state="paid"), "approved_amount")
    balance = total(FundAccount.objects.filter(case=case), "balance")
    assert paid == spent + balance  # received = spent + balance
    assert (stored.received, stored.spent, stored.balance) == (paid, spent, balance)
    movements = DepositMovement.objects.filter(deposit__case=case)
    received = total(movements.filter(kind="received"))
    out = total(movements.exclude(kind="received"))
    held = Deposit.objects.get(case=case).held if Deposit.objects.filter(case=case).exists() \
        else ZERO
    assert received == out + held
    ledger.verify(case)
    for user in users:
        jurisdiction = user.department.jurisdiction
        view = ledger.jurisdiction_ledger(user, jurisdiction)
        assert view.totals.problems() == []
        assert view.totals.owed == view.totals.paid + view.totals.outstanding
        assert view.totals.received == view.totals.spent + view.totals.balance
        for row in [*view.rows, *view.by_treasury]:
            t = row.totals
            assert t.owed == t.paid + t.outstanding
            assert t.received == t.spent + t.balance
        assert (view.totals.owed, view.totals.received) == (stored.owed, stored.received)
    return stored


def test_the_ledger_reconciles_after_every_operation(d):
    finance = finance_for(d)
    agreement = agreement_with(d, deposit="50000", payments=[
        {"kind": "service_loss", "amount": Decimal("123000.00"), "due_on": D(2026, 12, 31)},
        {"kind": "restoration_cost", "amount": Decimal("300000.00"), "guarantee": "连带保证",
         "instalments": [("100000", D(2026, 11, 30)), ("200000", D(2027, 5, 31))]},
        {"kind": "punitive", "amount": Decimal("45678.91"), "due_on": D(2027, 3, 31)},
    ], restoration=[
        {"item": "河段底泥清淤", "mode": "self", "target": "III类", "finish_by": D(2027, 6, 30)},
        {"item": "岸坡补植", "mode": "release_planting", "target": "成活率85%",
         "finish_by": D(2027, 6, 30)},
    ])
    case = agreement.case
    check = lambda: reconciled(case, d.officer, finance.user)  # noqa: E731
    t = check()
    assert (t.owed, t.paid, t.outstanding) == (Decimal("468678.91"), ZERO, Decimal("468678.91"))
    assert t.deposit_agreed == Decimal("50000.00")

    services.receive_deposit(case, on=D(2026, 10, 26), amount=Decimal("50000"),
                             reference="BZ-1", by=d.officer)
    assert check().deposit_held == Decimal("50000.00")

    service_loss, instalments, punitive = FundObligation.objects.filter(case=case).order_by("id")
    services.record_payment(instalments, paid_on=D(2026, 11, 1), amount=Decimal("60000.50"),
                            receipt_number="FS-1", by=d.officer)
    t = check()
    assert (t.paid, t.received, t.balance) == (Decimal("60000.50"),) * 3

    services.record_payment(service_loss, paid_on=D(2026, 11, 1), amount=Decimal("123000"),
                            receipt_number="FS-2", by=d.officer)
    check()

    county = JurisdictionFactory(parent=case.jurisdiction, level=Jurisdiction.Level.COUNTY,
                                 rule_set=case.jurisdiction.rule_set)
    services.set_payee(punitive, cross_county=True, damage_jurisdiction=county, by=d.officer)
    check()
    services.record_payment(punitive, paid_on=D(2026, 11, 2), amount=Decimal("45678.91"),
                            receipt_number="FS-1", by=d.officer)  # another treasury's series
    t = check()
    assert t.received == Decimal("228679.41")

    compensation = case.fund_accounts.get(fund="compensation")
    request = services.draft_spending(case, account=compensation, purpose_kind="restoration",
                                      purpose="委托清淤", budget=Decimal("100000"),
                                      restoration_project=case.restoration_projects.first(),
                                      by=d.officer)
    services.submit_spending(request, by=d.officer)
    check()
    services.review_spending(request, approve=True, opinion="同意",
                             approved_amount=Decimal("99999.99"), by=finance.user)
    assert check().reserved == Decimal("99999.99")
    services.pay_spending(request, paid_on=D(2026, 11, 2), voucher_number="ZF-1",
                          by=finance.user)
    t = check()
    assert (t.spent, t.reserved) == (Decimal("99999.99"), ZERO)

    first, second = case.restoration_projects.order_by("sequence")
    services.apply_deposit(case, project=first, cost=Decimal("20000"), on=D(2026, 11, 2),
                           note="义务人未按期开工，部门组织清淤", by=d.officer)
    t = check()
    assert (t.deposit_applied, t.deposit_held) == (Decimal("20000.00"), Decimal("30000.00"))

    walk(first, d, "passed")
    second = walk(second, d, "in_progress")
    services.request_early_end(second, reason="force_majeure", note="山洪冲毁",
                               amount=Decimal("12345.67"), due_on=D(2026, 12, 31),
                               by=d.officer)
    for head in (d.division_head, d.department_head):
        approvals.decide(approvals.inbox(head).get(), by=head, approve=True, opinion="同意")
    t = check()
    assert t.outstanding == Decimal("239999.50") + Decimal("12345.67")
    ended = FundObligation.objects.get(project=second)
    services.record_payment(ended, paid_on=D(2026, 11, 2), amount=Decimal("12345.67"),
                            receipt_number="FS-3", by=d.officer)
    check()

    with pytest.raises(services.RestorationError, match="修复完成并经效果评估"):
        services.refund_deposit(case, on=D(2026, 11, 2), reference="TK-1", by=d.officer)
    # the ended project is not a passed one: the deposit may still be applied to it
    assert RestorationProject.objects.get(pk=second.pk).state == "ended"


def test_the_refund_reconciles(d):
    case = agreement_with(d, deposit="8000.80").case
    services.receive_deposit(case, on=D(2026, 10, 26), amount=Decimal("8000.80"),
                             reference="BZ-1", by=d.officer)
    walk(case.restoration_projects.get(), d, "passed")
    services.refund_deposit(case, on=D(2026, 11, 2), reference="TK-1", by=d.officer)
    t = reconciled(case, d.officer)
    assert (t.deposit_received, t.deposit_refunded, t.deposit_held) == (
        Decimal("8000.80"), Decimal("8000.80"), ZERO)


def test_the_database_refuses_a_write_that_breaks_an_equation(d):
    case = agreement_with(d).case
    obligation = case.fund_obligations.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        FundObligation.objects.filter(pk=obligation.pk).update(paid=Decimal("1"))
    services.record_payment(obligation, paid_on=D(2026, 11, 1), amount=Decimal("100"),
                            receipt_number="FS-1", by=d.officer)
    with pytest.raises(IntegrityError), transaction.atomic():
        FundAccount.objects.filter(case=case).update(balance=Decimal("99"))
    with pytest.raises(IntegrityError), transaction.atomic():
        FundAccount.objects.filter(case=case).update(spent=Decimal("200"),
                                                     balance=Decimal("-100"))


def test_an_operation_on_a_ledger_that_does_not_match_its_rows_is_refused(d):
    case = agreement_with(d).case
    obligation = case.fund_obligations.get()
    services.record_payment(obligation, paid_on=D(2026, 11, 1), amount=Decimal("100"),
                            receipt_number="FS-1", by=d.officer)
    # someone changed the stored figures behind the services' back, consistently
    FundObligation.objects.filter(pk=obligation.pk).update(paid=Decimal("200"),
                                                           outstanding=Decimal("122800"))
    with pytest.raises(ledger.LedgerError, match="登记已缴201.00 元，缴款合计101.00 元"):
        services.record_payment(obligation, paid_on=D(2026, 11, 2), amount=Decimal("1"),
                                receipt_number="FS-2", by=d.officer)
    assert Payment.objects.filter(case=case).count() == 1  # rolled back
