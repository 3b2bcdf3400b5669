from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from workflow import approvals
from workflow.approvals import requests_of
from workflow.attachments import AttachmentForm, attach, attachments_of
from workflow.audit import history
from workflow.deadlines import deadlines_of
from workflow.http import transition_from_post, workable_or_refuse
from workflow.pagination import keyset_page
from workflow.sorting import Sorting
from workflow.transitions import TransitionError, options_for

from .forms import (
    ClueFilterForm,
    ClueForm,
    FeedbackForm,
    NotStartForm,
    ReferralForm,
)
from .models import Clue, Referral
from .rows import clue_rows
from .services import receive_referral, record_feedback, refer_clue, register_clue
from .trivial import assess

OPEN_STATES = (Clue.State.REGISTERED, Clue.State.VERIFYING, Clue.State.AWAITING_APPROVAL)
# Sortable columns: non-null and indexed (clue_keyset, the unique number), for keyset pages.
CLUE_SORTS = {"number": "线索编号", "registered_on": "登记日期"}
# what the list's rows (rows.py) and its sort keys read; not the long texts
LIST_FIELDS = ("number", "registered_on", "damage_type", "place_detail", "state", "department",
               "channel", "place")


@login_required
@permission_required("screening.view_clue", raise_exception=True)
def clue_list(request):
    filters = ClueFilterForm(request.GET or None)
    clues = filters.apply(
        Clue.objects.visible_to(request.user)
        .select_related("department", "channel", "place").only(*LIST_FIELDS)
    )
    sorting = Sorting(request, CLUE_SORTS, default="-registered_on")
    page = keyset_page(clues, key=sorting.key, descending=sorting.descending,
                       after=request.GET.get("after"), before=request.GET.get("before"))
    return render(request, "screening/clue_list.html", {
        "page": page, "rows": clue_rows(page), "filters": filters, "sorting": sorting,
        "can_add": request.user.has_perm("screening.add_clue") and request.user.department,
        "query": request.GET.copy(),
    })


@login_required
@permission_required("screening.add_clue", raise_exception=True)
def clue_create(request):
    department = request.user.handling_department
    if department is None:
        return render(request, "403.html", status=403)
    form = ClueForm(request.POST or None, department=department)
    if request.method == "POST" and form.is_valid():
        clue = form.save(commit=False)
        clue.jurisdiction = department.jurisdiction
        clue.department = department
        register_clue(clue, by=request.user,
                      obligors=form.cleaned_data["obligor_codes"])
        messages.success(request, f"线索 {clue.number} 已登记。下一步：开始初步核查。")
        return redirect("screening:clue_detail", pk=clue.pk)
    return render(request, "screening/clue_form.html", {"form": form, "clue": None})


@login_required
@permission_required("screening.change_clue", raise_exception=True)
def clue_edit(request, pk):
    clue = get_object_or_404(Clue.objects.workable_by(request.user), pk=pk)
    if clue.state not in (Clue.State.REGISTERED, Clue.State.VERIFYING):
        messages.error(request, f"线索处于“{clue.get_state_display()}”状态，不能再修改。")
        return redirect("screening:clue_detail", pk=clue.pk)
    form = ClueForm(request.POST or None, instance=clue, department=clue.department)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "线索已保存。")
        return redirect("screening:clue_detail", pk=clue.pk)
    return render(request, "screening/clue_form.html", {"form": form, "clue": clue})


def _detail_context(request, clue, **extra):
    workable = Clue.objects.workable_by(request.user).filter(pk=clue.pk).exists()
    context = {
        "clue": clue,
        "attachments": attachments_of(clue),
        "history": history(clue)[:200],
        "transitions": options_for(clue, request.user) if workable else [],
        "can_edit": workable and request.user.has_perm("screening.change_clue"),
        "can_handle": workable and request.user.has_perm("screening.handle_clue"),
        "attachment_form": AttachmentForm(),
        "approvals": requests_of(clue),
        "referrals": clue.referrals.select_related("to_department", "received_clue"),
        "received_from": Referral.objects.filter(received_clue=clue)
                                         .select_related("clue", "from_department").first(),
        "feedbacks": clue.feedbacks.select_related("attachment"),
        "cases": clue.cases.all(),
        "deadlines": deadlines_of(clue),
        "assessment": assess(clue) if clue.state in OPEN_STATES else None,
    }
    context.update(extra)
    return context


@login_required
@permission_required("screening.view_clue", raise_exception=True)
def clue_detail(request, pk):
    clue = get_object_or_404(
        Clue.objects.visible_to(request.user).select_related(
            "department", "jurisdiction", "channel", "place", "registered_by",
            "referring_procuratorate", "rule_profile__rule_set"),
        pk=pk,
    )
    return render(request, "screening/clue_detail.html", _detail_context(request, clue))


