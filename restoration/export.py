"""The fund ledger as an Excel workbook (DOMAIN §5: 赔偿资金台账), for one case or for a
jurisdiction's treasuries. The columns are django-import-export ModelResources (one
`dehydrate_*` per column, values kept native so dates and amounts get Excel formats), written
row by row with `export_resource()` by the shared writer `workflow.spreadsheets` (streamed,
memory flat; every text written as text, never a formula). Sheets: 缴纳义务 (owed = paid +
outstanding), 资金账户 (received = spent + balance), 缴款明细, 资金使用, 保证金; the totals row
of the first two sheets repeats the invariants."""

from __future__ import annotations

import tempfile

from import_export import resources
from import_export.fields import Field

from rules.calendar import cn_date
from workflow import spreadsheets
from workflow.formatting import amount as yuan_text

from .ledger import Totals
from .models import DepositMovement, FundAccount, FundObligation, Payment, SpendingRequest


class LedgerResource(resources.ModelResource):
    """Common writing helpers; LAYOUT maps a column to (width, kind)."""

    LAYOUT: dict = {}

    def names(self) -> list[str]:
        return [self.get_field_name(f) for f in self.get_export_fields()]

    def columns(self) -> list[spreadsheets.Column]:
        return [spreadsheets.Column(header, *self.LAYOUT[name])
                for name, header in zip(self.names(), self.get_export_headers(), strict=True)]


class ObligationResource(LedgerResource):
    case = Field(column_name="案件编号")
    obligor = Field(column_name="缴纳义务人")
    kind = Field(column_name="款项")
    source = Field(column_name="来源")
    treasury = Field(column_name="缴入国库")
    amount = Field(column_name="应缴（元）")
    paid = Field(column_name="已缴（元）")
    outstanding = Field(column_name="欠缴（元）")
    schedule = Field(column_name="缴纳计划")
    guarantee = Field(column_name="担保情况")
    status = Field(column_name="状态")

    LAYOUT = {"case": (20, "text"), "obligor": (26, "text"), "kind": (18, "text"),
              "source": (20, "text"), "treasury": (16, "text"), "amount": (16, "amount"),
              "paid": (16, "amount"), "outstanding": (16, "amount"), "schedule": (44, "text"),
              "guarantee": (28, "text"), "status": (10, "text")}

    class Meta:
        model = FundObligation
        fields = ("case", "obligor", "kind", "source", "treasury", "amount", "paid",
                  "outstanding", "schedule", "guarantee", "status")
        export_order = fields

    def dehydrate_case(self, o):
        return o.case.number

    def dehydrate_obligor(self, o):
        return o.obligor.party.name

    def dehydrate_kind(self, o):
        return o.get_kind_display()

    def dehydrate_source(self, o):
        return o.get_source_display()

    def dehydrate_treasury(self, o):
        label = f"{o.payee_treasury.name}国库"
        return f"{label}（跨县损害，NT 三(十一)）" if o.cross_county else label

    def dehydrate_amount(self, o):
        return o.amount

    def dehydrate_paid(self, o):
        return o.paid

    def dehydrate_outstanding(self, o):
        return o.outstanding

    def dehydrate_schedule(self, o):
        return "；".join(
            f"第{i.sequence}期 {yuan_text(i.amount)} {cn_date(i.due_on)}前"
            + (f"（{cn_date(i.settled_on)}缴清）" if i.settled_on else "")
            for i in o.schedule.all())

    def dehydrate_guarantee(self, o):
        return o.guarantee

    def dehydrate_status(self, o):
        return o.get_status_display()


class AccountResource(LedgerResource):
    case = Field(column_name="案件编号")
    treasury = Field(column_name="国库")
    fund = Field(column_name="资金类别")
    received = Field(column_name="收入（元）")
    spent = Field(column_name="支出（元）")
    balance = Field(column_name="结余（元）")

    LAYOUT = {"case": (20, "text"), "treasury": (16, "text"), "fund": (22, "text"),
              "received": (16, "amount"), "spent": (16, "amount"), "balance": (16, "amount")}

    class Meta:
        model = FundAccount
        fields = ("case", "treasury", "fund", "received", "spent", "balance")
        export_order = fields

    def dehydrate_case(self, a):
        return a.case.number

    def dehydrate_treasury(self, a):
        return f"{a.treasury.name}国库"

    def dehydrate_fund(self, a):
        return a.get_fund_display()

    def dehydrate_received(self, a):
        return a.received

    def dehydrate_spent(self, a):
        return a.spent

    def dehydrate_balance(self, a):
        return a.balance


class PaymentResource(LedgerResource):
    case = Field(column_name="案件编号")
    paid_on = Field(column_name="缴款日期")
    payer = Field(column_name="缴款人")
    kind = Field(column_name="款项")
    treasury = Field(column_name="缴入国库")
    amount = Field(column_name="金额（元）")
    receipt_number = Field(column_name="非税收入票据号")

    LAYOUT = {"case": (20, "text"), "paid_on": (14, "date"), "payer": (26, "text"),
              "kind": (18, "text"), "treasury": (16, "text"), "amount": (16, "amount"),
              "receipt_number": (22, "text")}

    class Meta:
        model = Payment
        fields = ("case", "paid_on", "payer", "kind", "treasury", "amount", "receipt_number")
        export_order = fields

    def dehydrate_case(self, p):
        return p.case.number

    def dehydrate_paid_on(self, p):
        return p.paid_on

    def dehydrate_payer(self, p):
        return p.payer

    def dehydrate_kind(self, p):
        return p.obligation.get_kind_display()

    def dehydrate_treasury(self, p):
        return f"{p.treasury.name}国库"

    def dehydrate_amount(self, p):
        return p.amount

    def dehydrate_receipt_number(self, p):
        return p.receipt_number


