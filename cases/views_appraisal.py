"""Appraisal pages (鉴定评估): entrust, extend the period, record the result, cancel, correct
the recorded dates.

Every page fetches through `workable_by` (a case or appraisal outside the user's handling
scope answers 404) and needs `cases.handle_case` (403). The services in cases/appraisal.py
run in one transaction; their errors come back next to the form's fields."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from accounts.roles import Role, group_name
from workflow.deadlines import DeadlineError, deadlines_of
from workflow.forms import StyledForm
from workflow.models import DeadlineKind
from workflow.transitions import TransitionError

from .appraisal import (
    appraisal_period_rule,
    cancel_appraisal,
    correct_dates,
    entrust,
    expert_panel_min,
    extend_appraisal,
    record_result,
    simplified_allowed,
)
from .models import Appraisal, AppraisalInstitution, Case, Expert

DATE_ERRORS = {"required": "请填写日期。", "invalid": "请按“年-月-日”填写日期。"}
AMOUNT_ERRORS = {
    "invalid": "请填写金额（元），最多两位小数。",
    "min_value": "金额不能为负数。",
    "max_digits": "金额超出可登记的范围。",
    "max_decimal_places": "金额最多两位小数。",
    "max_whole_digits": "金额超出可登记的范围。",
}


class InstitutionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.get_qualification_display()}）"


class ExpertChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.organisation}；{obj.field}；{obj.get_pool_display()}）"


class HeadChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_full_name() or obj.username}（{obj.title or '负责人'}）"


class EntrustForm(StyledForm, forms.Form):
    method = forms.ChoiceField(label="鉴定评估方式", choices=Appraisal.Method.choices,
                               error_messages={"required": "请选择鉴定评估方式。",
                                               "invalid_choice": "请选择鉴定评估方式。"})
    institution = InstitutionChoice(
        label="鉴定评估机构", required=False, queryset=AppraisalInstitution.objects.none(),
        help_text="委托鉴定评估机构时选择（SX 第十四条）",
        error_messages={"invalid_choice": "所选机构不可用，请重新选择。"})
    jointly_with_obligor = forms.BooleanField(
        label="与赔偿义务人共同委托", required=False,
        help_text="经与赔偿义务人协商共同委托机构（SX 第十四条；NAT 五）")
    experts = ExpertChoice(
        label="评估专家", required=False, queryset=Expert.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        error_messages={"invalid_choice": "所选专家不可用，请重新选择。",
                        "invalid_pk_value": "所选专家不可用，请重新选择。"})
    entrusted_on = forms.DateField(label="委托日期", error_messages=DATE_ERRORS,
                                   widget=forms.DateInput(),
                                   help_text="委托书生效之日，鉴定评估期限自次日起算")
    matters = forms.CharField(label="委托事项", required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    allowed_by = HeadChoice(
        label="同意适用简易评估的负责人", required=False,
        queryset=get_user_model().objects.none(),
        help_text="非简单案件采用专家评估或综合认定时，须经本部门机构负责人或部门负责人同意",
        error_messages={"invalid_choice": "所选负责人不可用，请重新选择。"})
    allowed_on = forms.DateField(label="负责人同意日期", required=False,
                                 widget=forms.DateInput(), error_messages=DATE_ERRORS)
    allowance_note = forms.CharField(label="负责人意见", required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["institution"].queryset = AppraisalInstitution.objects.filter(active=True)
        self.fields["experts"].queryset = Expert.objects.filter(active=True)
        heads = [group_name(Role.DIVISION_HEAD), group_name(Role.DEPARTMENT_HEAD)]
        self.fields["allowed_by"].queryset = (
            get_user_model().objects.filter(department=case.department, is_active=True,
                                            groups__name__in=heads)
            .distinct().order_by("username"))
        if not self.is_bound:
            self.initial.setdefault("entrusted_on", timezone.localdate())
            if not simplified_allowed(case):
                self.initial.setdefault("method", Appraisal.Method.INSTITUTION)

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "method": data["method"], "institution": data.get("institution"),
            "experts": list(data.get("experts") or ()),
            "jointly_with_obligor": data.get("jointly_with_obligor", False),
            "entrusted_on": data["entrusted_on"], "matters": data.get("matters", ""),
            "allowed_by": data.get("allowed_by"), "allowed_on": data.get("allowed_on"),
            "allowance_note": data.get("allowance_note", ""),
        }


class ExtendForm(StyledForm, forms.Form):
    notice_on = forms.DateField(label="告知委托人日期", widget=forms.DateInput(),
                                error_messages=DATE_ERRORS)
    notice_text = forms.CharField(
        label="延期告知内容", widget=forms.Textarea(attrs={"rows": 4}),
        help_text="鉴定评估事项涉及复杂、疑难、特殊技术问题或鉴定过程需要较长时间的理由，"
                  "及告知委托人的方式（SX 第十四条）",
        error_messages={"required": "请填写告知委托人的延期内容。"})


class ResultForm(StyledForm, forms.Form):
    amount = forms.DecimalField(label="生态环境损害数额（元）", max_digits=14, decimal_places=2,
                                min_value=0, help_text="不包括调查、鉴定评估等费用",
                                error_messages={"required": "请填写生态环境损害数额。",
                                                **AMOUNT_ERRORS})
    fees = forms.DecimalField(label="鉴定评估费用（元）", max_digits=14, decimal_places=2,
                              min_value=0, required=False, error_messages=AMOUNT_ERRORS)
    restorability = forms.ChoiceField(
        label="是否可以修复",
        choices=[("", "请选择")] + [c for c in Case.Restorability.choices
                                  if c[0] != Case.Restorability.UNKNOWN],
        error_messages={"required": "请写明生态环境损害是否可以修复。",
                        "invalid_choice": "请写明生态环境损害是否可以修复。"})
    area = forms.CharField(label="可以修复的区域范围", max_length=200, required=False,
                           help_text="部分可以修复的必填（SX 第十六条）",
                           error_messages={"max_length": "最多200字。"})
    requirements = forms.CharField(label="修复要求", required=False,
                                   widget=forms.Textarea(attrs={"rows": 3}),
                                   help_text="部分可以修复的必填（SX 第十六条）")
    report_number = forms.CharField(label="鉴定意见或报告编号", max_length=100, required=False,
                                    error_messages={"max_length": "最多100字。"})
    report_file = forms.FileField(label="鉴定意见或报告文件", required=False)
    finished_on = forms.DateField(label="完成日期", widget=forms.DateInput(),
                                  error_messages=DATE_ERRORS)

    def __init__(self, *args, appraisal, **kwargs):
        super().__init__(*args, **kwargs)
        if appraisal.method == Appraisal.Method.INSTITUTION:
            self.fields["report_number"].required = True
            self.fields["report_number"].error_messages["required"] = \
                "请填写鉴定意见或鉴定评估报告的编号。"
        if not self.is_bound:
            self.initial.setdefault("finished_on", timezone.localdate())


class CancelForm(StyledForm, forms.Form):
    reason = forms.CharField(label="撤销理由", widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "请填写撤销理由。"})


class DatesForm(StyledForm, forms.Form):
    entrusted_on = forms.DateField(label="委托日期", widget=forms.DateInput(),
                                   error_messages=DATE_ERRORS,
                                   help_text="委托书生效之日（综合认定为开始认定之日）")
    finished_on = forms.DateField(label="完成日期", widget=forms.DateInput(),
                                  error_messages=DATE_ERRORS,
                                  help_text="鉴定意见、报告或专家意见出具之日")
    reason = forms.CharField(label="更正理由", widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="如：委托书生效日期录入有误，以委托书为准",
                             error_messages={"required": "请填写更正理由。"})

    def __init__(self, *args, appraisal, **kwargs):
        super().__init__(*args, **kwargs)
        if appraisal.status != Appraisal.Status.FINISHED:
            del self.fields["finished_on"]
        if not self.is_bound:
            self.initial.update(entrusted_on=appraisal.entrusted_on,
                                finished_on=appraisal.finished_on)


def _show_errors(form, exc: Exception) -> None:
    """A service's refusal next to the field it concerns, else above the form."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            for message in errors:
                form.add_error(name if name in form.fields else None, message)
    elif isinstance(exc, ValidationError):
        for message in exc.messages:
            form.add_error(None, message)
    else:
        form.add_error(None, str(exc))


