"""Screening rounds (线索筛查批次): the list (own department; the lead department sees its
jurisdiction and below), recording a round, and one round's page."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from accounts.models import Department
from rules.calendar import cn_date
from workflow.audit import history
from workflow.forms import StyledForm
from workflow.pagination import keyset_page

from .models import Clue, ScreeningRound, SourceChannel
from .rounds import quarter_bounds, quarter_label, quarter_of, record_round, screening_duty


class RoundForm(StyledForm, forms.ModelForm):
    clue_numbers = forms.CharField(
        label="本次筛查发现的线索", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="填写本部门已登记的线索编号，每行一个；未发现线索的可不填。")

    class Meta:
        model = ScreeningRound
        fields = ["year", "quarter", "screened_on", "scope", "channels", "note"]
        widgets = {
            "screened_on": forms.DateInput(),
            "scope": forms.Textarea(attrs={"rows": 3}),
            "note": forms.Textarea(attrs={"rows": 2}),
            "channels": forms.CheckboxSelectMultiple(),
        }
        error_messages = {
            "year": {"required": "请填写年度。", "invalid": "年度应为四位数字。",
                     "min_value": "年度不能早于2000年。", "max_value": "年度不能晚于2100年。"},
            "quarter": {"required": "请选择季度。", "invalid_choice": "请选择第一至第四季度。"},
            "screened_on": {"required": "请填写筛查日期。", "invalid": "请按“年-月-日”填写日期。"},
            "scope": {"required": "请填写筛查范围。"},
            "channels": {"required": "请至少选择一个筛查渠道。",
                         "invalid_choice": "所选渠道不可用，请重新选择。"},
        }

    def __init__(self, *args, department, **kwargs):
        super().__init__(*args, **kwargs)
        self.department = department
        self.fields["channels"].queryset = SourceChannel.objects.filter(active=True)
        self.fields["channels"].widget.attrs["class"] = "form-check-input"
        self.fields["quarter"].choices = ScreeningRound.QUARTERS
        if not self.is_bound:
            self.initial.setdefault("year", timezone.localdate().year)
            self.initial.setdefault("quarter", quarter_of(timezone.localdate())[1])

    def clean_clue_numbers(self):
        lines = self.cleaned_data["clue_numbers"].replace("，", "\n").replace(",", "\n")
        numbers = list(dict.fromkeys(n.strip() for n in lines.splitlines() if n.strip()))
        clues = list(Clue.objects.filter(department=self.department, number__in=numbers))
        found = {c.number for c in clues}
        missing = [n for n in numbers if n not in found]
        if missing:
            raise forms.ValidationError(
                [f"本部门没有编号为“{n}”的线索。" for n in missing])
        return clues

    def clean(self):
        cleaned = super().clean()
        year, quarter, day = (cleaned.get(k) for k in ("year", "quarter", "screened_on"))
        today = timezone.localdate()
        if year and quarter:
            first, last = quarter_bounds(year, int(quarter))
            if first > today:
                self.add_error("quarter", f"{quarter_label(year, int(quarter))}尚未开始。")
            elif day and not first <= day <= last:
                self.add_error("screened_on", f"筛查日期应在{quarter_label(year, int(quarter))}"
                                              f"（{cn_date(first)}至{cn_date(last)}）之内。")
        if day and day > today:
            self.add_error("screened_on", "筛查日期不能晚于今天。")
        return cleaned


class RoundFilterForm(StyledForm, forms.Form):
    year = forms.IntegerField(label="年度", required=False, min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label="季度", required=False, coerce=int, empty_value=None,
                                     choices=[("", "全部季度"), *ScreeningRound.QUARTERS])
    department = forms.ModelChoiceField(label="部门", required=False, queryset=None,
                                        empty_label="全部部门")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        department = user.department
        if department is not None and department.is_lead:
            self.fields["department"].queryset = Department.objects.filter(
                jurisdiction__path__startswith=department.jurisdiction.path).exclude(
                kind__in=[Department.Kind.PROCURATORATE, Department.Kind.FINANCE]
            ).select_related("jurisdiction")
        else:
            del self.fields["department"]

    def apply(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data.get("year"):
            queryset = queryset.filter(year=data["year"])
        if data.get("quarter"):
            queryset = queryset.filter(quarter=data["quarter"])
        if data.get("department"):
            queryset = queryset.filter(department=data["department"])
        return queryset


@login_required
@permission_required("screening.view_screeninground", raise_exception=True)
def round_list(request):
    filters = RoundFilterForm(request.GET or None, user=request.user)
    rounds = filters.apply(ScreeningRound.objects.visible_to(request.user)
                           .select_related("department", "created_by"))
    page = keyset_page(rounds, key="screened_on",
                       after=request.GET.get("after"), before=request.GET.get("before"))
    department = request.user.department
    duty = screening_duty(department, timezone.localdate()) \
        if department is not None and department.handles_claims else None
    return render(request, "screening/round_list.html", {
        "page": page, "filters": filters, "duty": duty,
        "can_add": request.user.has_perm("screening.add_screeninground")
        and department is not None and department.handles_claims,
        "query": request.GET.copy(),
    })


@login_required
@permission_required("screening.add_screeninground", raise_exception=True)
def round_create(request):
    department = request.user.department
    if department is None or not department.handles_claims:
        return render(request, "403.html", status=403)
    form = RoundForm(request.POST if request.method == "POST" else None, department=department)
    if request.method == "POST" and form.is_valid():
        screening_round = form.save(commit=False)
        screening_round.department = department
        record_round(screening_round, by=request.user,
                     channels=form.cleaned_data["channels"],
                     clues=form.cleaned_data["clue_numbers"])
        messages.success(request, f"已登记{screening_round}。")
        return redirect(screening_round.get_absolute_url())
    return render(request, "screening/round_form.html", {"form": form})


@login_required
@permission_required("screening.view_screeninground", raise_exception=True)
def round_detail(request, pk):
    screening_round = get_object_or_404(
        ScreeningRound.objects.visible_to(request.user).select_related(
            "department__jurisdiction", "created_by"), pk=pk)
    clues = screening_round.clues.select_related("channel").order_by("registered_on", "id")
    return render(request, "screening/round_detail.html", {
        "round": screening_round,
        "channels": screening_round.channels.all(),
        "clues": clues[:200],
        "clue_count": clues.count(),
        "history": history(screening_round)[:50],
    })
