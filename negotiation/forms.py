"""Forms of the negotiation, agreement and court pages. They check what a form can check on its
own (required fields, formats, dates that cannot be, file types); the rules of the stage are
the services' and the models' (negotiation/services.py, the transitions' conditions), whose
refusals the views put back next to the field they concern."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Department
from cases.models import CaseObligor
from rules.calendar import cn_date
from workflow.attachments import validate_upload
from workflow.forms import StyledForm

from .models import (
    PUNITIVE_FACTORS,
    Agreement,
    Enforcement,
    Instalment,
    Litigation,
    Meeting,
    Negotiation,
    PaymentTerm,
    PerformanceReport,
    RestorationTerm,
    ServiceAttempt,
)

DATE_ERRORS = {"required": "请填写日期。", "invalid": "请按“年-月-日”填写日期。"}
DATETIME_ERRORS = {"required": "请填写时间。", "invalid": "请按“年-月-日 时:分”填写时间。"}
AMOUNT_ERRORS = {
    "required": "请填写金额。",
    "invalid": "请填写金额（元），最多两位小数。",
    "max_digits": "金额超出可登记的范围。",
    "max_decimal_places": "金额最多两位小数。",
    "max_whole_digits": "金额超出可登记的范围。",
}
CHOICE_ERRORS = {"required": "请选择。", "invalid_choice": "请从列表中选择。",
                 "invalid_pk_value": "请从列表中选择。"}


def required(message: str) -> dict:
    return {"required": message}


class Form(StyledForm):
    """StyledForm, with radio and checkbox lists styled as Bootstrap form-check inputs."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect):  # also CheckboxSelectMultiple
                widget.attrs["class"] = "form-check-input"
            if isinstance(widget, forms.DateTimeInput):
                widget.input_type = "datetime-local"
                widget.format = "%Y-%m-%dT%H:%M"
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = DATE_ERRORS["invalid"]
            if isinstance(field, forms.DecimalField):
                # "min_value" stays the model's: 金额须大于零 or 金额不能为负数.
                field.error_messages.update({k: v for k, v in AMOUNT_ERRORS.items()
                                             if k not in ("required", "min_value")})
                field.widget.attrs.setdefault("min", "0")
                field.widget.attrs.setdefault("step", "0.01")
            if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
                field.error_messages.update({k: v for k, v in CHOICE_ERRORS.items()
                                             if k != "required"})

    # Service refusals that do not start with a field's label: {substring: field name}.
    service_error_fields: dict[str, str] = {}

    def add_service_error(self, message: str) -> None:
        """A service's refusal next to the field it concerns (by the field's label at the
        start of the message, or a known phrase), else above the form."""
        for phrase, name in self.service_error_fields.items():
            if phrase in message and name in self.fields:
                self.add_error(name, message)
                return
        for name, field in self.fields.items():
            label = str(field.label or "")
            if label and message.startswith(label):
                self.add_error(name, message)
                return
        self.add_error(None, message)


