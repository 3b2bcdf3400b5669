"""Forms of the restoration and fund pages: Chinese labels and messages; the services check
the rules and their refusals come back next to the fields (views.show_errors)."""

from django import forms
from django.utils import timezone

from accounts.models import Department, Jurisdiction
from negotiation.models import PaymentKind, RestorationMode
from workflow.attachments import validate_upload
from workflow.formatting import amount as yuan_text
from workflow.forms import StyledForm
from workflow.list_filters import LinkedFilters

from .models import AlternativeProject, FundAccount, RestorationProject, SpendingRequest

DATE_ERRORS = {"required": "请填写日期。", "invalid": "请按“年-月-日”填写日期。"}
AMOUNT_ERRORS = {
    "required": "请填写金额。",
    "invalid": "请填写金额（元），最多两位小数。",
    "min_value": "金额须大于零。",
    "max_digits": "金额超出可登记的范围。",
    "max_decimal_places": "金额最多两位小数。",
    "max_whole_digits": "金额超出可登记的范围。",
}


def date_field(label: str, *, required: bool = True, help_text: str = "",
               today: bool = False) -> forms.DateField:
    field = forms.DateField(label=label, required=required, widget=forms.DateInput(),
                            error_messages=DATE_ERRORS, help_text=help_text)
    field.default_today = today
    return field


