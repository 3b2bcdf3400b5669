from django import forms
from django.utils import timezone

from accounts.models import Department, Jurisdiction
from parties.services import find_party
from parties.validators import normalise_code
from workflow.forms import QUICK_RENDERER, QuickSelect, StyledForm
from workflow.list_filters import LinkedFilters

from .models import Clue, SourceChannel
from .services import follow_referring_procuratorate


class ClueForm(StyledForm, forms.ModelForm):
    class Meta:
        model = Clue
        fields = [
            "channel", "referring_procuratorate", "found_on", "registered_on",
            "source_organisation", "source_reference",
            "summary", "place", "place_detail", "damage_type", "estimated_amount",
            "in_protected_area", "rectification",
        ]
        widgets = {
            "found_on": forms.DateInput(),
            "registered_on": forms.DateInput(),
            "summary": forms.Textarea(attrs={"rows": 5}),
        }
        error_messages = {
            "channel": {"required": "请选择线索渠道。"},
            "referring_procuratorate": {"invalid_choice": "请选择移送线索的检察机关。"},
            "found_on": {"required": "请填写发现日期。", "invalid": "请按“年-月-日”填写日期。"},
            "registered_on": {"required": "请填写登记日期。", "invalid": "请按“年-月-日”填写日期。"},
            "summary": {"required": "请填写线索概要。"},
            "damage_type": {"required": "请选择损害类型。"},
            "estimated_amount": {"invalid": "请填写数字金额（元），最多两位小数。",
                                 "max_decimal_places": "金额最多保留两位小数。"},
        }

    obligor_codes = forms.CharField(
        label="涉嫌赔偿义务人", required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="填写统一社会信用代码或身份证号码，每行一个；须已在当事人库中登记。")

    def __init__(self, *args, department, **kwargs):
        super().__init__(*args, **kwargs)
        self.department = department
        if self.instance.pk and not self.is_bound:
            self.initial["obligor_codes"] = "\n".join(
                p.credit_code or p.id_number for p in self.instance.suspected_obligors.all())
        self.fields["channel"].queryset = SourceChannel.objects.filter(active=True)
        self.fields["referring_procuratorate"].queryset = Department.objects.filter(
            kind=Department.Kind.PROCURATORATE).select_related("jurisdiction")
        self.fields["referring_procuratorate"].empty_label = "（非检察机关移送的不填）"
        self.previous_procuratorate_id = self.instance.referring_procuratorate_id
        self.fields["place"].queryset = Jurisdiction.objects.filter(
            path__startswith=department.jurisdiction.path)

    def _update_errors(self, errors):
        # a field its own check already refused is not reported twice by Clue.clean()
        if hasattr(errors, "error_dict"):
            errors.error_dict = {name: messages for name, messages in errors.error_dict.items()
                                 if name not in self._errors}
        super()._update_errors(errors)

    def clean_obligor_codes(self):
        parties, problems = [], []
        for line in self.cleaned_data["obligor_codes"].splitlines():
            code = normalise_code(line)
            if not code:
                continue
            party = find_party(code)
            if party is None:
                problems.append(f"当事人库中没有代码为“{code}”的当事人，请先登记该当事人。")
            elif party not in parties:
                parties.append(party)
        if problems:
            raise forms.ValidationError(problems)
        return parties

    def save(self, commit=True):
        clue = super().save(commit=commit)
        if commit:
            clue.suspected_obligors.set(self.cleaned_data["obligor_codes"])
            follow_referring_procuratorate(clue, previous_id=self.previous_procuratorate_id)
        return clue

    def clean(self):
        cleaned = super().clean()
        found, registered = cleaned.get("found_on"), cleaned.get("registered_on")
        today = timezone.localdate()
        if found and found > today:
            self.add_error("found_on", "发现日期不能晚于今天。")
        if registered and registered > today:
            self.add_error("registered_on", "登记日期不能晚于今天。")
        if found and registered and found > registered:
            self.add_error("registered_on", "登记日期不能早于发现日期。")
        return cleaned