class UploadField(forms.FileField):
    """A file checked against the upload limits (size, type) like every other upload."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("error_messages", {"required": "请选择要上传的文件。",
                                             "invalid": "请选择要上传的文件。",
                                             "empty": "上传的文件是空的。"})
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploaded = super().clean(data, initial)
        if uploaded:
            validate_upload(uploaded)
        return uploaded


class ObligorChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.party.name}（{obj.get_role_display()}）"


class ObligorMultipleChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.party.name}（{obj.get_role_display()}）"


def case_obligors(case):
    return CaseObligor.objects.filter(case=case).select_related("party").order_by("id")


def not_in_future(day, label: str):
    if day and day > timezone.localdate():
        raise ValidationError(f"{label}不能晚于今天。")
    return day


# --- the round ------------------------------------------------------------------------------

class PlanForm(Form, forms.ModelForm):
    """磋商方案 (NT 三(七)) and the 磋商告知书 (form [4]), saved while the round is prepared."""

    class Meta:
        model = Negotiation
        fields = ["plan_feasibility", "plan_cost", "plan_third_party", "plan_obligor_capacity",
                  "pre_communication", "complex_case",
                  "notice_cause", "notice_findings", "notice_restorable", "group_own",
                  "group_invited", "procuratorate_invited", "first_meeting_at",
                  "first_meeting_place", "reply_due", "other_matters", "notice_issued_on"]
        widgets = {
            "first_meeting_at": forms.DateTimeInput(),
            "reply_due": forms.DateInput(),
            "notice_issued_on": forms.DateInput(),
            **{name: forms.Textarea(attrs={"rows": 3}) for name in [
                "plan_feasibility", "plan_cost", "plan_third_party", "plan_obligor_capacity",
                "pre_communication", "notice_cause", "notice_findings", "notice_restorable",
                "group_own", "group_invited", "other_matters"]},
        }
        help_texts = {"notice_issued_on": "不填的，制发告知书之日为落款日期"}
        error_messages = {
            "first_meeting_at": DATETIME_ERRORS,
            "first_meeting_place": {"max_length": "最多200字。"},
        }

    PLAN = ["plan_feasibility", "plan_cost", "plan_third_party", "plan_obligor_capacity",
            "pre_communication", "complex_case"]

    # CQ 七(一); SX 第三十三条: which procuratorate is invited; it then takes part in the case
    # (negotiation.services.invite_procuratorate)
    invited_procuratorate = forms.ModelChoiceField(
        label="受邀参与磋商的检察机关", required=False, queryset=Department.objects.none(),
        empty_label="请选择", help_text="邀请检察机关参与磋商的，选择该检察机关；其检察联络员可查阅本案",
        error_messages={"invalid_choice": "请选择受邀参与磋商的检察机关。"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invited_procuratorate"].queryset = Department.objects.filter(
            kind=Department.Kind.PROCURATORATE).select_related("jurisdiction")
        if self.instance.pk and self.instance.procuratorate_invited:
            self.initial.setdefault("invited_procuratorate", self.instance.case.participants.filter(
                kind=Department.Kind.PROCURATORATE).values_list("pk", flat=True).first())
        # shown right after the 邀请检察机关 box
        names = list(self.fields)
        names.remove("invited_procuratorate")
        names.insert(names.index("procuratorate_invited") + 1, "invited_procuratorate")
        self.order_fields(names)

    def plan_fields(self):
        return [self[name] for name in self.PLAN]

    def notice_fields(self):
        return [self[name] for name in self.fields if name not in self.PLAN]

    def clean(self):
        data = super().clean()
        if data.get("procuratorate_invited") and not data.get("invited_procuratorate") \
                and "invited_procuratorate" not in self.errors:
            self.add_error("invited_procuratorate", "邀请检察机关参与磋商的，请选择该检察机关。")
        today = timezone.localdate()
        notice_on = data.get("notice_issued_on") or today
        notice_label = "告知书落款日期" if data.get("notice_issued_on") else "今天"
        reply_due = data.get("reply_due")
        if reply_due:
            if reply_due <= today:
                self.add_error("reply_due", f"答复期限须晚于今天（{cn_date(today)}）。")
            elif reply_due <= notice_on:
                self.add_error("reply_due",
                               f"答复期限须晚于{notice_label}（{cn_date(notice_on)}）。")
        meeting_at = data.get("first_meeting_at")
        if meeting_at:
            meeting_on = timezone.localtime(meeting_at).date()
            if meeting_on <= notice_on:
                self.add_error("first_meeting_at",
                               f"首次磋商会议时间须晚于{notice_label}（{cn_date(notice_on)}）。")
        return data


class ServiceForm(Form, forms.Form):
    obligor = ObligorChoice(label="受送达人", queryset=CaseObligor.objects.none(),
                            error_messages=required("请选择受送达的赔偿义务人。"))
    method = forms.ChoiceField(label="送达方式", choices=[("", "请选择")] +
                               ServiceAttempt.Method.choices,
                               error_messages=required("请选择送达方式。"))
    attempted_on = forms.DateField(label="送达日期", widget=forms.DateInput(),
                                   error_messages=DATE_ERRORS)
    succeeded = forms.TypedChoiceField(
        label="送达结果", widget=forms.RadioSelect, coerce=lambda v: v == "yes",
        choices=[("yes", "送达成功"), ("no", "未能送达")],
        error_messages=required("请选择送达结果。"))
    recipient = forms.CharField(label="签收人", max_length=100, required=False,
                                error_messages={"max_length": "最多100字。"})
    note = forms.CharField(label="送达情况", required=False,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text="未能送达的，写明原因（如查无此人、拒收）")
    proof = UploadField(label="送达回证等证明", help_text="送达回证、邮寄凭证、公告等")

    service_error_fields = {"写明送达情况": "note", "答复期限": "attempted_on",
                            "受送达人": "obligor", "早于该日的送达": "attempted_on"}

    def __init__(self, *args, negotiation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["obligor"].queryset = case_obligors(negotiation.case)
        if not self.is_bound:
            self.initial.setdefault("attempted_on", timezone.localdate())

    def clean_attempted_on(self):
        return not_in_future(self.cleaned_data["attempted_on"], "送达日期")

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"obligor": data["obligor"], "method": data["method"],
                "attempted_on": data["attempted_on"], "succeeded": data["succeeded"],
                "recipient": data["recipient"], "note": data["note"],
                "proof": data.get("proof") or None}


class ReplyForm(Form, forms.Form):
    reply = forms.ChoiceField(label="答复意见", widget=forms.RadioSelect,
                              choices=Negotiation.Reply.choices,
                              error_messages=required("请选择赔偿义务人的答复意见。"))
    replied_on = forms.DateField(label="答复日期", widget=forms.DateInput(),
                                 error_messages=DATE_ERRORS)
    note = forms.CharField(label="答复内容", required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("replied_on", timezone.localdate())

    def clean_replied_on(self):
        return not_in_future(self.cleaned_data["replied_on"], "答复日期")


class MeetingForm(Form, forms.Form):
    held_on = forms.DateField(label="会议日期", widget=forms.DateInput(),
                              error_messages=DATE_ERRORS)
    place = forms.CharField(label="会议地点", max_length=200,
                            error_messages={"required": "请填写会议地点。",
                                            "max_length": "最多200字。"})
    attendees = forms.CharField(label="参加人员", widget=forms.Textarea(attrs={"rows": 2}),
                                help_text="本部门人员及受邀的检察机关、专家、公众等",
                                error_messages=required("请填写参加人员。"))
    obligor_attendance = forms.ChoiceField(
        label="赔偿义务人参加情况", widget=forms.RadioSelect,
        choices=Meeting.Attendance.choices,
        error_messages=required("请选择赔偿义务人参加情况。"))
    agent_name = forms.CharField(label="委托代理人", max_length=100, required=False,
                                 error_messages={"max_length": "最多100字。"})
    agent_authorisation = UploadField(
        label="授权委托书", help_text="委托代理人出席的，须有书面授权委托书，该次会议才计入会议次数")
    minutes = forms.CharField(label="会议纪要", widget=forms.Textarea(attrs={"rows": 4}),
                              error_messages=required("请填写会议纪要。"))
    minutes_file = UploadField(label="会议纪要文件")

    service_error_fields = {"代理人姓名": "agent_name", "上一次会议": "held_on",
                            "达到上限": "held_on"}

    def __init__(self, *args, negotiation, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("held_on", timezone.localdate())
            if not negotiation.meetings.exists() and negotiation.first_meeting_place:
                self.initial.setdefault("place", negotiation.first_meeting_place)

    def clean_held_on(self):
        return not_in_future(self.cleaned_data["held_on"], "会议日期")

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("agent_authorisation", "minutes_file"):
            data[name] = data.get(name) or None
        return data


class AuthorisationForm(Form, forms.Form):
    file = UploadField(label="授权委托书", required=True,
                       error_messages={"required": "请选择授权委托书文件。"})


class MoreMeetingsForm(Form, forms.Form):
    reason = forms.CharField(
        label="申请理由", widget=forms.Textarea(attrs={"rows": 4}),
        help_text="案情重大复杂、需继续磋商的理由（CQ 七(一)；SX 第十八条）",
        error_messages=required("请填写申请理由。"))


class OverrunForm(Form, forms.Form):
    reason = forms.CharField(
        label="申请理由", widget=forms.Textarea(attrs={"rows": 4}),
        help_text="磋商期限届满后仍需继续磋商的理由，如双方即将达成一致（NAT 六；CQ 七(一)；SX 第十八条）",
        error_messages=required("请填写申请理由。"))
    service_error_fields = {"请填写申请理由": "reason"}


class EarlyRestorationForm(Form, forms.Form):
    requested_on = forms.DateField(label="义务人申请先行修复日期", widget=forms.DateInput(),
                                   error_messages=DATE_ERRORS)
    confirmation = UploadField(
        label="双方书面确认损害事实文件",
        help_text="赔偿义务人与本部门对损害事实书面确认后，方可同意先行修复（CQ 十三；SX 第三十条）")

    service_error_fields = {"书面确认损害事实": "confirmation"}

    def __init__(self, *args, negotiation, **kwargs):
        super().__init__(*args, **kwargs)
        if negotiation.facts_confirmation_id is None:
            self.fields["confirmation"].required = True
            self.fields["confirmation"].error_messages["required"] = \
                "须先上传双方书面确认损害事实的文件（CQ 十三；SX 第三十条）。"
        else:
            self.fields["confirmation"].help_text = "已上传；如需替换，重新选择文件"

    def clean_requested_on(self):
        return not_in_future(self.cleaned_data["requested_on"], "申请日期")


class FailureForm(Form, forms.Form):
    reason = forms.ChoiceField(label="磋商不成情形", widget=forms.RadioSelect,
                               choices=Negotiation.Failure.choices,
                               error_messages=required("请选择磋商不成的情形。"))
    note = forms.CharField(label="情况说明", required=False,
                           widget=forms.Textarea(attrs={"rows": 4}),
                           help_text="“被羁押等”和“其他情形”须写明具体情况")

    service_error_fields = {"须写明具体情况": "note"}

    def add_service_error(self, message: str) -> None:
        if "须写明具体情况" in message:
            self.add_error("note", message)
        else:
            self.add_error("reason", message)


# --- the agreement --------------------------------------------------------------------------

class AgreementForm(Form, forms.ModelForm):
    obligors = ObligorMultipleChoice(
        label="赔偿义务人", queryset=CaseObligor.objects.none(),
        widget=forms.CheckboxSelectMultiple, help_text="多个赔偿义务人的逐一列出",
        error_messages={**CHOICE_ERRORS, "required": "请选择赔偿义务人。"})
    punitive_factors = forms.MultipleChoiceField(
        label="惩罚性赔偿考虑因素", required=False, widget=forms.CheckboxSelectMultiple,
        choices=list(PUNITIVE_FACTORS.items()), help_text="NT 三(八)")

    class Meta:
        model = Agreement
        fields = ["obligors", "facts", "evidence", "legal_basis", "opinions", "liability",
                  "performance", "assessment_method", "assessment_due", "breach_liability",
                  "other_terms", "deposit_amount", "punitive_claimed", "punitive_base",
                  "punitive_factors", "punitive_note", "signed_on", "signed_place"]
        widgets = {
            "assessment_due": forms.DateInput(),
            "signed_on": forms.DateInput(),
            **{name: forms.Textarea(attrs={"rows": 3}) for name in [
                "facts", "evidence", "legal_basis", "opinions", "liability", "performance",
                "assessment_method", "breach_liability", "other_terms", "punitive_note"]},
        }
        error_messages = {"signed_place": {"max_length": "最多200字。"}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["obligors"].queryset = case_obligors(self.instance.case)

    def clean_signed_on(self):
        return not_in_future(self.cleaned_data.get("signed_on"), "签订时间")


class RestorationTermForm(Form, forms.ModelForm):
    class Meta:
        model = RestorationTerm
        fields = ["obligor", "item", "mode", "target", "estimated_cost", "start_by",
                  "finish_by", "assessment_by"]
        widgets = {"start_by": forms.DateInput(), "finish_by": forms.DateInput(),
                   "assessment_by": forms.DateInput(),
                   "target": forms.Textarea(attrs={"rows": 2})}
        error_messages = {"item": {"required": "请填写修复事项。", "max_length": "最多200字。"},
                          "mode": {"required": "请选择修复方式。"},
                          "target": {"required": "请填写修复目标。"},
                          "finish_by": {"required": "请填写完成期限。"}}

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        if case is not None:
            self.fields["obligor"] = ObligorChoice(
                label="履行义务人", queryset=case_obligors(case), required=False,
                empty_label="全体赔偿义务人", error_messages=CHOICE_ERRORS)
            self.fields["obligor"].widget.attrs["class"] = "form-select"


class PaymentTermForm(Form, forms.ModelForm):
    class Meta:
        model = PaymentTerm
        fields = ["obligor", "kind", "amount", "due_on", "guarantee"]
        widgets = {"due_on": forms.DateInput(), "guarantee": forms.Textarea(attrs={"rows": 2})}
        error_messages = {"obligor": {"required": "请选择缴纳义务人。"},
                          "kind": {"required": "请选择款项。"},
                          "amount": {"required": "请填写金额。"}}

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        if case is not None:
            self.fields["obligor"] = ObligorChoice(
                label="缴纳义务人", queryset=case_obligors(case),
                error_messages={**CHOICE_ERRORS, "required": "请选择缴纳义务人。"})
            self.fields["obligor"].widget.attrs["class"] = "form-select"


class InstalmentForm(Form, forms.ModelForm):
    class Meta:
        model = Instalment
        fields = ["sequence", "amount", "due_on"]
        widgets = {"due_on": forms.DateInput()}
        error_messages = {"sequence": {"required": "请填写期次。"},
                          "amount": {"required": "请填写本期金额。"},
                          "due_on": {"required": "请填写本期期限。"}}


class CaseFormSet(forms.BaseInlineFormSet):
    """Inline formset whose forms offer only the case's obligors."""

    def __init__(self, *args, case=None, **kwargs):
        self.case = case
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if self.case is not None:
            kwargs["case"] = self.case
        return kwargs

    @property
    def empty_form(self):
        form = self.form(auto_id=self.auto_id, prefix=self.add_prefix("__prefix__"),
                         empty_permitted=True, use_required_attribute=False,
                         **self.get_form_kwargs(None), renderer=self.renderer)
        self.add_fields(form, None)
        return form


