"""The court pages: judicial confirmation of the agreement (form [6]; CQ 八; NAT 七; SX 第二十一条),
litigation (SX 第十九条、第二十二条), enforcement (form [7]; NAT 十) and the report of an obligor's
performance (CQ 七(四))."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cases.models import Case
from workflow.attachments import attach
from workflow.http import workable_or_refuse
from workflow.models import Attachment

from . import services
from .forms import (
    ConfirmationForm,
    EnforcementForm,
    LitigationForm,
    NoteForm,
    PerformanceReportForm,
    RulingForm,
)
from .models import Enforcement, JudicialConfirmation, Litigation, Negotiation
from .views_common import (
    REPORT_STAGES,
    SERVICE_ERRORS,
    case_for_action,
    for_action,
    option,
    options,
    run,
    show_errors,
)

CONFIRMATIONS = JudicialConfirmation.objects.select_related(
    "case__department", "agreement", "agreement_file", "appraisal_report", "created_by")
LITIGATIONS = Litigation.objects.select_related("case__department", "created_by")
ENFORCEMENTS = Enforcement.objects.select_related(
    "case__department", "confirmation__agreement", "litigation", "created_by")

# The steps of a litigation from each state (services.advance_litigation).
LITIGATION_STEPS = {
    Litigation.State.PREPARING: ["file"],
    Litigation.State.FILED: ["judge"],
    Litigation.State.JUDGED: ["appeal", "take_effect"],
    Litigation.State.APPEALED: ["take_effect"],
}
STEP_MESSAGES = {
    "file": "已登记法院立案，判决后请登记一审判决。",
    "judge": "已登记一审判决；上诉的，请登记上诉，判决生效后登记生效。",
    "appeal": "已登记上诉，判决生效后请登记生效。",
    "take_effect": "判决已生效，案件进入履行阶段；未履行的，可以申请强制执行。",
}


def _page(request, template, record, form, *, title, intro="", submit="保存", extra=None):
    return render(request, template, {
        "record": record, "case": record.case, "form": form, "title": title, "intro": intro,
        "submit": submit, "back": record.get_absolute_url(), **(extra or {}),
    })


# --- judicial confirmation -------------------------------------------------------------------

@login_required
@require_POST
@permission_required("cases.handle_case", raise_exception=True)
def confirmation_start(request, pk):
    case, refused = case_for_action(request, pk)
    if refused:
        return refused
    confirmation = run(request, lambda: services.start_confirmation(case, by=request.user),
                       success="已开始准备司法确认申请，请填写受理法院并上传材料。")
    if confirmation is None:
        return redirect(case.get_absolute_url())
    return redirect("negotiation:confirmation_edit", confirmation.pk)


@login_required
@permission_required("negotiation.view_judicialconfirmation", raise_exception=True)
def confirmation_detail(request, pk):
    confirmation = get_object_or_404(CONFIRMATIONS.visible_to(request.user), pk=pk)
    case = confirmation.case
    handle = case.can_be_handled_by(request.user)
    followed = {}
    if confirmation.state == JudicialConfirmation.State.REFUSED:
        followed = {
            "rounds": case.negotiations.filter(kind=Negotiation.Kind.RENEGOTIATION),
            "litigations": case.litigations.filter(
                origin=Litigation.Origin.CONFIRMATION_REFUSED_AGAIN),
        }
    return render(request, "negotiation/confirmation_detail.html", {
        "confirmation": confirmation, "case": case, "can_handle": handle,
        "file_option": option(confirmation, "file", request.user) if handle else None,
        "followed": followed,
    })


def _appraisal_reports(confirmation):
    case = confirmation.case
    reports = Q(pk__in=case.appraisals.filter(report__isnull=False).values("report"))
    if confirmation.appraisal_report_id:
        reports |= Q(pk=confirmation.appraisal_report_id)
    return Attachment.objects.filter(reports).order_by("-pk")


@login_required
@permission_required("cases.handle_case", raise_exception=True)
def confirmation_edit(request, pk):
    """司法确认申请书 (form [6]): the court, the date and the documents attached (NAT 七)."""
    confirmation, refused = workable_or_refuse(request, CONFIRMATIONS, pk,
                                               JudicialConfirmation.State.PREPARING)
    if refused:
        return refused
    form = ConfirmationForm(request.POST or None, request.FILES or None,
                            confirmation=confirmation, reports=_appraisal_reports(confirmation))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            confirmation.court = data["court"]
            confirmation.applied_on = data["applied_on"]
            if data.get("agreement_file"):
                confirmation.agreement_file = attach(confirmation, data["agreement_file"],
                                                     by=request.user, kind="赔偿协议")
            if data.get("appraisal_file"):
                confirmation.appraisal_report = attach(
                    confirmation, data["appraisal_file"], by=request.user,
                    kind="鉴定评估报告或专家意见")
            else:
                confirmation.appraisal_report = data.get("appraisal_report")
            confirmation.save()
        messages.success(request, "司法确认申请材料已保存。")
        return redirect(confirmation.get_absolute_url())
    return _page(request, "negotiation/form.html", confirmation, form,
                 title="司法确认申请", submit="保存申请材料",
                 intro="向有管辖权的人民法院申请司法确认，须附赔偿协议和鉴定评估报告或专家意见（NAT 七）。")


@login_required
@require_POST
@permission_required("cases.handle_case", raise_exception=True)
def confirmation_file(request, pk):
    confirmation, refused = for_action(request, CONFIRMATIONS, pk)
    if refused:
        return refused
    run(request, lambda: services.file_confirmation(
        confirmation, by=request.user, seen_state=request.POST.get("seen_state") or None),
        success="司法确认申请已提交，案件进入“司法确认中”。")
    return redirect(confirmation.get_absolute_url())


@login_required
@permission_required("cases.handle_case", raise_exception=True)
def confirmation_ruling(request, pk):
    confirmation, refused = workable_or_refuse(request, CONFIRMATIONS, pk,
                                               JudicialConfirmation.State.FILED)
    if refused:
        return refused
    form = RulingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        case = confirmation.case
        rounds = case.negotiations.count()
        try:
            services.record_ruling(confirmation, confirmed=data["result"],
                                   ruling_number=data["ruling_number"],
                                   ruling_date=data["ruling_date"],
                                   refusal_reason=data["refusal_reason"], by=request.user)
        except SERVICE_ERRORS as exc:
            show_errors(form, exc)
        else:
            if data["result"]:
                messages.success(request, f"法院已裁定确认赔偿协议有效（{data['ruling_number']}），"
                                          "案件回到履行阶段；协议未履行的，可以申请强制执行。")
                return redirect(confirmation.get_absolute_url())
            new_round = case.negotiations.order_by("-round_number").first() \
                if case.negotiations.count() > rounds else None
            if new_round is not None:
                messages.warning(request, f"法院裁定不予确认。已开启第{new_round.round_number}轮磋商"
                                          "（不予司法确认后重新磋商，只能进行一次），请核实后重新磋商。")
                return redirect(new_round.get_absolute_url())
            litigation = case.litigations.order_by("-pk").first()
            messages.warning(request, "重新磋商后法院仍不予确认，案件已转入诉讼（CQ 八；SX 第二十一条）。")
            return redirect(litigation.get_absolute_url() if litigation
                            else confirmation.get_absolute_url())
    return _page(request, "negotiation/form.html", confirmation, form,
                 title="登记司法确认裁定", submit="登记裁定",
                 intro="裁定不予确认的，可以核实后重新磋商一次；重新磋商不成或再次不予确认的，应当提起诉讼。")


# --- litigation ------------------------------------------------------------------------------

@login_required
@permission_required("cases.handle_case", raise_exception=True)
def litigation_start(request, pk):
    """An agreement not confirmed by a court and not performed → litigation (SX 第二十二条)."""
    case, refused = case_for_action(request, pk, Case.Stage.PERFORMING)
    if refused:
        return refused
    form = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            litigation = services.sue_for_nonperformance(case, note=form.cleaned_data["note"],
                                                         by=request.user)
        except SERVICE_ERRORS as exc:
            show_errors(form, exc)
        else:
            messages.success(request, "案件已转入诉讼，请登记起诉和立案情况。")
            return redirect(litigation.get_absolute_url())
    return render(request, "negotiation/form.html", {
        "case": case, "form": form, "title": "协议未履行，提起诉讼", "submit": "提起诉讼",
        "back": case.get_absolute_url(),
        "intro": "未经司法确认的赔偿协议，赔偿义务人不履行或不完全履行的，可以就赔偿协议提起诉讼"
                 "（SX 第二十二条）。"})


@login_required
@permission_required("negotiation.view_litigation", raise_exception=True)
def litigation_detail(request, pk):
    litigation = get_object_or_404(LITIGATIONS.visible_to(request.user), pk=pk)
    handle = litigation.case.can_be_handled_by(request.user)
    steps = options(litigation, LITIGATION_STEPS.get(litigation.state, []), request.user) \
        if handle else []
    return render(request, "negotiation/litigation_detail.html", {
        "litigation": litigation, "case": litigation.case, "can_handle": handle,
        "steps": steps,
        "editable": handle and litigation.state != Litigation.State.EFFECTIVE,
        "enforcements": litigation.enforcements.order_by("pk"),
    })


@login_required
@permission_required("cases.handle_case", raise_exception=True)
def litigation_edit(request, pk):
    litigation, refused = workable_or_refuse(request, LITIGATIONS, pk, *LITIGATION_STEPS)
    if refused:
        return refused
    form = LitigationForm(request.POST or None, instance=litigation)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "诉讼情况已保存。")
        return redirect(litigation.get_absolute_url())
    return _page(request, "negotiation/form.html", litigation, form,
                 title="登记诉讼情况", submit="保存", extra={"groups": form.groups()})


@login_required
@require_POST
@permission_required("cases.handle_case", raise_exception=True)
def litigation_step(request, pk):
    litigation, refused = for_action(request, LITIGATIONS, pk)
    if refused:
        return refused
    step = request.POST.get("step", "")
    run(request, lambda: services.advance_litigation(
        litigation, step, by=request.user, seen_state=request.POST.get("seen_state") or None),
        success=STEP_MESSAGES.get(step, "诉讼情况已登记。"))
    return redirect(litigation.get_absolute_url())


# --- enforcement -----------------------------------------------------------------------------

@login_required
@require_POST
@permission_required("cases.handle_case", raise_exception=True)
def enforcement_start(request, pk):
    case, refused = case_for_action(request, pk)
    if refused:
        return refused
    enforcement = run(request, lambda: services.start_enforcement(case, by=request.user),
                      success="已开始准备强制执行申请，请填写强制执行申请书的内容。")
    if enforcement is None:
        return redirect(case.get_absolute_url())
    return redirect("negotiation:enforcement_edit", enforcement.pk)


@login_required
@permission_required("negotiation.view_enforcement", raise_exception=True)
def enforcement_detail(request, pk):
    enforcement = get_object_or_404(ENFORCEMENTS.visible_to(request.user), pk=pk)
    handle = enforcement.case.can_be_handled_by(request.user)
    return render(request, "negotiation/enforcement_detail.html", {
        "enforcement": enforcement, "case": enforcement.case, "can_handle": handle,
        "respondents": enforcement.respondents.select_related("party").order_by("id"),
        "steps": options(enforcement, ["apply", "conclude"], request.user) if handle else [],
        "editable": handle and enforcement.state != Enforcement.State.CONCLUDED,
    })


@login_required
@permission_required("cases.handle_case", raise_exception=True)
def enforcement_edit(request, pk):
    """强制执行申请书 (form [7]) and what followed: the procuratorate told, the obligor listed as
    失信被执行人, the credit-system report, the result (SX 第三十三条; NAT 十)."""
    enforcement, refused = workable_or_refuse(request, ENFORCEMENTS, pk,
                                              Enforcement.State.PREPARING,
                                              Enforcement.State.APPLIED)
    if refused:
        return refused
    form = EnforcementForm(request.POST or None, instance=enforcement)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
        messages.success(request, "强制执行情况已保存。")
        return redirect(enforcement.get_absolute_url())
    return _page(request, "negotiation/form.html", enforcement, form,
                 title="强制执行", submit="保存", extra={"groups": form.groups()})


@login_required
@require_POST
@permission_required("cases.handle_case", raise_exception=True)
def enforcement_apply(request, pk):
    enforcement, refused = for_action(request, ENFORCEMENTS, pk)
    if refused:
        return refused
    run(request, lambda: services.apply_enforcement(
        enforcement, by=request.user, seen_state=request.POST.get("seen_state") or None),
        success="已申请强制执行，案件进入“强制执行”。")
    return redirect(enforcement.get_absolute_url())


@login_required
@require_POST
@permission_required("cases.handle_case", raise_exception=True)
def enforcement_conclude(request, pk):
    enforcement, refused = for_action(request, ENFORCEMENTS, pk)
    if refused:
        return refused
    run(request, lambda: services.conclude_enforcement(
        enforcement, by=request.user, seen_state=request.POST.get("seen_state") or None),
        success="强制执行已终结，案件回到履行阶段。")
    return redirect(enforcement.get_absolute_url())


# --- 鼓励履责 (CQ 七(四); NAT 八) ------------------------------------------------------------

@login_required
@permission_required("cases.handle_case", raise_exception=True)
def performance_report(request, pk):
    """The obligor's performance reported to an administrative or judicial organ."""
    case, refused = case_for_action(request, pk, *REPORT_STAGES)
    if refused:
        return refused
    form = PerformanceReportForm(request.POST or None, request.FILES or None, case=case)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            report = form.save(commit=False)
            report.case, report.recorded_by = case, request.user
            report.save()
            if form.cleaned_data.get("file"):
                report.file = attach(report, form.cleaned_data["file"], by=request.user,
                                     kind="履责情况报送")
                report.save()
        messages.success(request, f"已登记：{report}。")
        return redirect(f"{case.get_absolute_url()}#negotiation")
    return render(request, "negotiation/form.html", {
        "case": case, "form": form, "title": "登记履责情况报送", "submit": "登记",
        "back": case.get_absolute_url(),
        "intro": "赔偿义务人积极履行义务的，可以将其履责情况报送行政机关或司法机关，"
                 "作为从轻、减轻处罚等的考量（CQ 七(四)）。"})
