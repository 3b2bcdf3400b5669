from django import forms
from django.utils import timezone

from parties.services import find_party
from parties.validators import normalise_code
from workflow.attachments import validate_upload
from workflow.forms import QUICK_RENDERER, QuickSelect, StyledForm
from workflow.list_filters import LinkedFilters

from .models import Case, CaseObligor, Evidence, Investigation


class InitiationForm(StyledForm, forms.ModelForm):
    """索赔启动登记表 (form [1]): 案件来源, 案由, 案情简介及启动索赔理由."""

    class Meta:
        model = Case
        fields = ["source", "cause", "summary", "damage_place", "estimated_amount",
                  "fees_amount", "court_notified_on", "procuratorate_notified_on"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 5}),
                   "court_notified_on": forms.DateInput(),
                   "procuratorate_notified_on": forms.DateInput()}
        error_messages = {
            "source": {"required": "请填写案件来源。"},
            "cause": {"required": "请填写案由。"},
            "estimated_amount": {"invalid": "请填写数字金额（元），最多两位小数。"},
            "fees_amount": {"invalid": "请填写数字金额（元），最多两位小数。"},
        }

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        for name in ("court_notified_on", "procuratorate_notified_on"):
            day = cleaned.get(name)
            if day and day > today:
                self.add_error(name, "告知日期不能晚于今天。")
            if day and self.instance.investigation_started_on is None:
                self.add_error(name, "调查尚未开始，不能记录告知日期（CQ 十二；SX 第三十一条）。")
            elif day and day < self.instance.investigation_started_on:
                self.add_error(name, "告知日期不能早于调查开始日期。")
        return cleaned


class ObligorForm(StyledForm, forms.Form):
    code = forms.CharField(label="统一社会信用代码或身份证号码",
                           error_messages={"required": "请填写代码。"})
    role = forms.ChoiceField(label="身份", choices=CaseObligor.Role.choices)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case

    def clean_code(self):
        code = normalise_code(self.cleaned_data["code"])
        party = find_party(code)
        if party is None:
            raise forms.ValidationError(f"当事人库中没有代码为“{code}”的当事人，请先登记该当事人。")
        if self.case.obligor_links.filter(party=party).exists():
            raise forms.ValidationError(f"{party.name}已是本案赔偿义务人。")
        return party


class InvestigationForm(StyledForm, forms.ModelForm):
    """生态环境损害调查情况登记表 (form [2])."""

    class Meta:
        model = Investigation
        fields = ["team", "process", "damage_facts", "obligor_notes", "causation",
                  "legal_basis", "suggestion"]
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in
                   ["process", "damage_facts", "obligor_notes", "causation", "legal_basis",
                    "suggestion"]}

    def __init__(self, *args, team_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = team_choices


class EvidenceForm(StyledForm, forms.ModelForm):
    file = forms.FileField(label="文件", required=False)

    class Meta:
        model = Evidence
        fields = ["kind", "title", "collected_on", "description"]
        widgets = {"collected_on": forms.DateInput(),
                   "description": forms.Textarea(attrs={"rows": 2})}
        error_messages = {"kind": {"required": "请选择证据类型。"},
                          "title": {"required": "请填写证据名称。"}}

    def clean_collected_on(self):
        day = self.cleaned_data["collected_on"]
        if day and day > timezone.localdate():
            raise forms.ValidationError("取得日期不能晚于今天。")
        return day

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if uploaded:
            validate_upload(uploaded)
        return uploaded


class ReasonForm(StyledForm, forms.Form):
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 4}),
                             error_messages={"required": "请填写理由。"})