RestorationTermFormSet = forms.inlineformset_factory(
    Agreement, RestorationTerm, form=RestorationTermForm, formset=CaseFormSet, extra=1,
    can_delete=True)
PaymentTermFormSet = forms.inlineformset_factory(
    Agreement, PaymentTerm, form=PaymentTermForm, formset=CaseFormSet, extra=1,
    can_delete=True)
InstalmentFormSet = forms.inlineformset_factory(
    PaymentTerm, Instalment, form=InstalmentForm, extra=1, can_delete=True)


class CorrectionForm(Form, forms.Form):
    reason = forms.CharField(label="更正理由", widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages=required("请填写更正理由。"))


# --- judicial confirmation (form [6]) ---------------------------------------------------------

class AttachmentChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.original_name


class ConfirmationForm(Form, forms.Form):
    court = forms.CharField(label="受理法院", max_length=200, required=False,
                            error_messages={"max_length": "最多200字。"})
    applied_on = forms.DateField(label="申请日期", required=False, widget=forms.DateInput(),
                                 error_messages=DATE_ERRORS)
    agreement_file = UploadField(label="赔偿协议（签章文本）",
                                 help_text="双方签章的协议文本扫描件（NAT 七）")
    appraisal_report = AttachmentChoice(
        label="本案鉴定评估报告", required=False, queryset=None,
        empty_label="不使用本案已有报告", error_messages=CHOICE_ERRORS)
    appraisal_file = UploadField(
        label="上传鉴定评估报告或专家意见",
        help_text="上传的文件将替代上面选择的本案已有报告（NAT 七）")

    def __init__(self, *args, confirmation, reports, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["appraisal_report"].queryset = reports
        if not self.is_bound:
            self.initial.update({"court": confirmation.court,
                                 "applied_on": confirmation.applied_on,
                                 "appraisal_report": confirmation.appraisal_report_id})
        if confirmation.agreement_file_id:
            self.fields["agreement_file"].help_text = "已上传；如需替换，重新选择文件"

    def clean_applied_on(self):
        return not_in_future(self.cleaned_data.get("applied_on"), "申请日期")


class RulingForm(Form, forms.Form):
    result = forms.TypedChoiceField(
        label="裁定结果", widget=forms.RadioSelect, coerce=lambda v: v == "confirmed",
        choices=[("confirmed", "裁定确认协议有效"), ("refused", "裁定不予确认")],
        error_messages=required("请选择裁定结果。"))
    ruling_number = forms.CharField(label="裁定书文号", max_length=100,
                                    error_messages={"required": "请填写裁定书文号。",
                                                    "max_length": "最多100字。"})
    ruling_date = forms.DateField(label="裁定日期", widget=forms.DateInput(),
                                  error_messages=DATE_ERRORS)
    refusal_reason = forms.CharField(label="不予确认的理由", required=False,
                                     widget=forms.Textarea(attrs={"rows": 3}))

    def clean_ruling_date(self):
        return not_in_future(self.cleaned_data["ruling_date"], "裁定日期")

    def clean(self):
        data = super().clean()
        if data.get("result") is False and not (data.get("refusal_reason") or "").strip():
            self.add_error("refusal_reason", "裁定不予确认的，须填写不予确认的理由。")
        return data


# --- litigation and enforcement (form [7]) ---------------------------------------------------

class NoteForm(Form, forms.Form):
    note = forms.CharField(label="未履行情况", widget=forms.Textarea(attrs={"rows": 4}),
                           help_text="赔偿义务人未履行或未完全履行赔偿协议的情况（SX 第二十二条）",
                           error_messages=required("请写明赔偿义务人未履行或未完全履行的情况。"))


def _dates_not_in_future(form, names):
    for name in names:
        day = form.cleaned_data.get(name)
        if day and day > timezone.localdate():
            form.add_error(name, f"{form.fields[name].label}不能晚于今天。")


class LitigationForm(Form, forms.ModelForm):
    DATES = ["filed_on", "support_requested_on", "judgment_date", "appeal_judgment_date",
             "effective_on"]

    class Meta:
        model = Litigation
        fields = ["court", "filed_on", "court_case_number", "claim_amount",
                  "procuratorate_support", "support_requested_on", "support_note",
                  "judgment_number", "judgment_date", "judgment_amount", "judgment_summary",
                  "appeal_court", "appeal_case_number", "appeal_judgment_number",
                  "appeal_judgment_date", "effective_on"]
        widgets = {**{name: forms.DateInput() for name in [
            "filed_on", "support_requested_on", "judgment_date", "appeal_judgment_date",
            "effective_on"]},
            "support_note": forms.Textarea(attrs={"rows": 2}),
            "judgment_summary": forms.Textarea(attrs={"rows": 3})}

    GROUPS = [
        ("起诉与立案", ["court", "filed_on", "court_case_number", "claim_amount"]),
        ("检察机关支持起诉（SX 第三十三条）", ["procuratorate_support", "support_requested_on",
                                     "support_note"]),
        ("一审判决", ["judgment_number", "judgment_date", "judgment_amount",
                  "judgment_summary"]),
        ("上诉", ["appeal_court", "appeal_case_number", "appeal_judgment_number",
                "appeal_judgment_date"]),
        ("判决生效", ["effective_on"]),
    ]

    def groups(self):
        return [(title, [self[n] for n in names]) for title, names in self.GROUPS]

    def clean(self):
        data = super().clean()
        _dates_not_in_future(self, self.DATES)
        filed, judged = data.get("filed_on"), data.get("judgment_date")
        if filed and judged and judged < filed:
            self.add_error("judgment_date", "判决日期不能早于立案日期。")
        effective = data.get("effective_on")
        if effective and judged and effective < judged:
            self.add_error("effective_on", "判决生效日期不能早于判决日期。")
        return data


class EnforcementForm(Form, forms.ModelForm):
    DATES = ["applied_on", "procuratorate_informed_on", "defaulter_listed_on",
             "credit_reported_on", "concluded_on"]

    respondents = ObligorMultipleChoice(
        label="被申请人", queryset=CaseObligor.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={**CHOICE_ERRORS, "required": "请选择被申请人。"})

    class Meta:
        model = Enforcement
        fields = ["court", "applied_on", "enforcement_number", "respondents", "agent", "contact",
                  "non_performance", "procuratorate_informed_on", "defaulter_listed_on",
                  "defaulter_court", "credit_reported_on", "credit_report_note", "result",
                  "concluded_on"]
        widgets = {**{name: forms.DateInput() for name in [
            "applied_on", "procuratorate_informed_on", "defaulter_listed_on",
            "credit_reported_on", "concluded_on"]},
            "non_performance": forms.Textarea(attrs={"rows": 3}),
            "credit_report_note": forms.Textarea(attrs={"rows": 2}),
            "result": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"non_performance": {"required": "请写明未履行情况。"}}

    GROUPS = [
        ("强制执行申请书（示范文本[7]）", ["court", "applied_on", "enforcement_number",
                                   "respondents", "agent", "contact", "non_performance"]),
        ("检察机关与失信惩戒（SX 第三十三条；NAT 十）",
         ["procuratorate_informed_on", "defaulter_listed_on", "defaulter_court",
          "credit_reported_on", "credit_report_note"]),
        ("执行结果", ["result", "concluded_on"]),
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["respondents"].queryset = case_obligors(self.instance.case)

    def groups(self):
        return [(title, [self[n] for n in names]) for title, names in self.GROUPS]

    def clean(self):
        data = super().clean()
        _dates_not_in_future(self, self.DATES)
        if data.get("defaulter_listed_on") and not (data.get("defaulter_court") or "").strip():
            self.add_error("defaulter_court", "请填写作出失信决定的法院。")
        return data


class PerformanceReportForm(Form, forms.ModelForm):
    file = UploadField(label="报送文件")

    class Meta:
        model = PerformanceReport
        fields = ["obligor", "organ_kind", "organ", "reported_on", "content"]
        widgets = {"reported_on": forms.DateInput(),
                   "content": forms.Textarea(attrs={"rows": 4})}
        error_messages = {"organ": {"required": "请填写报送机关。", "max_length": "最多200字。"},
                          "organ_kind": {"required": "请选择报送对象类型。"},
                          "content": {"required": "请填写履责情况。"}}

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["obligor"] = ObligorChoice(
            label="赔偿义务人", queryset=case_obligors(case),
            error_messages={**CHOICE_ERRORS, "required": "请选择赔偿义务人。"})
        self.fields["obligor"].widget.attrs["class"] = "form-select"
        self.order_fields(["obligor", "organ_kind", "organ", "reported_on", "content", "file"])
        if not self.is_bound:
            self.initial.setdefault("reported_on", timezone.localdate())

    def clean_reported_on(self):
        return not_in_future(self.cleaned_data.get("reported_on"), "报送日期")