def _refuse_stage(request, case):
    messages.error(request, f"案件处于“{case.get_stage_display()}”阶段，不能办理此事项。")
    return redirect(case.get_absolute_url())


def _workable_appraisal(request, pk):
    return get_object_or_404(
        Appraisal.objects.workable_by(request.user).select_related(
            "case__department", "case__rule_profile", "institution"), pk=pk)


@login_required
@permission_required("cases.handle_case", raise_exception=True)
def appraisal_entrust(request, pk):
    case = get_object_or_404(Case.objects.workable_by(request.user).select_related(
        "department", "rule_profile__rule_set"), pk=pk)
    if case.is_read_only or case.stage not in (Case.Stage.INVESTIGATING, Case.Stage.APPRAISING):
        return _refuse_stage(request, case)
    form = EntrustForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            appraisal = entrust(case, by=request.user, **form.service_kwargs())
        except (ValidationError, TransitionError, DeadlineError) as exc:
            _show_errors(form, exc)
        else:
            messages.success(request, f"已委托鉴定评估（{appraisal.get_method_display()}）。")
            return redirect(appraisal.get_absolute_url())
    minimum, citation = expert_panel_min(case)
    period = appraisal_period_rule(case, timezone.localdate())
    return render(request, "cases/appraisal_entrust.html", {
        "case": case, "form": form, "panel_min": minimum, "panel_citation": citation,
        "period": period, "simplified_allowed": simplified_allowed(case),
        "obligors": case.obligor_links.select_related("party"),
    })