class SpendingResource(LedgerResource):
    case = Field(column_name="案件编号")
    purpose_kind = Field(column_name="用途")
    purpose = Field(column_name="用途说明")
    budget = Field(column_name="申请金额（元）")
    approved_amount = Field(column_name="核定金额（元）")
    reviewing_department = Field(column_name="审核部门")
    state = Field(column_name="状态")
    paid_on = Field(column_name="支付日期")
    voucher_number = Field(column_name="支付凭证号")

    LAYOUT = {"case": (20, "text"), "purpose_kind": (20, "text"), "purpose": (36, "text"),
              "budget": (16, "amount"), "approved_amount": (16, "amount"),
              "reviewing_department": (20, "text"), "state": (12, "text"),
              "paid_on": (14, "date"), "voucher_number": (20, "text")}

    class Meta:
        model = SpendingRequest
        fields = ("case", "purpose_kind", "purpose", "budget", "approved_amount",
                  "reviewing_department", "state", "paid_on", "voucher_number")
        export_order = fields

    def dehydrate_case(self, s):
        return s.case.number

    def dehydrate_purpose_kind(self, s):
        return s.get_purpose_kind_display()

    def dehydrate_purpose(self, s):
        return s.purpose

    def dehydrate_budget(self, s):
        return s.budget

    def dehydrate_approved_amount(self, s):
        return s.approved_amount

    def dehydrate_reviewing_department(self, s):
        return s.reviewing_department.name

    def dehydrate_state(self, s):
        return s.get_state_display()

    def dehydrate_paid_on(self, s):
        return s.paid_on

    def dehydrate_voucher_number(self, s):
        return s.voucher_number


class DepositResource(LedgerResource):
    case = Field(column_name="案件编号")
    on = Field(column_name="日期")
    kind = Field(column_name="类别")
    amount = Field(column_name="金额（元）")
    reference = Field(column_name="票据或凭证号")
    note = Field(column_name="说明")

    LAYOUT = {"case": (20, "text"), "on": (14, "date"), "kind": (10, "text"),
              "amount": (16, "amount"), "reference": (20, "text"), "note": (40, "text")}

    class Meta:
        model = DepositMovement
        fields = ("case", "on", "kind", "amount", "reference", "note")
        export_order = fields

    def dehydrate_case(self, m):
        return m.deposit.case.number

    def dehydrate_on(self, m):
        return m.on

    def dehydrate_kind(self, m):
        return m.get_kind_display()

    def dehydrate_amount(self, m):
        return m.amount

    def dehydrate_reference(self, m):
        return m.reference

    def dehydrate_note(self, m):
        return m.note


def _sheet(book: spreadsheets.Workbook, title: str, resource: LedgerResource, queryset,
           totals: dict | None = None) -> int:
    names = resource.names()
    table = book.table(title, resource.columns())
    for instance in queryset.iterator(chunk_size=500):
        table.add(resource.export_resource(instance))
    if totals is not None:
        table.total([totals.get(n, "合计" if i == 0 else None) for i, n in enumerate(names)])
    return table.data_rows


def write_ledger(target, *, obligations, accounts, payments, spending, movements,
                 totals: Totals) -> None:
    with spreadsheets.Workbook(target) as workbook:
        _write_sheets(workbook, obligations=obligations, accounts=accounts, payments=payments,
                      spending=spending, movements=movements, totals=totals)


def _write_sheets(workbook, *, obligations, accounts, payments, spending, movements,
                  totals: Totals) -> None:
    _sheet(workbook, "缴纳义务", ObligationResource(),
           obligations.select_related("case", "obligor__party", "payee_treasury")
           .prefetch_related("schedule").order_by("case__number", "id"),
           totals={"amount": totals.owed, "paid": totals.paid,
                   "outstanding": totals.outstanding})
    _sheet(workbook, "资金账户", AccountResource(),
           accounts.select_related("case", "treasury").order_by("case__number", "id"),
           totals={"received": totals.received, "spent": totals.spent,
                   "balance": totals.balance})
    _sheet(workbook, "缴款明细", PaymentResource(),
           payments.select_related("case", "obligation", "treasury")
           .order_by("case__number", "paid_on", "id"))
    _sheet(workbook, "资金使用", SpendingResource(),
           spending.select_related("case", "reviewing_department").order_by("case__number", "id"))
    _sheet(workbook, "保证金", DepositResource(),
           movements.select_related("deposit__case").order_by("deposit__case__number", "on",
                                                              "id"))


def ledger_file(**kwargs):
    handle = tempfile.TemporaryFile()
    write_ledger(handle, **kwargs)
    handle.seek(0)
    return handle