def amount_field(label: str, *, required: bool = True, zero: bool = False,
                 help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(label=label, required=required, max_digits=14, decimal_places=2,
                              min_value=0 if zero else None, help_text=help_text,
                              error_messages=AMOUNT_ERRORS)


def text_field(label: str, *, required: bool = True, rows: int = 3, max_length=None,
               help_text: str = "") -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(label=label, required=required, max_length=max_length,
                           widget=widget, help_text=help_text,
                           error_messages={"required": f"请填写{label}。",
                                           "max_length": "最多%(limit_value)d字。"})


def file_field(label: str, *, required: bool = False, help_text: str = "") -> forms.FileField:
    return forms.FileField(label=label, required=required, help_text=help_text,
                           error_messages={"required": f"请上传{label}。"})


class Form(StyledForm, forms.Form):
    """Dates marked default_today start as today on a new form."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            for name, field in self.fields.items():
                if getattr(field, "default_today", False):
                    self.initial.setdefault(name, timezone.localdate())

    def clean(self):
        data = super().clean()
        for name, field in self.fields.items():
            if isinstance(field, forms.FileField) and data.get(name) and \
                    not isinstance(data[name], list):
                try:
                    validate_upload(data[name])
                except forms.ValidationError as exc:
                    self.add_error(name, exc)
        return data


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


# --- projects ---------------------------------------------------------------------------------

class ProjectForm(Form):
    """A project opened by hand: before the agreement (CQ 十三; SX 第三十条) or from a
    judgment."""

    item = text_field("修复事项", rows=0, max_length=200)
    mode = forms.ChoiceField(label="修复方式", choices=[("", "请选择")] + RestorationMode.choices,
                             error_messages={"required": "请选择修复方式。",
                                             "invalid_choice": "请选择修复方式。"})
    target = text_field("修复目标")
    obligor = forms.ModelChoiceField(label="履行义务人", required=False, queryset=None,
                                     empty_label="全体赔偿义务人",
                                     error_messages={"invalid_choice": "请重新选择。"})
    place = text_field("修复地点", rows=0, required=False, max_length=200)
    estimated_cost = amount_field("修复费用（元）", required=False)
    start_by = date_field("开工期限", required=False)
    finish_by = date_field("完成期限", required=False)
    assessment_by = date_field("效果评估期限", required=False)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["obligor"].queryset = case.obligor_links.select_related("party")

    def service_kwargs(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items()}


class PlanForm(Form):
    summary = text_field("修复方案概要", rows=4)
    drafted_on = date_field("方案编制日期", today=True)
    plan_file = file_field("修复方案", help_text="修复方案文本（SX 第二十六条(一)）")
    place = text_field("修复地点", rows=0, required=False, max_length=200)


class ReviewForm(Form):
    reviewed_on = date_field("专家论证日期", today=True)
    experts = text_field("论证专家", rows=0, max_length=300)
    opinion = text_field("专家论证意见")
    review_file = file_field("专家论证意见文件")


class FilingForm(Form):
    filed_on = date_field("备案日期", today=True)
    filing_number = text_field("备案编号", rows=0, max_length=100)


class StartForm(Form):
    started_on = date_field("开工日期", today=True)


class SiteVisitForm(Form):
    visited_on = date_field("检查日期", today=True)
    visitors = text_field("检查人员", rows=0, max_length=300)
    findings = text_field("检查情况", rows=4)
    progress = forms.IntegerField(label="现场核实进度（%）", required=False, min_value=0,
                                  max_value=100,
                                  error_messages={"invalid": "请填写0至100的整数。",
                                                  "min_value": "进度不能小于0%。",
                                                  "max_value": "进度不能超过100%。"})
    procuratorate_present = forms.BooleanField(label="检察机关参加", required=False)
    photos = MultipleFileField(label="现场照片", required=False,
                               help_text="可一次选择多张照片")

    def clean(self):
        data = super().clean()
        for photo in data.get("photos") or []:
            try:
                validate_upload(photo)
            except forms.ValidationError as exc:
                self.add_error("photos", exc)
        return data


class InviteForm(Form):
    procuratorate = forms.ModelChoiceField(label="检察机关", queryset=Department.objects.none(),
                                           error_messages={"required": "请选择检察机关。",
                                                           "invalid_choice": "请重新选择。"})
    invited_on = date_field("邀请日期", today=True)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        path = project.case.jurisdiction.path
        self.fields["procuratorate"].queryset = Department.objects.filter(
            kind=Department.Kind.PROCURATORATE).filter(
            jurisdiction__path__startswith=path).order_by("jurisdiction__path", "name")


class CompletionForm(Form):
    reported_on = date_field("完工通报日期", today=True)
    note = text_field("完成情况", rows=4)
    completion_file = file_field("完工通报")


class AssessmentForm(Form):
    assessor = text_field("评估单位", rows=0, max_length=200)
    started_on = date_field("评估开始日期", today=True)


class ConclusionForm(Form):
    result = forms.ChoiceField(label="评估结论",
                               choices=[("", "请选择"), ("passed", "达到修复目标"),
                                        ("failed", "未达到修复目标，继续修复")],
                               error_messages={"required": "请选择评估结论。"})
    concluded_on = date_field("评估完成日期", today=True)
    conclusion = text_field("评估意见", rows=4)
    report = file_field("效果评估报告", required=True)


class WaiverForm(Form):
    reason = forms.ChoiceField(label="不组织效果评估的情形",
                               choices=[("", "请选择")] + RestorationProject.Waiver.choices,
                               widget=forms.Select,
                               error_messages={"required": "请选择不组织效果评估的情形。"},
                               help_text="CQ 十四；SX 第二十七条")
    note = text_field("说明", required=False)
    report = file_field("已形成的报告", help_text="以监测、验收、调查报告代替的，须上传该报告")


class EarlyEndForm(Form):
    reason = forms.ChoiceField(label="终止修复的情形",
                               choices=[("", "请选择")] + RestorationProject.EndReason.choices,
                               error_messages={"required": "请选择终止修复的情形。"},
                               help_text="SX 第二十九条")
    note = text_field("情况说明", rows=4)
    amount = amount_field("未完成部分应缴纳的赔偿资金（元）", zero=True,
                          help_text="终止修复后依法缴纳赔偿资金；无需缴纳的填0")
    due_on = date_field("缴纳期限", required=False)


class LabourForm(Form):
    unit = forms.ChoiceField(label="劳务计量单位",
                             choices=[("", "请选择")] + RestorationProject.LabourUnit.choices,
                             error_messages={"required": "请选择劳务计量单位。"})
    quantity = forms.DecimalField(label="劳务时长", max_digits=10, decimal_places=1,
                                  min_value=0,
                                  error_messages={**AMOUNT_ERRORS, "required": "请填写劳务时长。",
                                                  "invalid": "请填写劳务时长，最多一位小数。",
                                                  "max_decimal_places": "最多一位小数。"})
    unit_value = amount_field("单位劳务价值（元）")


class AlternativeChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.place}，{obj.get_kind_display()}）"


class AlternativeForm(Form):
    alternative = AlternativeChoice(label="替代修复项目", queryset=AlternativeProject.objects.none(),
                                    error_messages={"required": "请选择替代修复项目。",
                                                    "invalid_choice": "请重新选择。"})
    amount = amount_field("占用项目预算（元）", required=False)
    quantity = forms.DecimalField(label="占用项目规模", required=False, max_digits=14,
                                  decimal_places=2, error_messages=AMOUNT_ERRORS)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["alternative"].queryset = AlternativeProject.objects.available_for(
            project.case).order_by("name")
        if not self.is_bound and project.alternative_project_id:
            self.initial.update(alternative=project.alternative_project_id,
                                amount=project.allocated_amount,
                                quantity=project.allocated_quantity)


class ExecutorForm(Form):
    name = text_field("受委托第三方机构名称", rows=0, max_length=200)
    credit_code = text_field("统一社会信用代码", rows=0, max_length=30)


class LibraryForm(StyledForm, forms.ModelForm):
    class Meta:
        model = AlternativeProject
        fields = ["name", "place", "kind", "description", "capacity", "capacity_unit", "budget",
                  "status"]
        error_messages = {"name": {"required": "请填写项目名称。"},
                          "place": {"required": "请填写项目地点。"},
                          "kind": {"required": "请选择项目类型。"}}

    def clean(self):
        data = super().clean()
        if data.get("capacity") is None and data.get("budget") is None:
            raise forms.ValidationError("请填写可承接规模或项目预算（至少一项）。")
        for name in ("capacity", "budget"):
            if data.get(name) is not None and data[name] <= 0:
                self.add_error(name, "须大于零。")
        if data.get("capacity") is not None and not (data.get("capacity_unit") or "").strip():
            self.add_error("capacity_unit", "请填写规模单位（如亩、尾）。")
        return data


class ClosingForm(Form):
    summary = text_field("结案说明", rows=4,
                         help_text="修复、效果评估、赔偿资金缴纳和保证金的履行情况")


# --- funds --------------------------------------------------------------------------------------

class PaymentForm(Form):
    paid_on = date_field("缴款日期", today=True)
    amount = amount_field("缴款金额（元）")
    receipt_number = text_field("非税收入缴款票据号", rows=0, max_length=60)
    payer = text_field("缴款人", rows=0, max_length=200, required=False,
                       help_text="不填为缴纳义务人")
    receipt_file = file_field("缴款凭证")
    note = text_field("备注", rows=0, required=False, max_length=200)


class PayeeForm(Form):
    cross_county = forms.BooleanField(label="同一损害行为涉及市域内跨县（市、区）", required=False,
                                      help_text="NT 三(十一)：原则上缴入损害结果发生地国库")
    damage_jurisdiction = forms.ModelChoiceField(
        label="损害结果发生地", required=False, queryset=Jurisdiction.objects.none(),
        error_messages={"invalid_choice": "请重新选择。"})

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["damage_jurisdiction"].queryset = Jurisdiction.objects.filter(
            level=Jurisdiction.Level.COUNTY, path__startswith=case.jurisdiction.path)


INSTALMENT_ROWS = 6


class InstalmentsForm(Form):
    guarantee = text_field("担保情况", help_text="分期缴纳须有有效担保（NT 三(九)；SX 第二十五条）",
                           required=False)
    guarantee_file = file_field("担保文件")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, INSTALMENT_ROWS + 1):
            self.fields[f"amount_{i}"] = amount_field(f"第{i}期金额（元）", required=False)
            self.fields[f"due_{i}"] = date_field(f"第{i}期期限", required=False)

    @property
    def rows(self):
        return [(self[f"amount_{i}"], self[f"due_{i}"]) for i in range(1, INSTALMENT_ROWS + 1)]

    def schedule(self) -> list:
        rows = []
        for i in range(1, INSTALMENT_ROWS + 1):
            amount, due = self.cleaned_data.get(f"amount_{i}"), self.cleaned_data.get(f"due_{i}")
            if amount is None and due is None:
                continue
            if amount is None or due is None:
                self.add_error(f"amount_{i}" if amount is None else f"due_{i}",
                               "每期须同时填写金额和期限。")
                continue
            rows.append((amount, due))
        return rows


class ExtendForm(Form):
    due_on = date_field("新的缴纳期限")
    reason = text_field("延期理由")
    guarantee = text_field("担保情况", required=False,
                           help_text="延期缴纳须有有效担保（NT 三(九)；SX 第二十五条）；已登记的可不填")
    guarantee_file = file_field("担保文件")


class JudgmentObligationForm(Form):
    obligor = forms.ModelChoiceField(label="缴纳义务人", queryset=None,
                                     error_messages={"required": "请选择缴纳义务人。",
                                                     "invalid_choice": "请重新选择。"})
    kind = forms.ChoiceField(label="款项", choices=[("", "请选择")] + PaymentKind.choices,
                             error_messages={"required": "请选择款项。"})
    amount = amount_field("应缴金额（元）")
    due_on = date_field("缴纳期限")
    supersede_agreement = forms.BooleanField(
        label="判决取代未履行的赔偿协议", required=False,
        help_text="勾选后，协议中尚未缴清的赔偿金一并撤销，避免重复计算")

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["obligor"].queryset = case.obligor_links.select_related("party")


class PursueForm(Form):
    note = text_field("未履行情况", rows=4,
                      help_text="赔偿义务人在规定期限内未按要求赔偿或修复的情况")


class DepositReceiveForm(Form):
    on = date_field("收取日期", today=True)
    amount = amount_field("收取金额（元）")
    reference = text_field("收款票据号", rows=0, max_length=60)
    file = file_field("收款凭证")


class DepositRefundForm(Form):
    on = date_field("退还日期", today=True)
    reference = text_field("退款凭证号", rows=0, max_length=60)
    note = text_field("说明", required=False)


class DepositApplyForm(Form):
    project = forms.ModelChoiceField(label="用于修复项目", queryset=None,
                                     error_messages={"required": "请选择修复项目。",
                                                     "invalid_choice": "请重新选择。"})
    cost = amount_field("组织修复所需费用（元）")
    on = date_field("使用日期", today=True)
    note = text_field("赔偿义务人未履行修复义务的情况", rows=4)
    due_on = date_field("不足部分缴纳期限", required=False,
                        help_text="保证金不足以支付修复费用的，不足部分继续追偿（NT 三(十一)）")

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = case.restoration_projects.exclude(
            state__in=RestorationProject.DONE)


class AccountChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.treasury.name}国库 · {obj.get_fund_display()}（结余{yuan_text(obj.balance)}）"


class SpendingForm(Form):
    account = AccountChoice(label="资金账户", queryset=FundAccount.objects.none(),
                            error_messages={"required": "请选择资金账户。",
                                            "invalid_choice": "请重新选择。"})
    purpose_kind = forms.ChoiceField(
        label="用途", choices=[("", "请选择")] + SpendingRequest.Purpose.choices,
        error_messages={"required": "请选择用途。"},
        help_text="警示片、教育基地、普法宣传只能使用惩罚性赔偿金（NT 三(十一)）")
    restoration_project = forms.ModelChoiceField(
        label="修复项目", required=False, queryset=RestorationProject.objects.none(),
        error_messages={"invalid_choice": "请重新选择。"})
    alternative_project = AlternativeChoice(
        label="替代修复项目", required=False, queryset=AlternativeProject.objects.none(),
        error_messages={"invalid_choice": "请重新选择。"})
    purpose = text_field("用途说明", rows=4)
    budget = amount_field("申请金额（元）")
    budget_file = file_field("支出预算")

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = case.fund_accounts.select_related("treasury")
        self.fields["restoration_project"].queryset = case.restoration_projects.exclude(
            state=RestorationProject.State.WITHDRAWN)
        self.fields["alternative_project"].queryset = AlternativeProject.objects.filter(
            jurisdiction__path__startswith=case.jurisdiction.path).order_by("name")


class ReviewSpendingForm(Form):
    decision = forms.ChoiceField(label="审核结果",
                                 choices=[("", "请选择"), ("approve", "同意"), ("return", "退回")],
                                 error_messages={"required": "请选择审核结果。"})
    approved_amount = amount_field("核定金额（元）", required=False,
                                   help_text="同意的，不填为申请金额")
    opinion = text_field("审核意见")


class PayOutForm(Form):
    paid_on = date_field("支付日期", today=True)
    voucher_number = text_field("支付凭证号", rows=0, max_length=60)


class ProjectLinkedFilters(LinkedFilters):
    """The dashboard's links to the project list (oversight/): the case's jurisdiction,
    department and damage type."""

    linked_jurisdiction = "case__jurisdiction"
    linked_department = "case__department"
    damage_type = forms.CharField(required=False, widget=forms.HiddenInput)

    def apply(self, queryset):
        queryset = self.apply_linked(queryset)
        if self.is_valid() and self.cleaned_data["damage_type"]:
            queryset = queryset.filter(case__damage_type=self.cleaned_data["damage_type"])
        return queryset

    def hidden_extra(self):
        return [self["damage_type"]]

    def extra_linked_labels(self) -> list[str]:
        from screening.models import Clue

        kind = self.cleaned_data.get("damage_type")
        return [f"损害类型：{dict(Clue.DamageType.choices).get(kind, kind)}"] if kind else []
