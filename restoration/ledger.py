"""The fund ledger (赔偿资金台账) of a case and of a jurisdiction, and the check of its
invariants.

Two equations always hold, per obligation and account, per case and per jurisdiction:

    owed (应缴) = paid (已缴) + outstanding (欠缴)
    received (收入) = spent (支出) + balance (结余)

and for the deposit: received = refunded + applied + held.

Where they are enforced:
1. in the database: check constraints on FundObligation, FundAccount and Deposit
   (restoration/models/funds.py), so no write can break them;
2. by `verify(case)`, which every fund service of restoration/services.py calls before its
   transaction commits: it recomputes each stored figure from the rows it comes from (payments,
   paid spending requests, deposit movements, schedules) and refuses the operation — the
   whole transaction rolls back — if any differs;
3. the totals shown and exported are sums of the stored figures, so they satisfy the same
   equations (tests/restoration/test_ledger.py checks them after every operation).
Amounts are Decimal throughout; nothing is ever a float."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum

from workflow.formatting import amount as yuan_text
from workflow.transitions import TransitionError

from .models import (
    Deposit,
    DepositMovement,
    FundAccount,
    FundObligation,
    Payment,
    SpendingRequest,
)
from .models.common import ZERO


class LedgerError(TransitionError):
    """The ledger would not reconcile; the operation is refused and rolled back."""


def _sum(queryset, name: str = "amount") -> Decimal:
    return queryset.aggregate(total=Sum(name))["total"] or ZERO


def reserved(account: FundAccount, *, excluding: SpendingRequest | None = None) -> Decimal:
    """Approved but not yet paid out: held back from the balance."""
    qs = SpendingRequest.objects.filter(account=account, state=SpendingRequest.State.APPROVED)
    if excluding is not None and excluding.pk:
        qs = qs.exclude(pk=excluding.pk)
    return _sum(qs, "approved_amount")


def available(account: FundAccount, *, excluding: SpendingRequest | None = None) -> Decimal:
    return account.balance - reserved(account, excluding=excluding)


@dataclass
class Totals:
    owed: Decimal = ZERO
    paid: Decimal = ZERO
    outstanding: Decimal = ZERO
    received: Decimal = ZERO
    spent: Decimal = ZERO
    balance: Decimal = ZERO
    reserved: Decimal = ZERO
    deposit_agreed: Decimal = ZERO
    deposit_received: Decimal = ZERO
    deposit_refunded: Decimal = ZERO
    deposit_applied: Decimal = ZERO
    deposit_held: Decimal = ZERO

    def add(self, other: Totals) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def problems(self) -> list[str]:
        found = []
        if self.owed != self.paid + self.outstanding:
            found.append(f"应缴{yuan_text(self.owed)} ≠ 已缴{yuan_text(self.paid)} + 欠缴{yuan_text(self.outstanding)}")
        if self.received != self.spent + self.balance:
            found.append(f"收入{yuan_text(self.received)} ≠ 支出{yuan_text(self.spent)} + 结余{yuan_text(self.balance)}")
        if self.deposit_received != self.deposit_refunded + self.deposit_applied + \
                self.deposit_held:
            found.append(f"保证金收取{yuan_text(self.deposit_received)} ≠ 退还{yuan_text(self.deposit_refunded)} + "
                         f"使用{yuan_text(self.deposit_applied)} + 在管{yuan_text(self.deposit_held)}")
        if self.paid != self.received:
            found.append(f"已缴{yuan_text(self.paid)} ≠ 国库收入{yuan_text(self.received)}")
        return found


def _obligation_totals(queryset) -> dict:
    return queryset.aggregate(owed=Sum("amount"), paid=Sum("paid"),
                              outstanding=Sum("outstanding"))


def _account_totals(queryset) -> dict:
    return queryset.aggregate(received=Sum("received"), spent=Sum("spent"),
                              balance=Sum("balance"))


def case_totals(case) -> Totals:
    t = Totals(**{k: v or ZERO for k, v in _obligation_totals(case.fund_obligations.all()).items()},
               **{k: v or ZERO for k, v in _account_totals(case.fund_accounts.all()).items()})
    t.reserved = _sum(SpendingRequest.objects.filter(case=case,
                                                     state=SpendingRequest.State.APPROVED),
                      "approved_amount")
    deposit = Deposit.objects.filter(case=case).first()
    if deposit is not None:
        t.deposit_agreed, t.deposit_received = deposit.agreed_amount, deposit.received
        t.deposit_refunded, t.deposit_applied = deposit.refunded, deposit.applied
        t.deposit_held = deposit.held
    return t


def verify(case) -> Totals:
    """Recompute every stored figure of the case from its rows; LedgerError if one differs."""
    problems = []
    for o in FundObligation.objects.filter(case=case).prefetch_related("schedule"):
        paid = _sum(o.payments.all())
        if o.paid != paid:
            problems.append(f"{o}：登记已缴{yuan_text(o.paid)}，缴款合计{yuan_text(paid)}")
        if o.amount != o.paid + o.outstanding or o.outstanding < 0:
            problems.append(f"{o}：应缴 ≠ 已缴 + 欠缴")
        if o.status != FundObligation.Status.CANCELLED:
            scheduled = sum((i.amount for i in o.schedule.all()), ZERO)
            if scheduled != o.amount:
                problems.append(f"{o}：缴纳计划合计{yuan_text(scheduled)}，与应缴金额不符")
            expected = FundObligation.Status.PAID if o.outstanding == 0 else \
                FundObligation.Status.OPEN
            if o.status != expected:
                problems.append(f"{o}：状态与欠缴金额不符")
    for a in FundAccount.objects.filter(case=case):
        received = _sum(Payment.objects.filter(case=case, treasury=a.treasury_id).filter(
            _fund_q(a.fund)))
        spent = _sum(SpendingRequest.objects.filter(account=a,
                                                    state=SpendingRequest.State.PAID),
                     "approved_amount")
        if a.received != received:
            problems.append(f"{a}：登记收入{yuan_text(a.received)}，缴款合计{yuan_text(received)}")
        if a.spent != spent:
            problems.append(f"{a}：登记支出{yuan_text(a.spent)}，已支付合计{yuan_text(spent)}")
        if a.balance != a.received - a.spent or a.balance < 0:
            problems.append(f"{a}：收入 ≠ 支出 + 结余")
        if reserved(a) > a.balance:
            problems.append(f"{a}：已批准未支付的金额超过结余")
    deposit = Deposit.objects.filter(case=case).first()
    if deposit is not None:
        by_kind = {row["kind"]: row["total"] for row in DepositMovement.objects.filter(
            deposit=deposit).values("kind").annotate(total=Sum("amount"))}
        K = DepositMovement.Kind
        for label, stored, kind in (("收取", deposit.received, K.RECEIVED),
                                    ("退还", deposit.refunded, K.REFUNDED),
                                    ("使用", deposit.applied, K.APPLIED)):
            if stored != by_kind.get(kind, ZERO):
                problems.append(f"保证金{label}：登记{yuan_text(stored)}，收付记录合计{yuan_text(by_kind.get(kind, ZERO))}")
    totals = case_totals(case)
    problems += totals.problems()
    if problems:
        raise LedgerError("赔偿资金台账不平，操作未执行：" + "；".join(problems))
    return totals


def _fund_q(fund: str) -> Q:
    from negotiation.models import PaymentKind

    punitive = Q(obligation__kind=PaymentKind.PUNITIVE)
    return punitive if fund == FundAccount.Fund.PUNITIVE else ~punitive


# --- the case ledger ------------------------------------------------------------------------

@dataclass
class CaseLedger:
    case: object
    obligations: list
    accounts: list
    payments: list
    spending: list
    deposit: Deposit | None
    totals: Totals


def case_ledger(case) -> CaseLedger:
    obligations = list(case.fund_obligations.select_related(
        "obligor__party", "payee_treasury", "damage_jurisdiction").prefetch_related(
        "schedule__deadline").order_by("id"))
    accounts = list(case.fund_accounts.select_related("treasury").order_by("treasury", "fund"))
    for a in accounts:
        a.reserved = reserved(a)
        a.available = a.balance - a.reserved
    return CaseLedger(
        case=case, obligations=obligations, accounts=accounts,
        payments=list(Payment.objects.filter(case=case).select_related(
            "obligation__obligor__party", "treasury").order_by("paid_on", "id")),
        spending=list(case.spending_requests.select_related(
            "account__treasury", "reviewing_department").order_by("-id")),
        deposit=Deposit.objects.filter(case=case).first(),
        totals=case_totals(case),
    )


# --- the jurisdiction ledger ------------------------------------------------------------------

@dataclass
class LedgerRow:
    treasury: object
    case: object
    totals: Totals = field(default_factory=Totals)


@dataclass
class JurisdictionLedger:
    jurisdiction: object
    rows: list
    by_treasury: list
    totals: Totals


def jurisdiction_ledger(user, jurisdiction) -> JurisdictionLedger:
    """Per treasury (the jurisdiction and those below it) and case: what is owed to it, paid
    into it, spent from it and left, for the records `user` may see (a finance department sees
    every case paying into its treasuries; others see their scope of cases)."""
    from accounts.models import Jurisdiction
    from cases.models import Case

    path = jurisdiction.path
    rows: dict[tuple[int, int], LedgerRow] = {}
    obligations = (FundObligation.objects.visible_to(user)
                   .filter(payee_treasury__path__startswith=path)
                   .values("payee_treasury", "case")
                   .annotate(owed=Sum("amount"), paid=Sum("paid"),
                             outstanding=Sum("outstanding")))
    accounts = (FundAccount.objects.visible_to(user).filter(treasury__path__startswith=path)
                .values("treasury", "case")
                .annotate(received=Sum("received"), spent=Sum("spent"), balance=Sum("balance")))
    keys = set()
    data = defaultdict(dict)
    for row in obligations:
        key = (row["payee_treasury"], row["case"])
        keys.add(key)
        data[key].update(owed=row["owed"], paid=row["paid"], outstanding=row["outstanding"])
    for row in accounts:
        key = (row["treasury"], row["case"])
        keys.add(key)
        data[key].update(received=row["received"], spent=row["spent"], balance=row["balance"])
    treasuries = Jurisdiction.objects.in_bulk({k[0] for k in keys})
    cases = Case.objects.select_related("department").in_bulk({k[1] for k in keys})
    for key in keys:
        rows[key] = LedgerRow(treasury=treasuries[key[0]], case=cases[key[1]],
                              totals=Totals(**data[key]))
    ordered = sorted(rows.values(), key=lambda r: (r.treasury.path, r.case.number))
    per_treasury: dict[int, LedgerRow] = {}
    total = Totals()
    for row in ordered:
        per_treasury.setdefault(row.treasury.pk, LedgerRow(treasury=row.treasury, case=None))
        per_treasury[row.treasury.pk].totals.add(row.totals)
        total.add(row.totals)
    return JurisdictionLedger(jurisdiction=jurisdiction, rows=ordered,
                              by_treasury=list(per_treasury.values()), totals=total)
