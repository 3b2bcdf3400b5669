"""The pages of a negotiation round (磋商; CQ 七; NAT 六; SX 第十七–二十条): the round page and
the forms of its steps — plan and 磋商告知书 (form [4]), issuing it, service, reply, meetings,
more meetings, early restoration, failure. Every operation runs through negotiation/services.py;
the views fetch within the user's scope (404), check the role (403) and the state (redirect
with a message), and show the services' refusals next to the fields."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from rules.calendar import cn_date
from workflow.approvals import requests_of
from workflow.deadlines import deadlines_of
from workflow.http import workable_or_refuse

from . import failure, services
from .forms import (
    AuthorisationForm,
    EarlyRestorationForm,
    FailureForm,
    MeetingForm,
    MoreMeetingsForm,
    OverrunForm,
    PlanForm,
    ReplyForm,
    ServiceForm,
)
from .models import Meeting, Negotiation
from .next_steps import (
    EARLY_RESTORATION_STATES,
    FAILABLE_STATES,
    SERVICE_STATES,
    meeting_block,
    round_actions,
)
from .views_common import SERVICE_ERRORS, for_action, option, refuse, run, show_errors

State = Negotiation.State

ROUNDS = Negotiation.objects.select_related("case__department", "case__rule_profile__rule_set")


def _round(request, pk, *states):
    return workable_or_refuse(request, ROUNDS, pk, *states)


def _going_on(request, pk, *states):
    """A round for a step that continues the negotiation: refused (back to the round page,
    which offers 磋商不成 and the approval) once the 90 days ran out without the division
    head's approval (NAT 六; CQ 七(一); SX 第十八条; CQ 七(三)6; SX 第十九条(六))."""
    negotiation, refused = _round(request, pk, *states)
    if refused is None:
        block = negotiation.overrun_block()
        if block:
            refused = refuse(request, negotiation, block)
    return negotiation, refused


def _form_page(request, negotiation, form, *, title, intro="", submit="保存", template=None,
               extra=None):
    return render(request, template or "negotiation/form.html", {
        "negotiation": negotiation, "record": negotiation, "case": negotiation.case,
        "form": form, "title": title,
        "intro": intro, "submit": submit, "back": negotiation.get_absolute_url(),
        "seen_state": negotiation.state, **(extra or {}),
    })


def _late_entry(negotiation, what: str) -> str:
    """The form of a dated step after the 90 days: only one dated within the period."""
    expired = negotiation.period_expiry() if negotiation.overrun_block() else None
    if expired is None:
        return ""
    return (f"磋商期限已于{cn_date(expired)}届满，未经机构负责人批准继续磋商的，只能补登该日以前的"
            f"{what}。")


@login_required
@permission_required("negotiation.view_negotiation", raise_exception=True)
def negotiation_detail(request, pk):
    negotiation = get_object_or_404(
        Negotiation.objects.visible_to(request.user).select_related(
            "case__department", "case__rule_profile__rule_set", "created_by",
            "facts_confirmation", "early_restoration_allowed_by"), pk=pk)
    case = negotiation.case
    handle = case.can_be_handled_by(request.user)
    attempts = list(negotiation.service_attempts.select_related("proof", "recorded_by"))
    service = [{"obligor": o, "attempts": [a for a in attempts if a.obligor_id == o.pk],
                "served": any(a.succeeded for a in attempts if a.obligor_id == o.pk)}
               for o in negotiation.obligors().order_by("id")]
    meetings = list(negotiation.meetings.select_related("agent_authorisation", "minutes_file",
                                                        "recorded_by"))
    state = negotiation.state
    expired_on = negotiation.period_expiry()
    # Past the 90 days without the division head's approval nothing continues the round: the
    # page offers 磋商不成 (reason 6) and the approval instead.
    overrun = negotiation.overrun_block() if expired_on else ""
    actions = {}
    if handle:
        actions = {**round_actions(negotiation, request.user, overrun),
                   "authorisation_form": AuthorisationForm()}
    return render(request, "negotiation/negotiation_detail.html", {
        "negotiation": negotiation, "case": case, "can_handle": handle,
        "rounds": case.negotiations.order_by("round_number"),
        "service": service, "meetings": meetings,
        "meeting_limit": negotiation.meeting_limit(),
        "meetings_held": sum(1 for m in meetings if m.counts),
        "deadlines": deadlines_of(negotiation),
        "approvals": requests_of(negotiation),
        "period_expired_on": expired_on,
        "overrun_block": overrun,
        "agreements": negotiation.agreements.order_by("version"),
        "litigations": (case.litigations.order_by("-pk") if state == State.FAILED else []),
        "actions": actions,
    })