@login_required
@require_POST
@permission_required("screening.handle_clue", raise_exception=True)
def clue_transition(request, pk):
    clue = get_object_or_404(Clue.objects.workable_by(request.user), pk=pk)
    return transition_from_post(request, clue, success_url=clue.get_absolute_url())


@login_required
@require_POST
@permission_required("screening.change_clue", raise_exception=True)
def clue_attach(request, pk):
    clue = get_object_or_404(Clue.objects.workable_by(request.user), pk=pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        attach(clue, form.cleaned_data["file"], by=request.user, kind="证据材料",
               description=form.cleaned_data["description"])
        messages.success(request, "材料已上传。")
        return redirect(clue.get_absolute_url())
    return render(request, "screening/clue_detail.html",
                  _detail_context(request, clue, attachment_form=form), status=400)


def _workable_clue(request, pk, *states):
    return workable_or_refuse(request, Clue.objects.select_related(
        "department", "jurisdiction", "channel", "referring_procuratorate",
        "rule_profile__rule_set"), pk, *states)


@login_required
@permission_required("screening.handle_clue", raise_exception=True)
def clue_request_not_start(request, pk):
    clue, refused = _workable_clue(request, pk, Clue.State.VERIFYING)
    if refused:
        return refused
    assessment = assess(clue)
    form = NotStartForm(request.POST or None, assessment=assessment)
    if request.method == "POST" and form.is_valid():
        try:
            approvals.request_approval(
                clue, "clue_not_start", by=request.user, summary=form.cleaned_data["note"],
                seen_state=request.POST.get("seen_state"),
                decision_reason=form.cleaned_data["decision_reason"],
                trivial_assessment=assessment.as_dict())
        except TransitionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "已提交不启动索赔申请，待机构负责人审批。")
        return redirect(clue.get_absolute_url())
    return render(request, "screening/clue_decision.html", {
        "clue": clue, "form": form, "assessment": assessment, "title": "申请不启动索赔"})


@login_required
@permission_required("screening.handle_clue", raise_exception=True)
def clue_refer(request, pk):
    clue, refused = _workable_clue(request, pk, Clue.State.REGISTERED, Clue.State.VERIFYING)
    if refused:
        return refused
    form = ReferralForm(request.POST or None, from_department=clue.department)
    if request.method == "POST" and form.is_valid():
        try:
            refer_clue(clue, by=request.user, seen_state=request.POST.get("seen_state"),
                       **form.cleaned_data)
        except TransitionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"线索已移送{form.cleaned_data['to_department']}。")
        return redirect(clue.get_absolute_url())
    return render(request, "screening/clue_decision.html", {
        "clue": clue, "form": form, "title": "移送线索", "multipart": False})


@login_required
@permission_required("screening.handle_clue", raise_exception=True)
def clue_feedback(request, pk):
    clue, refused = _workable_clue(request, pk, Clue.State.NOT_STARTED)
    if refused:
        return refused
    form = FeedbackForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        procuratorate = (clue.referring_procuratorate and clue.referring_procuratorate.name) \
            or clue.source_organisation or "移送线索的检察机关"
        record_feedback(clue, procuratorate=procuratorate,
                        by=request.user, **form.cleaned_data)
        messages.success(request, "已记录向检察机关的反馈。")
        return redirect(clue.get_absolute_url())
    return render(request, "screening/clue_decision.html", {
        "clue": clue, "form": form, "title": "记录向检察机关的反馈", "multipart": True})


@login_required
@permission_required("screening.view_clue", raise_exception=True)
def referral_detail(request, pk):
    """The receiving department sees what was sent before it registers the clue."""
    referral = get_object_or_404(
        Referral.objects.select_related("clue__channel", "from_department", "to_department",
                                        "sent_by", "received_clue"),
        pk=pk, to_department_id=request.user.department_id)
    return render(request, "screening/referral_detail.html", {
        "referral": referral, "clue": referral.clue,
        "attachments": attachments_of(referral.clue),
        "can_receive": request.user.has_perm("screening.add_clue"),
    })


@login_required
@require_POST
@permission_required("screening.add_clue", raise_exception=True)
def referral_receive(request, pk):
    referral = get_object_or_404(Referral, pk=pk, to_department=request.user.department)
    received = receive_referral(referral, by=request.user)
    messages.success(request, f"已接收移送线索，登记为 {received.number}，初步核查期限自今日起算。")
    return redirect(received.get_absolute_url())
