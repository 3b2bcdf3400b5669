"""Compensation funds (CQ 十五; NAT 十一; NT 三(九)、三(十一); SX 第二十五条、第三十七条):
obligations of the agreement in force and of judgments, the payee treasury, schedules with
and without a guarantee, partial and overdue payments with the enforcement path, the deposit,
and the spending reviewed by the same-level finance department (and only by it)."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Department, Jurisdiction
from cases.models import Case
from negotiation import services as negotiation_services
from negotiation.models import Litigation
from restoration import ledger, services
from restoration.models import (
    FundAccount,
    FundObligation,
    RestorationProject,
    ScheduleItem,
    SpendingRequest,
)
from tests.factories import JurisdictionFactory, UserFactory
from tests.restoration.factories import (
    D,
    agreement_with,
    finance_for,
    library_project,
    pdf,
    walk,
)
from workflow.attachments import attach
from workflow.deadlines import process_alerts, scan_deadlines
from workflow.models import Deadline, DeadlineKind, Notification
from workflow.transitions import ConditionsNotMet, TransitionDenied, TransitionError

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("november")]

SERVICE_LOSS = {"kind": "service_loss", "amount": Decimal("123000.00"), "due_on": D(2026, 12, 31)}
INSTALMENTS = {"kind": "restoration_cost", "amount": Decimal("300000.00"),
               "guarantee": "太原某担保公司连带责任保证",
               "instalments": [("100000", D(2026, 11, 30)), ("100000", D(2027, 2, 28)),
                               ("100000", D(2027, 5, 31))]}


def obligation_of(agreement, kind="service_loss") -> FundObligation:
    return FundObligation.objects.get(case=agreement.case, kind=kind,
                                      status__in=["open", "paid"])


def pay(obligation, amount, receipt, d, on=None):
    return services.record_payment(obligation, paid_on=on or D(2026, 11, 1), amount=Decimal(amount),
                                   receipt_number=receipt, by=d.officer)


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, 2, tzinfo=datetime.UTC)


# --- obligations and schedules --------------------------------------------------------------

def test_each_payment_term_becomes_an_obligation_into_the_same_level_treasury(d):
    agreement = agreement_with(d, payments=[SERVICE_LOSS, INSTALMENTS])
    case = agreement.case
    single = obligation_of(agreement)
    assert (single.source, single.amount, single.paid, single.outstanding) == (
        "agreement", Decimal("123000.00"), Decimal("0"), Decimal("123000.00"))
    assert single.payee_treasury == case.jurisdiction  # CQ 十五; SX 第三十七条
    item = single.schedule.get()
    assert item.deadline.kind == DeadlineKind.PAYMENT and item.deadline.due == D(2026, 12, 31)
    spread = obligation_of(agreement, "restoration_cost")
    assert [(i.sequence, i.amount) for i in spread.schedule.all()] == [
        (1, Decimal("100000.00")), (2, Decimal("100000.00")), (3, Decimal("100000.00"))]
    assert spread.guarantee.startswith("太原某担保公司")
    assert all("有担保" in i.deadline.citation for i in spread.schedule.all())


def test_instalments_without_a_guarantee_are_refused(d):
    # in the agreement (negotiation's signing condition) …
    with pytest.raises(ConditionsNotMet, match="须有担保"):
        agreement_with(d, payments=[{**INSTALMENTS, "guarantee": ""}])
    # … and for an obligation the department schedules itself (NT 三(九); SX 第二十五条)
    project = walk(RestorationProject.objects.get(case=agreement_with(d).case), d,
                   "in_progress")
    services.request_early_end(project, reason="force_majeure", note="山洪",
                               amount=Decimal("60000"), due_on=D(2026, 12, 31), by=d.officer)
    from workflow import approvals

    for head in (d.division_head, d.department_head):
        approvals.decide(approvals.inbox(head).get(), by=head, approve=True, opinion="同意")
    owed = FundObligation.objects.get(project=project)
    schedule = [(Decimal("30000"), D(2026, 12, 31)), (Decimal("30000"), D(2027, 3, 31))]
    with pytest.raises(PermissionDenied):
        services.set_instalments(owed, schedule=schedule, guarantee="保证", by=d.officer)
    with pytest.raises(services.RestorationError, match="有效担保"):
        services.set_instalments(owed, schedule=schedule, guarantee=" ", by=d.division_head)
    with pytest.raises(services.RestorationError, match="之和"):
        services.set_instalments(owed, schedule=schedule[:1], guarantee="保证",
                                 by=d.division_head)
    services.set_instalments(owed, schedule=schedule, guarantee="某公司以厂房抵押担保",
                             guarantee_file=pdf("抵押合同.pdf"), by=d.division_head)
    assert [i.due_on for i in owed.schedule.all()] == [D(2026, 12, 31), D(2027, 3, 31)]
    assert Deadline.objects.filter(kind=DeadlineKind.PAYMENT, status="cancelled",
                                   object_id=owed.pk).count() == 1


def test_an_extension_needs_the_head_and_a_guarantee(d):
    agreement = agreement_with(d, payments=[SERVICE_LOSS])
    item = obligation_of(agreement).schedule.get()
    with pytest.raises(PermissionDenied):
        services.extend_item(item, due_on=D(2027, 3, 31), reason="资金困难", by=d.officer)
    with pytest.raises(ValidationError, match="有效担保"):
        services.extend_item(item, due_on=D(2027, 3, 31), reason="资金困难", by=d.division_head)
    with pytest.raises(ValidationError, match="须晚于原期限"):
        services.extend_item(item, due_on=D(2026, 12, 1), reason="资金困难",
                             guarantee="保证", by=d.division_head)
    item = services.extend_item(item, due_on=D(2027, 3, 31), reason="资金困难，已提供担保",
                                guarantee="法定代表人个人连带保证", by=d.division_head)
    item.deadline.refresh_from_db()
    assert item.due_on == D(2027, 3, 31) and item.original_due_on == D(2026, 12, 31)
    assert item.deadline.due == D(2027, 3, 31) and item.deadline.extension_days == 90
    assert "同意延期缴纳" in item.deadline.changes.order_by("-id").first().reason


def test_cross_county_damage_pays_into_the_treasury_where_it_occurred(d):
    agreement = agreement_with(d, payments=[SERVICE_LOSS])
    case = agreement.case
    county = JurisdictionFactory(parent=case.jurisdiction, level=Jurisdiction.Level.COUNTY,
                                 rule_set=case.jurisdiction.rule_set)
    elsewhere = JurisdictionFactory(level=Jurisdiction.Level.COUNTY)
    obligation = obligation_of(agreement)
    with pytest.raises(ValidationError, match="损害结果发生地"):
        services.set_payee(obligation, cross_county=True, by=d.officer)
    with pytest.raises(ValidationError, match="本市域内"):
        services.set_payee(obligation, cross_county=True, damage_jurisdiction=elsewhere,
                           by=d.officer)
    obligation = services.set_payee(obligation, cross_county=True, damage_jurisdiction=county,
                                    by=d.officer)
    assert obligation.payee_treasury == county  # NT 三(十一)
    payment = pay(obligation, "1000", "FS-0001", d)
    assert payment.treasury == county
    assert FundAccount.objects.get(case=case).treasury == county
    with pytest.raises(services.RestorationError, match="已有缴款"):
        services.set_payee(obligation, cross_county=False, by=d.officer)


# --- payments -------------------------------------------------------------------------------

def test_partial_payments_settle_the_instalments_in_order(d):
    agreement = agreement_with(d, payments=[INSTALMENTS])
    obligation = obligation_of(agreement, "restoration_cost")
    first, second, third = obligation.schedule.all()
    pay(obligation, "60000", "FS-1", d)
    obligation.refresh_from_db()
    assert (obligation.paid, obligation.outstanding, obligation.status) == (
        Decimal("60000.00"), Decimal("240000.00"), "open")
    first.refresh_from_db()
    assert first.settled_on is None
    pay(obligation, "90000", "FS-2", d, on=D(2026, 11, 2))
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.settled_on == D(2026, 11, 2) and second.settled_on is None
    first.deadline.refresh_from_db()
    assert first.deadline.status == "met"
    pay(obligation, "150000", "FS-3", d, on=D(2026, 11, 2))
    obligation.refresh_from_db()
    assert obligation.status == "paid" and obligation.outstanding == 0
    assert ScheduleItem.objects.filter(obligation=obligation, settled_on__isnull=True).count() == 0
    account = FundAccount.objects.get(case=agreement.case)
    assert (account.received, account.spent, account.balance) == (
        Decimal("300000.00"), Decimal("0.00"), Decimal("300000.00"))
    with pytest.raises(services.RestorationError, match="已办结"):
        pay(obligation, "1", "FS-4", d)


def test_a_payment_needs_its_receipt_and_cannot_exceed_what_is_owed(d):
    obligation = obligation_of(agreement_with(d, payments=[SERVICE_LOSS]))
    with pytest.raises(ValidationError, match="票据号"):
        pay(obligation, "100", " ", d)
    with pytest.raises(ValidationError, match="超过欠缴金额"):
        pay(obligation, "123000.01", "FS-1", d)
    with pytest.raises(services.RestorationError, match="不能晚于今天"):
        pay(obligation, "100", "FS-1", d, on=D(2026, 11, 3))
    with pytest.raises(services.RestorationError, match="最多两位小数"):
        pay(obligation, "100.001", "FS-1", d)
    with pytest.raises(TypeError):
        services.record_payment(obligation, paid_on=D(2026, 11, 1), amount=100.5,
                                receipt_number="FS-1", by=d.officer)
    pay(obligation, "100", "FS-1", d)
    with pytest.raises(ValidationError, match="已登记过"):
        pay(obligation, "100", "FS-1", d)
    obligation.refresh_from_db()
    assert obligation.paid == Decimal("100.00")


def test_an_overdue_instalment_is_escalated_and_leads_to_litigation(d, settings):
    agreement = agreement_with(d, payments=[INSTALMENTS])
    case = agreement.case
    obligation = obligation_of(agreement, "restoration_cost")
    pay(obligation, "40000", "FS-1", d)  # partial: the first instalment is not settled
    first = obligation.schedule.get(sequence=1)
    with pytest.raises(services.RestorationError, match="没有逾期"):
        services.pursue_default(case, note="未按期缴纳", by=d.officer)
    for day in (1, 4):  # the first overdue day, then 3 days later
        with time_machine.travel(at(2026, 12, day), tick=False):
            scan_deadlines()
            process_alerts()
    first.deadline.refresh_from_db()
    assert first.deadline.status == "overdue"
    kinds = set(first.deadline.alerts.values_list("kind", flat=True))
    assert {"overdue", "escalation_division", "escalation_department", "expiry"} <= kinds
    told = Notification.objects.get(recipient=d.officer, title__contains="赔偿资金逾期未缴")
    assert "尚欠缴260,000.00 元" in told.body and "应当提起诉讼" in told.body
    assert Notification.objects.filter(recipient=d.department_head).exists()
    assert [i.pk for i in services.overdue_items(case)] == [first.pk]
    with time_machine.travel(at(2026, 12, 4), tick=False):
        with pytest.raises(ValidationError):
            services.pursue_default(case, note=" ", by=d.officer)
        litigation = services.pursue_default(case, note="第一期仅缴纳40000元", by=d.officer)
    assert litigation.origin == Litigation.Origin.NOT_PERFORMED
    assert Case.objects.get(pk=case.pk).stage == "litigating"


def test_a_confirmed_agreement_not_paid_goes_to_enforcement(d):
    agreement = agreement_with(d, payments=[SERVICE_LOSS])
    case = agreement.case
    with time_machine.travel(at(2026, 11, 3), tick=False):
        confirmation = negotiation_services.start_confirmation(case, by=d.officer)
        confirmation.court, confirmation.applied_on = "太原市中级人民法院", D(2026, 11, 3)
        confirmation.agreement_file = attach(confirmation, pdf(), by=d.officer)
        confirmation.appraisal_report = attach(confirmation, pdf(), by=d.officer)
        confirmation.save()
        negotiation_services.file_confirmation(confirmation, by=d.officer)
        negotiation_services.record_ruling(confirmation, confirmed=True, by=d.officer,
                                           ruling_number="（2026）晋01民特3号",
                                           ruling_date=D(2026, 11, 3))
    assert services.enforcement_route(case) == "enforcement"
    with time_machine.travel(at(2027, 1, 5), tick=False):
        scan_deadlines()
        process_alerts()
        assert "申请强制执行" in Notification.objects.get(
            recipient=d.officer, title__contains="赔偿资金逾期未缴").body
        enforcement = services.pursue_default(case, note="逾期未缴纳", by=d.officer)
    assert enforcement.basis == "confirmed_agreement" and enforcement.state == "preparing"


# --- corrections and judgments ---------------------------------------------------------------

def correct(agreement, d, change):
    draft = negotiation_services.correct_agreement(agreement, reason="更正金额", by=d.officer)
    change(draft)
    draft.signed_on, draft.signed_place = D(2026, 11, 2), "太原市"
    draft.save()
    return negotiation_services.sign_agreement(draft, by=d.officer)


def test_a_correction_updates_the_obligation_of_the_version_in_force(d):
    agreement = agreement_with(d, payments=[SERVICE_LOSS, {**SERVICE_LOSS, "kind": "fees",
                                                           "amount": Decimal("20000")}])
    obligation = obligation_of(agreement)
    pay(obligation, "23000", "FS-1", d)

    def change(draft):
        term = draft.payment_terms.get(kind="service_loss")
        term.amount = Decimal("150000")
        term.save()
        draft.payment_terms.filter(kind="fees").delete()

    new = correct(agreement, d, change)
    obligations = FundObligation.objects.filter(case=agreement.case)
    assert obligations.count() == 2  # updated and cancelled, never duplicated
    obligation.refresh_from_db()
    assert obligation.agreement == new and obligation.amount == Decimal("150000.00")
    assert (obligation.paid, obligation.outstanding) == (Decimal("23000.00"),
                                                         Decimal("127000.00"))
    fees = obligations.get(kind="fees")
    assert fees.status == "cancelled" and fees.amount == fees.paid == 0
    assert fees.schedule.get().deadline.status == "cancelled"
    ledger.verify(agreement.case)


def test_a_correction_cannot_owe_less_than_was_paid(d):
    agreement = agreement_with(d, payments=[SERVICE_LOSS])
    pay(obligation_of(agreement), "100000", "FS-1", d)

    def change(draft):
        term = draft.payment_terms.get()
        term.amount = Decimal("90000")
        term.save()

    with pytest.raises(TransitionError, match="不能少于已缴纳"):
        correct(agreement, d, change)
    agreement.refresh_from_db()
    assert agreement.state == "signed"  # the signing was rolled back


def test_judgment_obligations_stay_within_the_judgment_and_replace_the_agreement(d):
    agreement = agreement_with(d, payments=[SERVICE_LOSS])
    case = agreement.case
    old = obligation_of(agreement)
    pay(old, "3000", "FS-1", d)
    litigation = Litigation.objects.create(
        case=case, origin="not_performed", created_by=d.officer, court="太原中院",
        judgment_number="（2026）晋01民初8号", judgment_amount=Decimal("200000"),
        effective_on=D(2026, 11, 1))
    obligor = case.obligor_links.first()
    with pytest.raises(services.RestorationError, match="尚未生效"):
        services.add_judgment_obligation(litigation, obligor=obligor, kind="service_loss",
                                         amount=Decimal("1"), due_on=D(2027, 1, 31),
                                         by=d.officer)
    Litigation.objects.filter(pk=litigation.pk).update(state="effective")  # the court's act
    services.add_judgment_obligation(litigation, obligor=obligor, kind="service_loss",
                                     amount=Decimal("150000"), due_on=D(2027, 1, 31),
                                     by=d.officer, supersede_agreement=True)
    with pytest.raises(ValidationError, match="不能超过判决金额"):
        services.add_judgment_obligation(litigation, obligor=obligor, kind="fees",
                                         amount=Decimal("50000.01"), due_on=D(2027, 1, 31),
                                         by=d.officer)
    old.refresh_from_db()
    assert old.status == "cancelled" and old.amount == Decimal("3000.00")
    assert ledger.case_totals(case).owed == Decimal("153000.00")


# --- deposits (NT 三(十一)) -------------------------------------------------------------------

def test_the_deposit_is_refunded_only_after_the_restoration_passed(d):
    agreement = agreement_with(d, deposit="50000")
    case = agreement.case
    with pytest.raises(ValidationError, match="超过约定的保证金"):
        services.receive_deposit(case, on=D(2026, 10, 26), amount=Decimal("50000.01"),
                                 reference="BZ-1", by=d.officer)
    services.receive_deposit(case, on=D(2026, 10, 26), amount=Decimal("50000"),
                             reference="BZ-1", by=d.officer)
    with pytest.raises(services.RestorationError, match="修复完成并经效果评估"):
        services.refund_deposit(case, on=D(2026, 11, 2), reference="TK-1", by=d.officer)
    walk(RestorationProject.objects.get(case=case), d, "passed")
    movement = services.refund_deposit(case, on=D(2026, 11, 2), reference="TK-1", by=d.officer)
    assert movement.amount == Decimal("50000.00")
    case.deposit.refresh_from_db()
    assert (case.deposit.held, case.deposit.refunded) == (0, Decimal("50000.00"))


def test_an_applied_deposit_leaves_the_shortfall_owed(d):
    agreement = agreement_with(d, deposit="50000")
    case = agreement.case
    project = RestorationProject.objects.get(case=case)
    services.receive_deposit(case, on=D(2026, 10, 26), amount=Decimal("30000"),
                             reference="BZ-1", by=d.officer)
    with pytest.raises(ValidationError, match="缴纳期限"):
        services.apply_deposit(case, project=project, cost=Decimal("80000"), on=D(2026, 11, 2),
                               note="义务人拒不开工", by=d.officer)
    movement = services.apply_deposit(case, project=project, cost=Decimal("80000"),
                                      on=D(2026, 11, 2), note="义务人拒不开工",
                                      due_on=D(2027, 1, 31), by=d.officer)
    assert movement.amount == Decimal("30000.00")
    shortfall = movement.shortfall
    assert (shortfall.source, shortfall.amount) == ("deposit_shortfall", Decimal("50000.00"))
    case.deposit.refresh_from_db()
    assert (case.deposit.held, case.deposit.applied) == (0, Decimal("30000.00"))
    project.refresh_from_db()
    assert project.taken_over_on == D(2026, 11, 2)
    with pytest.raises(services.RestorationError, match="没有在管余额"):
        services.apply_deposit(case, project=project, cost=Decimal("1"), on=D(2026, 11, 2),
                               note="再次", by=d.officer)


def test_an_applied_deposit_that_covers_the_cost_leaves_the_rest_held(d):
    case = agreement_with(d, deposit="50000").case
    services.receive_deposit(case, on=D(2026, 10, 26), amount=Decimal("50000"),
                             reference="BZ-1", by=d.officer)
    movement = services.apply_deposit(case, project=case.restoration_projects.get(),
                                      cost=Decimal("20000"), on=D(2026, 11, 2),
                                      note="义务人未按期开工", by=d.officer)
    assert movement.shortfall is None
    case.deposit.refresh_from_db()
    assert case.deposit.held == Decimal("30000.00")


def test_no_deposit_without_one_agreed(d):
    case = agreement_with(d).case
    with pytest.raises(services.RestorationError, match="未约定修复保证金"):
        services.receive_deposit(case, on=D(2026, 10, 26), amount=Decimal("1"),
                                 reference="BZ-1", by=d.officer)


# --- spending, reviewed by finance (NT 三(十一)) ---------------------------------------------

@pytest.fixture
def funded(d):
    """A case with 123,000 of compensation and 50,000 of punitive damages paid."""
    agreement = agreement_with(d, payments=[SERVICE_LOSS, {
        "kind": "punitive", "amount": Decimal("50000"), "due_on": D(2027, 3, 31)}])
    pay(obligation_of(agreement), "123000", "FS-1", d)
    pay(obligation_of(agreement, "punitive"), "50000", "FS-2", d)
    return agreement.case


def accounts(case):
    return (case.fund_accounts.get(fund="compensation"), case.fund_accounts.get(fund="punitive"))


def test_spending_goes_to_the_same_level_finance_department(d, funded):
    compensation, _ = accounts(funded)
    with pytest.raises(ValidationError, match="未设财政部门"):
        services.draft_spending(funded, account=compensation, purpose_kind="restoration",
                                purpose="清淤", budget=Decimal("1000"), by=d.officer,
                                restoration_project=funded.restoration_projects.get())
    finance = finance_for(d)
    request = services.draft_spending(funded, account=compensation, purpose_kind="restoration",
                                      purpose="委托第三方清淤", budget=Decimal("100000"),
                                      restoration_project=funded.restoration_projects.get(),
                                      budget_file=pdf("预算.pdf"), by=d.officer)
    assert request.reviewing_department == finance.department and request.state == "draft"


def test_finance_approves_and_pays_out_and_the_account_follows(d, funded):
    finance = finance_for(d)
    compensation, _ = accounts(funded)
    project = funded.restoration_projects.get()
    request = services.draft_spending(funded, account=compensation, purpose_kind="restoration",
                                      purpose="委托第三方清淤", budget=Decimal("130000"),
                                      restoration_project=project, by=d.officer)
    with pytest.raises(ConditionsNotMet, match="可用结余"):
        services.submit_spending(request, by=d.officer)
    request = services.draft_spending(funded, account=compensation, purpose_kind="restoration",
                                      purpose="委托第三方清淤", budget=Decimal("100000"),
                                      restoration_project=project, by=d.officer, request=request)
    request = services.submit_spending(request, by=d.officer)
    assert request.state == "submitted"
    assert Notification.objects.filter(recipient=finance.user,
                                       title__contains="待审核资金使用申请").exists()
    with pytest.raises(TransitionDenied):  # the officer cannot approve his own request
        services.review_spending(request, approve=True, opinion="同意", by=d.officer)
    with pytest.raises(ConditionsNotMet, match="核定金额"):
        services.review_spending(request, approve=True, opinion="同意",
                                 approved_amount=Decimal("100000.01"), by=finance.user)
    request = services.review_spending(request, approve=True, opinion="同意，按预算支出",
                                       approved_amount=Decimal("90000"), by=finance.user)
    assert (request.state, request.reviewed_by) == ("approved", finance.user)
    assert ledger.available(compensation) == Decimal("33000.00")
    with pytest.raises(ConditionsNotMet, match="支付凭证号"):
        services.pay_spending(request, paid_on=D(2026, 11, 2), voucher_number="", by=finance.user)
    request = services.pay_spending(request, paid_on=D(2026, 11, 2), voucher_number="ZF-001",
                                    by=finance.user)
    compensation.refresh_from_db()
    assert (compensation.received, compensation.spent, compensation.balance) == (
        Decimal("123000.00"), Decimal("90000.00"), Decimal("33000.00"))


def test_a_returned_request_needs_the_reason_and_can_be_resubmitted(d, funded):
    finance = finance_for(d)
    compensation, _ = accounts(funded)
    request = services.draft_spending(funded, account=compensation, purpose_kind="other",
                                      purpose="统筹用于其他修复项目", budget=Decimal("10000"),
                                      by=d.officer)
    request = services.submit_spending(request, by=d.officer)
    with pytest.raises(ValidationError):
        services.review_spending(request, approve=False, opinion=" ", by=finance.user)
    request = services.review_spending(request, approve=False, opinion="预算依据不足",
                                       by=finance.user)
    assert request.state == "returned" and request.review_opinion == "预算依据不足"
    request = services.submit_spending(request, by=d.officer)
    assert request.state == "submitted" and request.review_opinion == ""


def test_punitive_damages_alone_pay_for_films_bases_and_publicity(d, funded):
    finance_for(d)
    compensation, punitive = accounts(funded)
    request = services.draft_spending(funded, account=compensation, purpose_kind="warning_film",
                                      purpose="制作警示片", budget=Decimal("20000"), by=d.officer)
    with pytest.raises(ConditionsNotMet, match="只能使用惩罚性赔偿金"):
        services.submit_spending(request, by=d.officer)
    request = services.draft_spending(funded, account=punitive, purpose_kind="warning_film",
                                      purpose="制作警示片", budget=Decimal("20000"), by=d.officer,
                                      request=request)
    assert services.submit_spending(request, by=d.officer).state == "submitted"


def test_library_spending_counts_against_the_library_project(d, funded):
    finance = finance_for(d)
    alternative = library_project(d, budget=Decimal("100000"), capacity=None)
    compensation, _ = accounts(funded)
    request = services.draft_spending(funded, account=compensation, purpose_kind="alternative",
                                      purpose="补植湿地", budget=Decimal("60000"),
                                      alternative_project=alternative, by=d.officer)
    services.review_spending(services.submit_spending(request, by=d.officer), approve=True,
                             opinion="同意", by=finance.user)
    usage = services.library_usage(alternative)
    assert usage["funds"] == Decimal("60000.00")
    assert usage["remaining_budget"] == Decimal("40000.00")


def test_finance_sees_only_the_requests_sent_to_it(d, funded):
    finance = finance_for(d)
    other_finance = UserFactory(role="finance", department=Department.objects.create(
        name="外市财政局", kind="finance", jurisdiction=JurisdictionFactory()))
    compensation, _ = accounts(funded)
    request = services.submit_spending(services.draft_spending(
        funded, account=compensation, purpose_kind="other", purpose="统筹使用",
        budget=Decimal("1000"), by=d.officer), by=d.officer)
    assert list(SpendingRequest.objects.visible_to(finance.user)) == [request]
    assert list(SpendingRequest.objects.workable_by(finance.user)) == [request]
    assert not SpendingRequest.objects.visible_to(other_finance).exists()
    # finance never sees the eco department's case itself …
    assert not Case.objects.visible_to(finance.user).exists()
    # … but does see the money paid into its treasury, for the jurisdiction ledger
    assert FundObligation.objects.visible_to(finance.user).count() == 2
    assert not FundObligation.objects.visible_to(other_finance).exists()
    with pytest.raises(TransitionDenied):
        services.review_spending(request, approve=True, opinion="同意", by=other_finance)


def test_a_renegotiated_agreement_replaces_the_first_rounds_without_double_counting(d):
    """After a refused judicial confirmation the renegotiated agreement is a new agreement,
    not a correction (CQ 八; SX 第二十一条): it takes over the first one's obligations."""
    from tests.negotiation.test_court import _bring_to_agreement, filed, refuse

    with time_machine.travel(at(2026, 11, 20), tick=False):
        confirmation = filed(d)
        case = confirmation.case
        first = obligation_of(confirmation.agreement)
        pay(first, "3000", "FS-1", d, on=D(2026, 11, 10))
        refuse(confirmation, d)
        _bring_to_agreement(Case.objects.get(pk=case.pk).negotiations.get(round_number=2), d)
    current = negotiation_services.current_agreement(case)
    assert current.version == 2 and current.previous is None
    obligation = FundObligation.objects.get(case=case)
    assert obligation.pk == first.pk and obligation.agreement == current
    assert (obligation.paid, obligation.outstanding) == (Decimal("3000.00"),
                                                         Decimal("120000.00"))
    project = RestorationProject.objects.get(case=case)
    assert project.agreement == current and project.state == "planning"
    assert ledger.case_totals(case).owed == Decimal("123000.00")