@login_required
@permission_required("cases.handle_case", raise_exception=True)
def negotiation_plan(request, pk):
    """磋商方案 (NT 三(七)) and 磋商告知书 (form [4]); saved whole or not at all."""
    negotiation, refused = _round(request, pk, State.PREPARING)
    if refused:
        return refused
    form = PlanForm(request.POST or None, instance=negotiation)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            if form.cleaned_data["procuratorate_invited"]:
                services.invite_procuratorate(
                    negotiation, procuratorate=form.cleaned_data["invited_procuratorate"],
                    by=request.user)
        messages.success(request, "磋商方案和磋商告知书已保存。")
        return redirect(negotiation.get_absolute_url())
    return _form_page(request, negotiation, form, title="磋商方案和磋商告知书", extra={
        "groups": [("磋商方案（NT 三(七)）", form.plan_fields()),
                   ("磋商告知书（示范文本[4]）", form.notice_fields())]})


@login_required
@require_POST
@permission_required("cases.handle_case", raise_exception=True)
def negotiation_issue(request, pk):
    negotiation, refused = for_action(request, ROUNDS, pk)
    if refused:
        return refused
    run(request, lambda: services.issue_notice(
        negotiation, by=request.user, seen_state=request.POST.get("seen_state") or None),
        success="磋商告知书已制发，请登记送达情况。")
    return redirect(negotiation.get_absolute_url())


@login_required
@permission_required("cases.handle_case", raise_exception=True)
def negotiation_service(request, pk):
    """One attempt to serve the notice; the first success starts the 90 days."""
    negotiation, refused = _round(request, pk, *SERVICE_STATES)
    if refused:
        return refused
    form = ServiceForm(request.POST or None, request.FILES or None, negotiation=negotiation)
    if request.method == "POST" and form.is_valid():
        try:
            attempt = services.record_service(negotiation, by=request.user,
                                              **form.service_kwargs())
        except SERVICE_ERRORS as exc:
            show_errors(form, exc)
        else:
            after = Negotiation.objects.get(pk=negotiation.pk)
            text = f"已登记送达：{attempt}。"
            if negotiation.served_on is None and after.served_on:
                text += f"磋商期限自{cn_date(after.served_on)}（送达之日）起算。"
            messages.success(request, text)
            return redirect(negotiation.get_absolute_url())
    return _form_page(request, negotiation, form, title="登记送达磋商告知书",
                      intro="每次送达均须登记；首次成功送达之日起计算磋商期限（SX 第十八条）。"
                            + _late_entry(negotiation, "送达"),
                      submit="登记送达")


@login_required
@permission_required("cases.handle_case", raise_exception=True)
def negotiation_reply(request, pk):
    negotiation, refused = _round(request, pk, State.AWAITING_REPLY)
    if refused:
        return refused
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_reply(negotiation, reply=data["reply"],
                                  replied_on=data["replied_on"], note=data["note"],
                                  by=request.user)
        except SERVICE_ERRORS as exc:
            show_errors(form, exc)
        else:
            if data["reply"] == Negotiation.Reply.AGREED:
                messages.success(request, "已登记答复：赔偿义务人同意磋商，可以登记磋商会议。")
            else:
                messages.warning(request, "赔偿义务人拒绝磋商，本轮磋商不成，案件已转入诉讼"
                                          "（CQ 七(三)；SX 第十九条）。")
            return redirect(negotiation.get_absolute_url())
    return _form_page(request, negotiation, form, title="登记赔偿义务人答复意见",
                      intro="拒绝磋商的，本轮磋商不成，案件即转入诉讼。", submit="登记答复")