class CaseFilterForm(StyledForm, LinkedFilters):
    default_renderer = QUICK_RENDERER  # its inputs written in Python
    # the dashboard's links (oversight/): opened in a period, damage type, terminated or
    # closed (结案) in a period — the day the approval of 索赔终止 / 结案 was given
    linked_date = "opened_on"
    linked_date_label = "启动日期"
    damage_type = forms.CharField(required=False, widget=forms.HiddenInput)
    ended_from = forms.DateField(required=False, widget=forms.HiddenInput)
    ended_to = forms.DateField(required=False, widget=forms.HiddenInput)

    stage = forms.ChoiceField(label="阶段", required=False, widget=QuickSelect,
                              choices=[("", "全部阶段"), *Case.Stage.choices])
    classification = forms.ChoiceField(label="类别", required=False, widget=QuickSelect,
                                       choices=[("", "全部类别"), *Case.Classification.choices])
    q = forms.CharField(label="编号或案由", required=False)
    mine = forms.BooleanField(label="我的案件", required=False,
                              help_text="我是经办人或调查人员的案件")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def apply(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["mine"] and self.user is not None:
            from .selectors import my_cases_q

            queryset = queryset.filter(my_cases_q(self.user))
        if data["stage"]:
            queryset = queryset.filter(stage=data["stage"])
        if data["classification"]:
            queryset = queryset.filter(classification=data["classification"])
        if data["q"]:
            q = data["q"].strip()
            queryset = queryset.filter(number__startswith=q) if q[:1].isdigit() else \
                queryset.filter(cause__contains=q)
        if data["damage_type"]:
            queryset = queryset.filter(damage_type=data["damage_type"])
        if data["ended_from"] or data["ended_to"]:
            queryset = queryset.filter(pk__in=ended_between(data["ended_from"], data["ended_to"]))
        return self.apply_linked(queryset)

    def hidden_extra(self):
        return [self["damage_type"], self["ended_from"], self["ended_to"]]

    def extra_linked_labels(self) -> list[str]:
        from screening.models import Clue

        data, labels = self.cleaned_data, []
        if data.get("damage_type"):
            labels.append("损害类型：" + dict(Clue.DamageType.choices).get(
                data["damage_type"], data["damage_type"]))
        if data.get("ended_from") or data.get("ended_to"):
            def day(d):
                return f"{d.year}年{d.month}月{d.day}日" if d else "……"
            labels.append(f"终止或结案批准日期：{day(data.get('ended_from'))}至"
                          f"{day(data.get('ended_to'))}")
        return labels


ENDING_APPROVALS = ("case_termination", "case_closing")


def ended_between(start, end):
    """Ids of the cases whose 索赔终止 or 结案 was approved between the two days (Beijing time):
    the approval request's closing time is when the case reached 索赔终止 / 结案."""
    from django.contrib.contenttypes.models import ContentType

    from workflow.models import ApprovalRequest

    qs = ApprovalRequest.objects.filter(
        content_type=ContentType.objects.get_for_model(Case), action__in=ENDING_APPROVALS,
        status=ApprovalRequest.Status.APPROVED)
    if start:
        qs = qs.filter(closed_at__date__gte=start)
    if end:
        qs = qs.filter(closed_at__date__lte=end)
    return qs.values("object_id")


class JointHandlingForm(StyledForm, forms.ModelForm):
    """The lead department's coordinator designates joint departments and the lead for a
    multi-department case (CQ 一; SX 第七条)."""

    class Meta:
        model = Case
        fields = ["participants", "lead_department"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.models import Department

        below = self.instance.jurisdiction.path
        not_handling = [Department.Kind.PROCURATORATE, Department.Kind.FINANCE]
        # joint handling is for departments that handle claims; a referring or invited
        # procuratorate (SX 第八条、第三十三条) takes part through its own services and is kept
        self.fields["participants"].queryset = Department.objects.filter(
            jurisdiction__path__startswith=below).exclude(
            pk=self.instance.department_id).exclude(kind__in=not_handling)
        self.fields["lead_department"].queryset = Department.objects.filter(
            jurisdiction__path__startswith=below).exclude(kind__in=not_handling)
        self.fields["participants"].widget.attrs["size"] = 8
        self.kept_participants = list(
            self.instance.participants.filter(kind__in=not_handling)) if self.instance.pk else []

    def _save_m2m(self):
        super()._save_m2m()
        self.instance.participants.add(*self.kept_participants)

    def clean(self):
        cleaned = super().clean()
        lead, joined = cleaned.get("lead_department"), cleaned.get("participants")
        if lead and lead != self.instance.department and (joined is None or lead not in joined):
            self.add_error("lead_department", "牵头办案部门须为办案部门或参与的联合办案部门。")
        return cleaned
