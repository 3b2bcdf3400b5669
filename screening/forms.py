from django import forms
from django.utils import timezone

from accounts.models import Jurisdiction
from workflow.forms import StyledForm

from .models import Clue, SourceChannel


class ClueForm(StyledForm, forms.ModelForm):
    class Meta:
        model = Clue
        fields = [
            "channel", "found_on", "registered_on", "source_organisation", "source_reference",
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
            "found_on": {"required": "请填写发现日期。", "invalid": "请按“年-月-日”填写日期。"},
            "registered_on": {"required": "请填写登记日期。", "invalid": "请按“年-月-日”填写日期。"},
            "summary": {"required": "请填写线索概要。"},
            "damage_type": {"required": "请选择损害类型。"},
            "estimated_amount": {"invalid": "请填写数字金额（元），最多两位小数。",
                                 "max_decimal_places": "金额最多保留两位小数。"},
        }

    def __init__(self, *args, department, **kwargs):
        super().__init__(*args, **kwargs)
        self.department = department
        self.fields["channel"].queryset = SourceChannel.objects.filter(active=True)
        self.fields["place"].queryset = Jurisdiction.objects.filter(
            path__startswith=department.jurisdiction.path)

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


class ClueFilterForm(StyledForm, forms.Form):
    q = forms.CharField(label="编号或概要", required=False)
    state = forms.ChoiceField(label="状态", required=False,
                              choices=[("", "全部状态"), *Clue.State.choices])
    damage_type = forms.ChoiceField(label="损害类型", required=False,
                                    choices=[("", "全部类型"), *Clue.DamageType.choices])
    channel = forms.ModelChoiceField(label="线索渠道", required=False,
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
        return queryset