@login_required
@permission_required("cases.handle_case", raise_exception=True)
def negotiation_meeting(request, pk):
    negotiation, refused = _round(request, pk, State.IN_PROGRESS)
    if refused:
        return refused
    form = MeetingForm(request.POST or None, request.FILES or None, negotiation=negotiation)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.record_meeting(negotiation, by=request.user,
                                              **form.service_kwargs())
        except SERVICE_ERRORS as exc:
            show_errors(form, exc)
        else:
            text = f"{meeting}已登记。"
            if meeting.awaiting_authorisation:
                text += "委托代理人的授权委托书尚未上传，该次会议暂不计入会议次数。"
            messages.success(request, text)
            return redirect(negotiation.get_absolute_url())
    limit = negotiation.meeting_limit()
    intro = (f"已召开并计入次数的磋商会议{negotiation.meetings_held()}次"
             + (f"，上限{limit}次。" if limit is not None else "。"))
    block = meeting_block(negotiation)
    return _form_page(request, negotiation, form, title="登记磋商会议",
                      intro=f"{intro}{block}{_late_entry(negotiation, '会议')}",
                      submit="登记会议")


@login_required
@require_POST
@permission_required("cases.handle_case", raise_exception=True)
def meeting_authorisation(request, pk):
    """The agent's written authorisation, uploaded after the meeting (ZJ)."""
    meeting = get_object_or_404(
        Meeting.objects.filter(negotiation__in=Negotiation.objects.workable_by(request.user))
        .select_related("negotiation__case"), pk=pk)
    negotiation = meeting.negotiation
    if negotiation.is_read_only:
        messages.error(request, f"磋商处于“{negotiation.get_state_display()}”状态，不能办理此事项。")
        return redirect(negotiation.get_absolute_url())
    form = AuthorisationForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(negotiation.get_absolute_url())
    run(request, lambda: services.add_agent_authorisation(
        meeting, form.cleaned_data["file"], by=request.user),
        success=f"{meeting}的授权委托书已上传，该次会议计入会议次数。")
    return redirect(negotiation.get_absolute_url())


