"""Fund pages: a case's fund ledger with its payment, deposit and spending forms, the
jurisdiction fund ledger, their Excel exports, and the finance department's review.

Scoping: the case's pages go through Case.visible_to / workable_by (404 outside), each needs
the role's permission (403). A spending request is fetched through SpendingRequest's own
scope: the case's department, or the finance department the request names — a finance user
never sees the eco department's case pages, only the requests sent to it and the ledger of its
treasuries."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.models import Department, Jurisdiction
from cases.models import Case
from negotiation import services as negotiation_services
from workflow.audit import history
from workflow.formatting import amount as yuan_text
from workflow.pagination import keyset_page
from workflow.transitions import TransitionDenied, TransitionError

from . import export, forms, ledger, services
from .models import (
    Deposit,
    DepositMovement,
    FundAccount,
    FundObligation,
    Payment,
    ScheduleItem,
    SpendingRequest,
)
from .models.funds import finance_payer, finance_reviewer
from .views import render_form, run_form

HANDLE = "cases.handle_case"
LEDGER = "restoration.view_fundaccount"
EXTEND = "restoration.extend_schedule"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _visible_case(request, pk) -> Case:
    if not request.user.has_perm(LEDGER):
        raise PermissionDenied("您没有查看赔偿资金台账的权限。")
    return get_object_or_404(Case.objects.visible_to(request.user).select_related(
        "department", "jurisdiction"), pk=pk)


def _workable_case(request, pk) -> Case | None:
    case = get_object_or_404(Case.objects.workable_by(request.user).select_related(
        "department", "jurisdiction", "rule_profile"), pk=pk)
    if case.is_read_only:
        messages.error(request, f"案件处于“{case.get_stage_display()}”阶段，不能再办理。")
        return None
    return case


def _funds_url(case) -> str:
    from django.urls import reverse

    return reverse("restoration:case_funds", args=[case.pk])


# --- the case's fund ledger ---------------------------------------------------------------------

@login_required
def case_funds(request, pk):
    case = _visible_case(request, pk)
    user = request.user
    workable = not case.is_read_only and case.is_workable_by(user)
    data = ledger.case_ledger(case)
    deposit = data.deposit
    return render(request, "restoration/case_funds.html", {
        "case": case, "ledger": data, "totals": data.totals, "deposit": deposit,
        "movements": deposit.movements.select_related("project").order_by("on", "id")
        if deposit else [],
        "can_handle": workable and user.has_perm(HANDLE),
        "can_extend": workable and user.has_perm(EXTEND),
        "overdue": list(services.overdue_items(case)) if workable else [],
        "route": services.enforcement_route(case),
        "judgment": negotiation_services.effective_judgment(case),
        "problems": data.totals.problems(),
    })


def _xlsx(handle, filename: str) -> FileResponse:
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX)


@login_required
def case_funds_export(request, pk):
    case = _visible_case(request, pk)
    handle = export.ledger_file(
        obligations=FundObligation.objects.filter(case=case),
        accounts=FundAccount.objects.filter(case=case),
        payments=Payment.objects.filter(case=case),
        spending=SpendingRequest.objects.filter(case=case),
        movements=DepositMovement.objects.filter(deposit__case=case),
        totals=ledger.case_totals(case))
    return _xlsx(handle, f"赔偿资金台账_{case.number}.xlsx")


# --- the jurisdiction's fund ledger ----------------------------------------------------------

def _jurisdiction(request) -> Jurisdiction:
    if not request.user.has_perm(LEDGER) or request.user.department is None:
        raise PermissionDenied("您没有查看赔偿资金台账的权限。")
    own = request.user.department.jurisdiction
    wanted = request.GET.get("jurisdiction")
    if not wanted:
        return own
    try:
        return Jurisdiction.objects.get(pk=int(wanted), path__startswith=own.path)
    except (ValueError, Jurisdiction.DoesNotExist) as exc:
        raise Http404 from exc


@login_required
def jurisdiction_ledger(request):
    jurisdiction = _jurisdiction(request)
    view = ledger.jurisdiction_ledger(request.user, jurisdiction)
    own = request.user.department.jurisdiction
    return render(request, "restoration/jurisdiction_ledger.html", {
        "view": view, "jurisdiction": jurisdiction, "problems": view.totals.problems(),
        "choices": Jurisdiction.objects.filter(path__startswith=own.path).order_by("path"),
    })


@login_required
def jurisdiction_ledger_export(request):
    jurisdiction = _jurisdiction(request)
    user, path = request.user, jurisdiction.path
    view = ledger.jurisdiction_ledger(user, jurisdiction)
    cases = Case.objects.filter(pk__in={r.case.pk for r in view.rows})
    handle = export.ledger_file(
        obligations=FundObligation.objects.visible_to(user).filter(
            payee_treasury__path__startswith=path),
        accounts=FundAccount.objects.visible_to(user).filter(treasury__path__startswith=path),
        payments=Payment.objects.visible_to(user).filter(treasury__path__startswith=path),
        spending=SpendingRequest.objects.filter(
            account__in=FundAccount.objects.visible_to(user).filter(
                treasury__path__startswith=path)),
        movements=DepositMovement.objects.filter(deposit__case__in=cases),
        totals=view.totals)
    return _xlsx(handle, f"赔偿资金台账_{jurisdiction.name}.xlsx")


# --- obligations and payments -------------------------------------------------------------------

def _workable_obligation(request, pk) -> FundObligation:
    return get_object_or_404(FundObligation.objects.workable_by(request.user).select_related(
        "case__jurisdiction", "obligor__party", "payee_treasury"), pk=pk)


def _refuse_read_only(request, case):
    if case.is_read_only:
        messages.error(request, f"案件处于“{case.get_stage_display()}”阶段，不能再办理。")
        return redirect(_funds_url(case))
    return None


@login_required
@permission_required(HANDLE, raise_exception=True)
def payment_create(request, pk):
    obligation = _workable_obligation(request, pk)
    case = obligation.case
    refused = _refuse_read_only(request, case)
    if refused:
        return refused
    form = forms.PaymentForm(request.POST or None, request.FILES or None)
    done = run_form(request, form, lambda data: services.record_payment(
        obligation, paid_on=data["paid_on"], amount=data["amount"],
        receipt_number=data["receipt_number"], payer=data.get("payer", ""),
        receipt_file=data.get("receipt_file"), note=data.get("note", ""), by=request.user),
        success="缴款已登记并计入赔偿资金台账。", success_url=_funds_url(case))
    return done or render_form(
        request, form, title=f"登记缴款：{obligation}", case=case, back=_funds_url(case),
        intro=f"缴入{obligation.payee_treasury.name}国库，作为政府非税收入（CQ 十五；SX 第三十七条）。"
              f"欠缴{yuan_text(obligation.outstanding)}。")


@login_required
@permission_required(HANDLE, raise_exception=True)
def obligation_payee(request, pk):
    obligation = _workable_obligation(request, pk)
    case = obligation.case
    refused = _refuse_read_only(request, case)
    if refused:
        return refused
    form = forms.PayeeForm(request.POST or None, case=case, initial={
        "cross_county": obligation.cross_county,
        "damage_jurisdiction": obligation.damage_jurisdiction_id})
    done = run_form(request, form, lambda data: services.set_payee(
        obligation, cross_county=data["cross_county"],
        damage_jurisdiction=data.get("damage_jurisdiction"), by=request.user),
        success="缴入国库已更新。", success_url=_funds_url(case))
    return done or render_form(request, form, title=f"缴入国库：{obligation}", case=case,
                               back=_funds_url(case))


@login_required
@permission_required(EXTEND, raise_exception=True)
def obligation_instalments(request, pk):
    obligation = _workable_obligation(request, pk)
    case = obligation.case
    refused = _refuse_read_only(request, case)
    if refused:
        return refused
    form = forms.InstalmentsForm(request.POST or None, request.FILES or None,
                                 initial={"guarantee": obligation.guarantee})

    def save(data):
        schedule = form.schedule()
        if form.errors:
            return
        services.set_instalments(obligation, schedule=schedule, guarantee=data["guarantee"],
                                 guarantee_file=data.get("guarantee_file"), by=request.user)

    done = run_form(request, form, save, success="已同意分期缴纳。", success_url=_funds_url(case))
    return done or render_form(
        request, form, title=f"分期缴纳：{obligation}", case=case, back=_funds_url(case),
        template="restoration/instalments_form.html",
        intro="分期赔付须有赔偿义务人提供的有效担保（NT 三(九)；SX 第二十五条）；各期金额之和须等于应缴金额。")


@login_required
@permission_required(EXTEND, raise_exception=True)
def schedule_extend(request, pk):
    item = get_object_or_404(ScheduleItem.objects.filter(
        obligation__in=FundObligation.objects.workable_by(request.user)).select_related(
        "obligation__case", "obligation__obligor__party"), pk=pk)
    case = item.obligation.case
    refused = _refuse_read_only(request, case)
    if refused:
        return refused
    form = forms.ExtendForm(request.POST or None, request.FILES or None)
    done = run_form(request, form, lambda data: services.extend_item(
        item, due_on=data["due_on"], reason=data["reason"], guarantee=data.get("guarantee", ""),
        guarantee_file=data.get("guarantee_file"), by=request.user),
        success="已同意延期缴纳。", success_url=_funds_url(case))
    return done or render_form(request, form, title=f"延期缴纳：{item.obligation} {item}",
                               case=case, back=_funds_url(case),
                               intro=f"担保情况：{item.obligation.guarantee or '尚未登记'}")


@login_required
@permission_required(HANDLE, raise_exception=True)
def judgment_obligation(request, pk):
    case = _workable_case(request, pk)
    if case is None:
        return redirect(_funds_url(get_object_or_404(Case, pk=pk)))
    judgment = negotiation_services.effective_judgment(case)
    if judgment is None:
        messages.error(request, "本案没有生效判决。")
        return redirect(_funds_url(case))
    form = forms.JudgmentObligationForm(request.POST or None, case=case)
    done = run_form(request, form, lambda data: services.add_judgment_obligation(
        judgment, obligor=data["obligor"], kind=data["kind"], amount=data["amount"],
        due_on=data["due_on"], supersede_agreement=data["supersede_agreement"], by=request.user),
        success="已登记生效判决确定的赔偿资金。", success_url=_funds_url(case))
    return done or render_form(
        request, form, title="生效判决确定的赔偿资金", case=case, back=_funds_url(case),
        intro=f"{judgment.judgment_number}，判决赔偿金额{yuan_text(judgment.judgment_amount or '未登记')}。")


@login_required
@permission_required(HANDLE, raise_exception=True)
def case_pursue(request, pk):
    case = _workable_case(request, pk)
    if case is None:
        return redirect(_funds_url(get_object_or_404(Case, pk=pk)))
    route = services.enforcement_route(case)
    form = forms.PursueForm(request.POST or None)
    done = run_form(request, form, lambda data: services.pursue_default(
        case, note=data["note"], by=request.user),
        success="已转入强制执行程序。" if route == "enforcement" else "已转入诉讼程序。",
        success_url=case.get_absolute_url())
    title = "申请强制执行" if route == "enforcement" else "因未履行协议提起诉讼"
    return done or render_form(
        request, form, title=title, case=case, back=_funds_url(case),
        intro="协议经司法确认或判决已生效的，申请强制执行；未经司法确认的协议未履行的，提起诉讼"
              "（SX 第二十二条；NAT 十）。")


DEPOSIT_ACTIONS = {
    "receive": ("收取保证金", forms.DepositReceiveForm, "保证金已收取。"),
    "refund": ("退还保证金", forms.DepositRefundForm, "保证金已退还。"),
    "apply": ("使用保证金组织修复", forms.DepositApplyForm, "已使用保证金组织修复。"),
}


@login_required
@permission_required(HANDLE, raise_exception=True)
def deposit_action(request, pk, action):
    if action not in DEPOSIT_ACTIONS:
        raise Http404
    case = _workable_case(request, pk)
    if case is None:
        return redirect(_funds_url(get_object_or_404(Case, pk=pk)))
    title, form_class, success = DEPOSIT_ACTIONS[action]
    kwargs = {"case": case} if action == "apply" else {}
    form = form_class(request.POST or None, request.FILES or None, **kwargs)

    def run(data):
        if action == "receive":
            services.receive_deposit(case, on=data["on"], amount=data["amount"],
                                     reference=data["reference"], file=data.get("file"),
                                     by=request.user)
        elif action == "refund":
            services.refund_deposit(case, on=data["on"], reference=data["reference"],
                                    note=data.get("note", ""), by=request.user)
        else:
            services.apply_deposit(case, project=data["project"], cost=data["cost"],
                                   on=data["on"], note=data["note"], due_on=data.get("due_on"),
                                   by=request.user)

    done = run_form(request, form, run, success=success, success_url=_funds_url(case))
    deposit = Deposit.objects.filter(case=case).first()
    intro = (f"约定{yuan_text(deposit.agreed_amount)}，已收取{yuan_text(deposit.received)}，在管{yuan_text(deposit.held)}"
             "（NT 三(十一)）。") if deposit else "赔偿协议未约定修复保证金。"
    return done or render_form(request, form, title=title, case=case, back=_funds_url(case),
                               intro=intro)


# --- spending (NT 三(十一)) ---------------------------------------------------------------------

def _visible_spending(request, pk) -> SpendingRequest:
    if not request.user.has_perm("restoration.view_spendingrequest"):
        raise PermissionDenied("您没有查看资金使用申请的权限。")
    return get_object_or_404(SpendingRequest.objects.visible_to(request.user).select_related(
        "case__department", "account__treasury", "reviewing_department", "requested_by",
        "restoration_project", "alternative_project", "reviewed_by"), pk=pk)


def _workable_spending(request, pk) -> SpendingRequest:
    return get_object_or_404(SpendingRequest.objects.workable_by(request.user).select_related(
        "case", "account"), pk=pk)


@login_required
@permission_required(HANDLE, raise_exception=True)
def spending_edit(request, pk=None):
    """A new request on the case `pk`, or (with a request's pk on the edit URL) a draft or a
    returned one edited."""
    instance = None
    if request.resolver_match.url_name == "spending_edit":
        instance = get_object_or_404(SpendingRequest.objects.filter(
            case__in=Case.objects.workable_by(request.user)), pk=pk)
        case = instance.case
        if instance.state not in (SpendingRequest.State.DRAFT, SpendingRequest.State.RETURNED):
            messages.error(request, "已提交财政审核的申请不能修改。")
            return redirect(instance.get_absolute_url())
    else:
        case = get_object_or_404(Case.objects.workable_by(request.user), pk=pk)
    refused = _refuse_read_only(request, case)
    if refused:
        return refused
    initial = {}
    if instance is not None:
        initial = {"account": instance.account_id, "purpose_kind": instance.purpose_kind,
                   "restoration_project": instance.restoration_project_id,
                   "alternative_project": instance.alternative_project_id,
                   "purpose": instance.purpose, "budget": instance.budget}
    form = forms.SpendingForm(request.POST or None, request.FILES or None, case=case,
                              initial=initial)
    saved = []
    done = run_form(request, form, lambda data: saved.append(services.draft_spending(
        case, account=data["account"], purpose_kind=data["purpose_kind"], purpose=data["purpose"],
        budget=data["budget"], restoration_project=data.get("restoration_project"),
        alternative_project=data.get("alternative_project"),
        budget_file=data.get("budget_file"), request=instance, by=request.user)),
        success="资金使用申请已保存，请核对后提交财政审核。", success_url=_funds_url(case))
    if done:
        return redirect(saved[0].get_absolute_url())
    return render_form(request, form, title="资金使用申请", case=case, back=_funds_url(case),
                       intro="赔偿资金由办案部门编制支出预算，提出使用申请，经同级财政部门审核后按规定支出"
                             "（NT 三(十一)）。")


@login_required
def spending_detail(request, pk):
    spending = _visible_spending(request, pk)
    user = request.user
    case = spending.case
    officer = case.can_be_handled_by(user)
    account = spending.account
    return render(request, "restoration/spending_detail.html", {
        "spending": spending, "case": case, "account": account,
        "reserved": ledger.reserved(account), "available": ledger.available(account),
        "can_submit": officer and spending.state in ("draft", "returned"),
        "can_review": spending.state == "submitted" and finance_reviewer(spending, user),
        "can_pay": spending.state == "approved" and finance_payer(spending, user),
        "can_see_case": Case.objects.visible_to(user).filter(pk=case.pk).exists(),
        "review_form": forms.ReviewSpendingForm(initial={"approved_amount": spending.budget}),
        "pay_form": forms.PayOutForm(),
        "history": history(spending)[:100], "timeline_subject": str(spending),
    })


@login_required
@require_POST
@permission_required(HANDLE, raise_exception=True)
def spending_submit(request, pk):
    spending = _workable_spending(request, pk)
    if not spending.case.is_workable_by(request.user):
        raise PermissionDenied("只有办案部门可以提交资金使用申请。")
    try:
        services.submit_spending(spending, by=request.user,
                                 seen_state=request.POST.get("seen_state") or None)
    except TransitionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    except TransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已提交{spending.reviewing_department}审核。")
    return redirect(spending.get_absolute_url())


def _finance_form(request, pk, form_class, check):
    spending = _workable_spending(request, pk)
    if not check(spending, request.user):
        raise PermissionDenied("只有申请所送的财政部门可以审核或支付。")
    return spending, form_class(request.POST or None)


@login_required
@permission_required("restoration.review_spending", raise_exception=True)
def spending_review(request, pk):
    spending, form = _finance_form(request, pk, forms.ReviewSpendingForm, finance_reviewer)
    done = run_form(request, form, lambda data: services.review_spending(
        spending, approve=data["decision"] == "approve", opinion=data["opinion"],
        approved_amount=data.get("approved_amount"), by=request.user,
        seen_state=request.POST.get("seen_state") or None),
        success="审核结果已登记。", success_url=spending.get_absolute_url())
    return done or render_form(request, form, title=f"审核：{spending}", case=spending.case,
                               back=spending.get_absolute_url(), seen_state=spending.state,
                               hide_case=True)


@login_required
@permission_required("restoration.pay_spending", raise_exception=True)
def spending_pay(request, pk):
    spending, form = _finance_form(request, pk, forms.PayOutForm, finance_payer)
    done = run_form(request, form, lambda data: services.pay_spending(
        spending, paid_on=data["paid_on"], voucher_number=data["voucher_number"],
        by=request.user, seen_state=request.POST.get("seen_state") or None),
        success="支付已登记，已计入资金账户的支出。", success_url=spending.get_absolute_url())
    return done or render_form(request, form, title=f"登记支付：{spending}", case=spending.case,
                               back=spending.get_absolute_url(), seen_state=spending.state,
                               hide_case=True)


@login_required
@permission_required("restoration.review_spending", raise_exception=True)
def finance_inbox(request):
    department: Department | None = request.user.department
    if department is None:
        raise PermissionDenied
    requests = SpendingRequest.objects.filter(reviewing_department=department).select_related(
        "case__department", "account__treasury", "requested_by")
    state = request.GET.get("state", "submitted")
    if state in SpendingRequest.State.values:
        requests = requests.filter(state=state)
    page = keyset_page(requests, key="id", after=request.GET.get("after"),
                       before=request.GET.get("before"))
    return render(request, "restoration/finance_inbox.html", {
        "page": page, "state": state, "states": SpendingRequest.State.choices,
        "query": request.GET.copy()})
