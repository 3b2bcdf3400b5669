from django import forms

from accounts.models import Department, Jurisdiction
from screening.models import Clue
from workflow.forms import StyledForm
from workflow.views_deadlines import departments_in_scope

from . import periods
from .selection import Selection

CUSTOM = "custom"
MAX_CUSTOM_DAYS = 366 * 5
DATE_ERRORS = {"invalid": "请输入有效的日期，如2026-07-01。"}


class DashboardFilterForm(StyledForm, forms.Form):
    """The dashboard's filters: period, jurisdiction, department, damage type. Jurisdictions
    and departments offered are those of the user's scope; any other value is refused."""

    period = forms.ChoiceField(label="统计期间", required=False)
    start = forms.DateField(label="起始日期", required=False, widget=forms.DateInput(),
                            error_messages=DATE_ERRORS)
    end = forms.DateField(label="截止日期", required=False, widget=forms.DateInput(),
                          error_messages=DATE_ERRORS)
    jurisdiction = forms.ModelChoiceField(
        label="行政区", queryset=Jurisdiction.objects.none(), required=False,
        empty_label="全部（本级及下级）",
        error_messages={"invalid_choice": "所选行政区不在您的数据范围内。"})
    department = forms.ModelChoiceField(
        label="办理部门", queryset=Department.objects.none(), required=False,
        empty_label="全部部门",
        error_messages={"invalid_choice": "所选部门不在您的数据范围内。"})
    damage_type = forms.ChoiceField(label="损害类型", required=False,
                                    choices=[("", "全部类型"), *Clue.DamageType.choices],
                                    error_messages={"invalid_choice": "请选择列出的损害类型。"})

    def __init__(self, *args, user, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.today = user, today
        self.default_period = periods.quarter_of(today)
        self.fields["period"].choices = [*periods.choices(today), (CUSTOM, "自定义起止日期")]
        self.fields["period"].error_messages["invalid_choice"] = "请选择列出的统计期间。"
        department = getattr(user, "department", None)
        if department is not None:
            self.fields["jurisdiction"].queryset = Jurisdiction.objects.filter(
                path__startswith=department.jurisdiction.path).order_by("path")
            self.fields["department"].queryset = departments_in_scope(user)

    def clean(self):
        data = super().clean()
        if data.get("period") == CUSTOM:
            start, end = data.get("start"), data.get("end")
            if start is None and "start" not in self.errors:
                self.add_error("start", "自定义期间须填写起始日期。")
            if end is None and "end" not in self.errors:
                self.add_error("end", "自定义期间须填写截止日期。")
            if start and end:
                if end < start:
                    self.add_error("end", "截止日期不能早于起始日期。")
                elif (end - start).days > MAX_CUSTOM_DAYS:
                    self.add_error("end", "自定义期间不能超过5年。")
        return data

    def selection(self) -> Selection:
        """The selection of valid filters (an unbound form: this quarter, the whole scope)."""
        data = self.cleaned_data if self.is_bound else {}
        code = data.get("period") or ""
        if code == CUSTOM:
            period = periods.custom(data["start"], data["end"])
        else:
            period = periods.parse(code) or self.default_period
        return Selection(user=self.user, period=period, today=self.today,
                         jurisdiction=data.get("jurisdiction"),
                         department=data.get("department"),
                         damage_type=data.get("damage_type") or "")