@login_required
@permission_required("cases.handle_case", raise_exception=True)
def negotiation_more_meetings(request, pk):
    """A meeting beyond the limit, with the heads' consent (CQ 七(一); SX 第十八条)."""
    negotiation, refused = _going_on(request, pk, State.IN_PROGRESS)
    if refused:
        return refused
    form = MoreMeetingsForm(request.POST or None)
    available = option(negotiation, "request_more_meetings", request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_more_meetings(negotiation, reason=form.cleaned_data["reason"],
                                           by=request.user,
                                           seen_state=request.POST.get("seen_state") or None)
        except SERVICE_ERRORS as exc:
            show_errors(form, exc)
        else:
            messages.success(request, "增加磋商会议的申请已提交机构负责人、部门负责人审批。")
            return redirect(negotiation.get_absolute_url())
    return _form_page(request, negotiation, form, title="申请增加磋商会议次数",
                      intro="磋商会议达到次数上限的，案情重大复杂的经部门负责人同意可以增加会议次数。",
                      submit="提交审批", extra={"unmet": available.unmet if available else []})


@login_required
@permission_required("cases.handle_case", raise_exception=True)
def negotiation_overrun(request, pk):
    """Going on past the 90 days, with the division head's approval and a reason (NAT 六;
    CQ 七(一); SX 第十八条: 原则上不超过90日)."""
    negotiation, refused = _round(request, pk, State.AWAITING_REPLY, State.IN_PROGRESS)
    if refused:
        return refused
    form = OverrunForm(request.POST or None)
    available = option(negotiation, "request_overrun", request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_overrun(negotiation, reason=form.cleaned_data["reason"],
                                     by=request.user,
                                     seen_state=request.POST.get("seen_state") or None)
        except SERVICE_ERRORS as exc:
            show_errors(form, exc)
        else:
            messages.success(request, "超期继续磋商的申请已提交机构负责人审批。")
            return redirect(negotiation.get_absolute_url())
    expired_on = negotiation.period_expiry()
    intro = (f"磋商期限已于{cn_date(expired_on)}届满。" if expired_on else "") + \
        ("磋商期限届满后确需继续磋商的（如即将达成协议），写明理由报机构负责人批准。"
         "未经批准的，应当确认磋商不成并及时提起诉讼（CQ 七(三)6；SX 第十九条(六)）。")
    return _form_page(request, negotiation, form, title="申请超期继续磋商", intro=intro,
                      submit="提交机构负责人审批",
                      extra={"unmet": available.unmet if available else []})


@login_required
@permission_required("cases.handle_case", raise_exception=True)
def negotiation_early_restoration(request, pk):
    """Restoration before the agreement (CQ 十三; SX 第三十条)."""
    negotiation, refused = _going_on(request, pk, *EARLY_RESTORATION_STATES)
    if refused:
        return refused
    form = EarlyRestorationForm(request.POST or None, request.FILES or None,
                                negotiation=negotiation)
    if request.method == "POST" and form.is_valid():
        try:
            services.allow_early_restoration(
                negotiation, requested_on=form.cleaned_data["requested_on"],
                confirmation=form.cleaned_data.get("confirmation") or None, by=request.user)
        except SERVICE_ERRORS as exc:
            show_errors(form, exc)
        else:
            messages.success(request, "已同意赔偿义务人先行修复；赔偿协议须包含修复要求。")
            return redirect(negotiation.get_absolute_url())
    return _form_page(request, negotiation, form, title="同意先行修复",
                      intro="赔偿义务人申请在签订协议前先行修复的，双方书面确认损害事实后可以同意；"
                            "协议中须载明修复要求（CQ 十三；SX 第三十条）。",
                      submit="同意先行修复")


@login_required
@permission_required("cases.handle_case", raise_exception=True)
def negotiation_fail(request, pk):
    """磋商不成 with one of the seven reasons, each checked against the facts; the case goes to
    litigation at once (CQ 七(三); SX 第十九条)."""
    negotiation, refused = _round(request, pk, *FAILABLE_STATES)
    if refused:
        return refused
    reasons = failure.assessment(negotiation)
    initial = {}
    if request.GET.get("reason") in Negotiation.Failure.values:
        initial["reason"] = request.GET["reason"]
    elif not any(r["code"] == Negotiation.Failure.EXPIRED and r["problem"] for r in reasons):
        initial["reason"] = Negotiation.Failure.EXPIRED  # the 90 days passed: reason 6
    form = FailureForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            litigation = services.fail_negotiation(
                negotiation, reason=form.cleaned_data["reason"], note=form.cleaned_data["note"],
                by=request.user, seen_state=request.POST.get("seen_state") or None)
        except SERVICE_ERRORS as exc:
            show_errors(form, exc)
        else:
            messages.warning(request, "本轮磋商不成，案件已转入诉讼（避免久磋不决），请登记起诉情况。")
            return redirect(litigation.get_absolute_url())
    return _form_page(request, negotiation, form, title="磋商不成",
                      template="negotiation/failure_form.html", submit="确认磋商不成",
                      extra={"reasons": reasons})


@login_required
@require_POST
@permission_required("cases.handle_case", raise_exception=True)
def negotiation_draft_agreement(request, pk):
    negotiation, refused = for_action(request, ROUNDS, pk)
    if refused:
        return refused
    agreement = run(request, lambda: services.draft_agreement(negotiation, by=request.user))
    if agreement is None:
        return redirect(negotiation.get_absolute_url())
    return redirect("negotiation:agreement_edit", agreement.pk)