class ClueFilterForm(StyledForm, LinkedFilters):
    default_renderer = QUICK_RENDERER  # its inputs written in Python
    # the dashboard's links (oversight/): registered in a period, where screening left it
    linked_date = "registered_on"
    linked_date_label = "登记日期"
    outcome = forms.CharField(required=False, widget=forms.HiddenInput)

    q = forms.CharField(label="编号或概要", required=False)
    state = forms.ChoiceField(label="状态", required=False, widget=QuickSelect,
                              choices=[("", "全部状态"), *Clue.State.choices])
    damage_type = forms.ChoiceField(label="损害类型", required=False, widget=QuickSelect,
                                    choices=[("", "全部类型"), *Clue.DamageType.choices])
    channel = forms.ModelChoiceField(label="线索渠道", required=False, widget=QuickSelect,
                                     queryset=SourceChannel.objects.all(),
                                     empty_label="全部渠道")

    def apply(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["q"]:
            q = data["q"].strip()
            queryset = queryset.filter(number__startswith=q) if q[:1].isdigit() else \
                queryset.filter(summary__contains=q)
        if data["state"]:
            queryset = queryset.filter(state=data["state"])
        if data["damage_type"]:
            queryset = queryset.filter(damage_type=data["damage_type"])
        if data["channel"]:
            queryset = queryset.filter(channel=data["channel"])
        if data["outcome"]:
            from .reports import outcome_expression

            queryset = queryset.alias(outcome=outcome_expression()).filter(
                outcome=data["outcome"])
        return self.apply_linked(queryset)

    def hidden_extra(self):
        return [self["outcome"]]

    def extra_linked_labels(self) -> list[str]:
        from .reports import OUTCOME_LABELS

        outcome = self.cleaned_data.get("outcome")
        return [f"筛查结果：{OUTCOME_LABELS.get(outcome, outcome)}"] if outcome else []


class NotStartForm(StyledForm, forms.Form):
    decision_reason = forms.ChoiceField(
        label="不启动理由", choices=[("", "请选择"), *Clue.NotStartReason.choices],
        error_messages={"required": "请选择法定的不启动理由。"})
    note = forms.CharField(label="核查情况及理由说明", widget=forms.Textarea(attrs={"rows": 4}),
                           error_messages={"required": "请填写核查情况及理由说明。"})

    def __init__(self, *args, assessment=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.assessment = assessment

    def clean(self):
        cleaned = super().clean()
        # CQ 四；SX 第十一条: trivial is a reason only when no exception applies.
        if cleaned.get("decision_reason") == Clue.NotStartReason.TRIVIAL and \
                self.assessment is not None and not self.assessment.may_not_start:
            self.add_error("decision_reason",
                           f"显著轻微评估不支持此理由：{self.assessment.suggestion}")
        return cleaned


class CaseOpeningForm(StyledForm, forms.Form):
    note = forms.CharField(label="案情简介及启动索赔理由", widget=forms.Textarea(attrs={"rows": 4}),
                           error_messages={"required": "请填写启动索赔理由。"})
    join_case = forms.ModelChoiceField(
        label="并入已有案件（可选）", required=False, queryset=None, empty_label="新建案件",
        help_text="同一损害的多条线索可并入一个案件")

    def __init__(self, *args, department, **kwargs):
        super().__init__(*args, **kwargs)
        from django.apps import apps

        case_model = apps.get_model("cases", "Case")
        self.fields["join_case"].queryset = case_model.objects.filter(
            department=department).order_by("-opened_on", "-id")


class ReferralForm(StyledForm, forms.Form):
    to_department = forms.ModelChoiceField(
        label="接收部门", queryset=None, error_messages={"required": "请选择接收部门。"})
    note = forms.CharField(label="移送说明", widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": "请填写移送说明（移送理由及所附证据）。"})
    copy_to = forms.ModelChoiceField(label="抄送检察机关（可选）", required=False, queryset=None,
                                     empty_label="不抄送")

    def __init__(self, *args, from_department, **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.models import Department

        self.fields["to_department"].queryset = Department.objects.exclude(
            pk=from_department.pk).exclude(
            kind__in=[Department.Kind.PROCURATORATE, Department.Kind.FINANCE]
        ).select_related("jurisdiction")
        self.fields["copy_to"].queryset = Department.objects.filter(
            kind=Department.Kind.PROCURATORATE)


class FeedbackForm(StyledForm, forms.Form):
    sent_on = forms.DateField(label="反馈日期", widget=forms.DateInput(),
                              error_messages={"required": "请填写反馈日期。",
                                              "invalid": "请按“年-月-日”填写日期。"})
    content = forms.CharField(label="反馈内容", widget=forms.Textarea(attrs={"rows": 3}),
                              error_messages={"required": "请填写反馈内容。"})
    file = forms.FileField(label="反馈文书（扫描件）", required=False)

    def clean_sent_on(self):
        sent = self.cleaned_data["sent_on"]
        if sent > timezone.localdate():
            raise forms.ValidationError("反馈日期不能晚于今天。")
        return sent

    def clean_file(self):
        from workflow.attachments import validate_upload

        uploaded = self.cleaned_data.get("file")
        if uploaded:
            validate_upload(uploaded)
        return uploaded
