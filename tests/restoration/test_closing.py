"""结案: only when every obligation is performed (each restoration passed, waived or ended with
its payment; nothing outstanding unless the enforcement path has ended; the deposit refunded
or applied; no spending waiting), with the division head's approval; a closed case is
read-only and its timeline tells the whole story."""

from decimal import Decimal

import pytest

from cases.closing import unperformed
from cases.models import Case
from cases.parts import deadlines_of_case
from negotiation.models import Enforcement
from restoration import services
from restoration.models import FundObligation, RestorationProject
from tests.restoration.factories import D, agreement_with, finance_for, walk
from workflow import approvals
from workflow.audit import history
from workflow.transitions import ConditionsNotMet

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("november")]


def performed_case(d):
    case = agreement_with(d, deposit="10000").case
    services.receive_deposit(case, on=D(2026, 10, 26), amount=Decimal("10000"),
                             reference="BZ-1", by=d.officer)
    return case


def test_closing_is_refused_while_anything_is_open(d):
    case = performed_case(d)
    open_items = unperformed(case)
    assert any("修复项目1" in s for s in open_items)
    assert any("尚欠缴123,000.00 元" in s for s in open_items)
    assert any("保证金尚有10,000.00 元" in s for s in open_items)
    with pytest.raises(ConditionsNotMet, match="尚有未履行完毕的义务"):
        services.request_closing(case, summary="已履行完毕", by=d.officer)


def test_a_performed_case_closes_with_the_division_heads_approval_and_is_read_only(d):
    finance = finance_for(d)
    case = performed_case(d)
    project = walk(case.restoration_projects.get(), d, "passed")
    obligation = case.fund_obligations.get()
    services.record_payment(obligation, paid_on=D(2026, 11, 1), amount=Decimal("123000"),
                            receipt_number="FS-1", by=d.officer)
    account = case.fund_accounts.get()
    request = services.submit_spending(services.draft_spending(
        case, account=account, purpose_kind="restoration", purpose="补充修复",
        budget=Decimal("1000"), restoration_project=project, by=d.officer), by=d.officer)
    services.refund_deposit(case, on=D(2026, 11, 2), reference="TK-1", by=d.officer)
    assert unperformed(case) == ["尚有1项资金使用申请未办结（财政审核中或已批准未支付）。"]
    services.review_spending(request, approve=True, opinion="同意", by=finance.user)
    services.pay_spending(request, paid_on=D(2026, 11, 2), voucher_number="ZF-1",
                          by=finance.user)
    assert unperformed(case) == []

    services.request_closing(case, summary="修复通过评估，赔偿资金已缴清，保证金已退还。",
                             by=d.officer)
    case.refresh_from_db()
    assert case.stage == Case.Stage.CLOSING_APPROVAL
    step = approvals.inbox(d.division_head).get()
    approvals.decide(step, by=d.division_head, approve=True, opinion="同意结案。")
    case.refresh_from_db()
    assert case.stage == Case.Stage.CLOSED and case.is_read_only

    with pytest.raises(services.RestorationError, match="不能再办理"):
        services.record_payment(obligation, paid_on=D(2026, 11, 2), amount=Decimal("1"),
                                receipt_number="FS-9", by=d.officer)
    with pytest.raises(services.RestorationError, match="不能再办理"):
        services.record_site_visit(project, visited_on=D(2026, 11, 2), visitors="张某",
                                   findings="回访", by=d.officer)
    with pytest.raises(services.RestorationError, match="不能再办理"):
        services.receive_deposit(case, on=D(2026, 11, 2), amount=Decimal("1"),
                                 reference="BZ-9", by=d.officer)

    from cases.views import _parts_of

    story = {e.transition for e in history(case, including=_parts_of(case)) if e.transition}
    assert {"签署赔偿协议", "效果评估通过", "审核同意", "登记支付", "申请结案",
            "批准结案"} <= story
    assert not any(deadline.is_active for deadline in deadlines_of_case(case))


def test_closing_returned_by_the_head_goes_back_to_performance(d):
    case = agreement_with(d, payments=[]).case
    walk(case.restoration_projects.get(), d, "completed")
    services.waive_assessment(RestorationProject.objects.get(case=case), reason="other",
                              note="已由验收代替", by=d.officer)
    services.request_closing(case, summary="已履行", by=d.officer)
    approvals.decide(approvals.inbox(d.division_head).get(), by=d.division_head,
                     approve=False, opinion="请补充回访记录。")
    assert Case.objects.get(pk=case.pk).stage == Case.Stage.PERFORMING


def test_money_still_owed_after_the_enforcement_path_ended_does_not_block_closing(d):
    case = agreement_with(d, restoration=[]).case
    assert any("尚欠缴" in s for s in unperformed(case))
    enforcement = Enforcement.objects.create(case=case, basis="confirmed_agreement",
                                             created_by=d.officer, non_performance="未缴纳")
    assert any("尚欠缴" in s for s in unperformed(case))
    Enforcement.objects.filter(pk=enforcement.pk).update(state="concluded")  # the court's end
    assert unperformed(case) == []
    assert FundObligation.objects.get(case=case).outstanding == Decimal("123000.00")