@login_required
@permission_required("cases.handle_case", raise_exception=True)
def appraisal_extend(request, pk):
    appraisal = _workable_appraisal(request, pk)
    case = appraisal.case
    if case.is_read_only or appraisal.status != Appraisal.Status.RUNNING:
        return _refuse_stage(request, case)
    form = ExtendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            extend_appraisal(appraisal, by=request.user, **form.cleaned_data)
        except (ValidationError, DeadlineError) as exc:
            _show_errors(form, exc)
        else:
            messages.success(request, "鉴定评估期限已延长，延期告知已记录。")
            return redirect(appraisal.get_absolute_url())
    return render(request, "cases/appraisal_extend.html",
                  {"case": case, "appraisal": appraisal, "form": form,
                   "deadline": appraisal.deadline})


@login_required
@permission_required("cases.handle_case", raise_exception=True)
def appraisal_result(request, pk):
    appraisal = _workable_appraisal(request, pk)
    case = appraisal.case
    if case.is_read_only or appraisal.status != Appraisal.Status.RUNNING:
        return _refuse_stage(request, case)
    form = ResultForm(request.POST or None, request.FILES or None, appraisal=appraisal)
    if request.method == "POST" and form.is_valid():
        try:
            record_result(appraisal, by=request.user, **form.cleaned_data)
        except (ValidationError, TransitionError, DeadlineError) as exc:
            _show_errors(form, exc)
        else:
            messages.success(request, "鉴定评估结果已录入，并已更新案件的损害数额和可修复性。")
            return redirect(appraisal.get_absolute_url())
    return render(request, "cases/appraisal_result.html",
                  {"case": case, "appraisal": appraisal, "form": form})


@login_required
@permission_required("cases.handle_case", raise_exception=True)
def appraisal_cancel(request, pk):
    appraisal = _workable_appraisal(request, pk)
    case = appraisal.case
    if case.is_read_only or appraisal.status != Appraisal.Status.RUNNING:
        return _refuse_stage(request, case)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cancel_appraisal(appraisal, by=request.user, reason=form.cleaned_data["reason"])
        except (ValidationError, TransitionError, DeadlineError) as exc:
            _show_errors(form, exc)
        else:
            messages.success(request, "鉴定评估委托已撤销。")
            return redirect(case.get_absolute_url())
    return render(request, "cases/appraisal_cancel.html",
                  {"case": case, "appraisal": appraisal, "form": form})


@login_required
@permission_required("cases.handle_case", raise_exception=True)
def appraisal_dates(request, pk):
    """Correct the entrustment and completion dates; the investigation period follows them
    (CQ 五), its due date recomputed with the change in the deadline's history."""
    appraisal = _workable_appraisal(request, pk)
    case = appraisal.case
    if case.is_read_only or appraisal.status == Appraisal.Status.CANCELLED:
        return _refuse_stage(request, case)
    form = DatesForm(request.POST or None, appraisal=appraisal)
    if request.method == "POST" and form.is_valid():
        try:
            correct_dates(appraisal, by=request.user, **form.cleaned_data)
        except (ValidationError, DeadlineError) as exc:
            _show_errors(form, exc)
        else:
            messages.success(request, "鉴定评估日期已更正，调查期限已按更正后的日期重新计算。")
            return redirect(appraisal.get_absolute_url())
    return render(request, "cases/appraisal_dates.html", {
        "case": case, "appraisal": appraisal, "form": form,
        "investigation": deadlines_of(case).filter(kind=DeadlineKind.INVESTIGATION)})
