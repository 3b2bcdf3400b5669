"""Classification checklist on the case page, the major-case ledger (重大案件台帐), its progress
notes and its Excel export (DOMAIN §3.2; CQ 十; SX 第十二条、第十五条).

For the case page: `classification_panel(case, user)` gives the context of
templates/cases/_classification.html (pass it as `classification_panel`)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from rules.calendar import cn_date
from workflow.deadlines import deadlines_of
from workflow.forms import StyledForm
from workflow.pagination import keyset_page

from . import classification, ledger
from .models import Case

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

CHECKLIST_PERMISSION = "cases.change_caseclassificationinput"
LEDGER_PERMISSION = "cases.view_majorcaseprogress"
PROGRESS_PERMISSION = "cases.add_majorcaseprogress"


class ChecklistForm(StyledForm, forms.Form):
    """The 重大案件 criteria of the case's profile and, where the profile's simple.amount
    requires consent (SX 第十五条), the four conditions besides the amount."""

    major_criteria = forms.MultipleChoiceField(
        label="重大案件情形", required=False, widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "所选情形“%(value)s”不属于适用规则列明的重大案件情形。",
                        "invalid_list": "重大案件情形的选择无效，请重新勾选。"})

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.criteria = classification.major_criteria(case)
        self.fields["major_criteria"].choices = [
            (c.code, f"{c.label}（{c.citation}）") for c in self.criteria]
        self.fields["major_criteria"].widget.attrs["class"] = "form-check-input"
        self.consent = classification.requires_consent(case)
        if self.consent:
            facts = classification.inputs_of(case)
            for name, _label, _missing in classification.CONSENT_CONDITIONS:
                model_field = type(facts)._meta.get_field(name)
                self.fields[name] = forms.BooleanField(
                    label=model_field.verbose_name, required=False,
                    help_text=model_field.help_text, initial=getattr(facts, name))
                self.fields[name].widget.attrs["class"] = "form-check-input"
        if not self.is_bound:
            self.fields["major_criteria"].initial = list(
                case.major_criteria.values_list("code", flat=True))

    @property
    def fact_fields(self):
        return [self[name] for name, _l, _m in classification.CONSENT_CONDITIONS
                if name in self.fields]

    def facts(self) -> dict:
        return {name: self.cleaned_data[name] for name, _l, _m in
                classification.CONSENT_CONDITIONS if name in self.fields}


class ProgressForm(StyledForm, forms.Form):
    noted_on = forms.DateField(label="进展日期", widget=forms.DateInput, error_messages={
        "required": "请填写进展日期。", "invalid": "请填写有效日期，如 2026-11-24。"})
    text = forms.CharField(label="进展情况", max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 4}),
                           help_text="调度情况：办理进度、存在问题、下一步工作安排", error_messages={
                               "required": "请填写进展情况。",
                               "max_length": "进展情况最多 %(limit_value)d 字（现为 %(show_value)d 字）。"})

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["noted_on"].initial = timezone.localdate()

    def clean(self):
        cleaned = super().clean()
        noted_on = cleaned.get("noted_on")
        if noted_on is not None:
            try:
                ledger.check_progress(self.case, noted_on)
            except ledger.ProgressError as exc:
                self.add_error("noted_on", str(exc))
        return cleaned


def classification_panel(case: Case, user) -> dict:
    """Context for templates/cases/_classification.html (as `classification_panel`)."""
    can_edit = (user.has_perm(CHECKLIST_PERMISSION) and not case.is_read_only
                and case.is_workable_by(user))
    history = list(case.classifications.select_related("by", "profile__rule_set")[:20])
    is_major = case.classification == Case.Classification.MAJOR
    return {
        "case": case,
        "current": history[0] if history else None,
        "history": history,
        "criteria": classification.major_criteria(case),
        "ticked": list(case.major_criteria.select_related("ticked_by")),
        "facts": classification.inputs_of(case),
        "requires_consent": classification.requires_consent(case),
        "form": ChecklistForm(case=case) if can_edit else None,
        "can_edit": can_edit,
        "is_major": is_major,
        "dispatch": ledger.active_dispatch(case).first() if is_major else None,
        "dispatch_rule": ledger.dispatch_rule(case, timezone.localdate()) if is_major else None,
        "last_progress": ledger.last_progress(case) if is_major else None,
        "can_record_progress": is_major and can_edit and user.has_perm(PROGRESS_PERMISSION),
    }


@login_required
@permission_required(CHECKLIST_PERMISSION, raise_exception=True)
@require_POST
def case_classification(request, pk):
    """Save the checklist and classify again; back to the case page."""
    case = get_object_or_404(
        Case.objects.workable_by(request.user).select_related("rule_profile__rule_set"), pk=pk)
    back = f"{case.get_absolute_url()}#classification"
    if case.is_read_only:
        messages.error(request, f"案件处于“{case.get_stage_display()}”阶段，不能修改分类要素。")
        return redirect(back)
    form = ChecklistForm(request.POST, case=case)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    row = classification.save_checklist(
        case, criteria=form.cleaned_data["major_criteria"], by=request.user, **form.facts())
    messages.success(request, f"已重新分类：{row.label}。")
    return redirect(back)


@login_required
@permission_required(LEDGER_PERMISSION, raise_exception=True)
def major_ledger(request):
    page = keyset_page(ledger.ledger_cases(request.user), key="opened_on",
                       after=request.GET.get("after"), before=request.GET.get("before"))
    return render(request, "cases/ledger.html", {
        "page": page, "query": request.GET.copy(), "today": timezone.localdate(),
    })


@login_required
@permission_required(LEDGER_PERMISSION, raise_exception=True)
def major_ledger_export(request):
    handle = ledger.ledger_file(request.user)
    name = f"重大案件台帐_{timezone.localdate():%Y%m%d}.xlsx"
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=XLSX)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@permission_required(LEDGER_PERMISSION, raise_exception=True)
def major_progress(request, pk):
    """A 重大 case's progress notes and dispatch deadlines; the handling department records a
    note here (it meets the open dispatch deadline and opens the next)."""
    case = get_object_or_404(
        Case.objects.visible_to(request.user).filter(classification=Case.Classification.MAJOR)
        .select_related("department", "jurisdiction", "rule_profile__rule_set", "created_by"),
        pk=pk)
    may_record = (request.user.has_perm(PROGRESS_PERMISSION) and not case.is_read_only
                  and case.is_workable_by(request.user))
    form = None
    if may_record:
        form = ProgressForm(request.POST or None, case=case)
    if request.method == "POST":
        if not may_record:
            return render(request, "403.html", status=403)
        if form.is_valid():
            try:
                _note, following = ledger.record_progress(
                    case, noted_on=form.cleaned_data["noted_on"], text=form.cleaned_data["text"],
                    by=request.user)
            except ledger.ProgressError as exc:
                form.add_error(None, str(exc))
            else:
                if following is not None:
                    messages.success(request, "进展已登记；下次调度期限届满日为"
                                              f"{cn_date(following.due)}。")
                else:
                    messages.warning(request, f"进展已登记；{ledger.NOT_SET}。")
                return redirect("cases:major_progress", pk=case.pk)
    today = timezone.localdate()
    return render(request, "cases/ledger_progress.html", {
        "case": case, "form": form,
        "notes": case.major_progress.select_related("by", "deadline"),
        "deadlines": deadlines_of(case).filter(kind=ledger.DISPATCH),
        "criteria": case.major_criteria.all(),
        "dispatch_rule": ledger.dispatch_rule(case, today),
        "not_set": ledger.NOT_SET,
    })
