"""Judicial confirmation (form [6]), litigation, enforcement (form [7]) and the report of an
obligor's performance (CQ 七(四)、八; NAT 七、八、十; SX 第二十一、二十二、三十三条)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition

from cases.models import Case, CaseObligor
from cases.models.case import CasePartQuerySet
from cases.money import money
from workflow.audit import AuditedModel
from workflow.transitions import condition

from .agreement import Agreement


class CourtRecord(FSMModelMixin, AuditedModel):
    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE,
                             related_name="+")
    court = models.CharField("人民法院", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="经办人",
                                   on_delete=models.PROTECT, related_name="+")

    objects = CasePartQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def department(self):
        return self.case.department

    @property
    def is_read_only(self) -> bool:
        return self.case.is_read_only


# --- 司法确认 ---------------------------------------------------------------------------------

@condition("须填写受理法院和申请日期")
def application_recorded(confirmation) -> bool:
    return bool(confirmation.court.strip() and confirmation.applied_on)


@condition("须附赔偿协议文本（NAT 七）")
def agreement_attached(confirmation) -> bool:
    return confirmation.agreement_file_id is not None


@condition("须附鉴定评估报告或专家意见（NAT 七）")
def appraisal_attached(confirmation) -> bool:
    return confirmation.appraisal_report_id is not None


@condition("赔偿协议须已签署且未被更正")
def agreement_in_force(confirmation) -> bool:
    return confirmation.agreement.state == Agreement.State.SIGNED


@condition("须填写裁定书文号和日期")
def ruling_recorded(confirmation) -> bool:
    return bool(confirmation.ruling_number.strip() and confirmation.ruling_date)


@condition("须填写不予确认的理由")
def refusal_reason_recorded(confirmation) -> bool:
    return bool(confirmation.refusal_reason.strip())


class JudicialConfirmation(CourtRecord):
    """An application to the competent court to confirm the agreement (form [6])."""

    class State(models.TextChoices):
        PREPARING = "preparing", "准备申请"
        FILED = "filed", "已申请"
        CONFIRMED = "confirmed", "已确认"
        REFUSED = "refused", "不予确认"

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE,
                             related_name="confirmations")
    agreement = models.ForeignKey(Agreement, verbose_name="赔偿协议", on_delete=models.PROTECT,
                                  related_name="confirmations")
    applied_on = models.DateField("申请日期", null=True, blank=True)
    agreement_file = models.ForeignKey(
        "workflow.Attachment", verbose_name="赔偿协议（签章文本）", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+")
    appraisal_report = models.ForeignKey(
        "workflow.Attachment", verbose_name="鉴定评估报告或专家意见", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+")
    ruling_number = models.CharField("裁定书文号", max_length=100, blank=True)
    ruling_date = models.DateField("裁定日期", null=True, blank=True)
    refusal_reason = models.TextField("不予确认的理由", blank=True)
    state = FSMField("状态", max_length=16, choices=State.choices, default=State.PREPARING,
                     protected=True)

    class Meta:
        verbose_name = "司法确认"
        verbose_name_plural = "司法确认"
        ordering = ["case", "id"]

    def __str__(self) -> str:
        return f"{self.case.number} 司法确认"

    def get_absolute_url(self) -> str:
        return reverse("negotiation:confirmation_detail", args=[self.pk])

    @transition(field=state, source=State.PREPARING, target=State.FILED,
                permission="cases.handle_case",
                conditions=[agreement_in_force, application_recorded, agreement_attached,
                            appraisal_attached],
                custom={"label": "提交司法确认申请", "hidden": True})
    def file(self, *, by, reason=""):
        pass

    @transition(field=state, source=State.FILED, target=State.CONFIRMED,
                permission="cases.handle_case", conditions=[ruling_recorded],
                custom={"label": "法院裁定确认协议有效", "hidden": True})
    def confirm(self, *, by, reason=""):
        pass

    @transition(field=state, source=State.FILED, target=State.REFUSED,
                permission="cases.handle_case",
                conditions=[ruling_recorded, refusal_reason_recorded],
                custom={"label": "法院裁定不予确认", "hidden": True})
    def refuse(self, *, by, reason=""):
        pass


# --- 诉讼 -------------------------------------------------------------------------------------

@condition("须填写受理法院、立案日期和案号")
def suit_filed(litigation) -> bool:
    return bool(litigation.court.strip() and litigation.filed_on
                and litigation.court_case_number.strip())


@condition("须填写判决书文号和判决日期")
def judgment_recorded(litigation) -> bool:
    return bool(litigation.judgment_number.strip() and litigation.judgment_date)


@condition("须填写上诉法院和二审案号")
def appeal_recorded(litigation) -> bool:
    return bool(litigation.appeal_court.strip() and litigation.appeal_case_number.strip())


@condition("须填写二审判决书文号和日期")
def appeal_judgment_recorded(litigation) -> bool:
    return bool(litigation.appeal_judgment_number.strip() and litigation.appeal_judgment_date)


@condition("须填写判决生效日期")
def effective_date_recorded(litigation) -> bool:
    return litigation.effective_on is not None


class Litigation(CourtRecord):
    """生态环境损害赔偿诉讼, brought when negotiation failed or an unconfirmed agreement is not
    performed (CQ 七(三)、八; SX 第十九条、第二十二条)."""

    class Origin(models.TextChoices):
        NEGOTIATION_FAILED = "negotiation_failed", "磋商不成"
        RENEGOTIATION_FAILED = "renegotiation_failed", "不予司法确认后重新磋商不成"
        CONFIRMATION_REFUSED_AGAIN = "confirmation_refused_again", "重新磋商后仍不予司法确认"
        NOT_PERFORMED = "not_performed", "未经司法确认的协议未履行"

    class State(models.TextChoices):
        PREPARING = "preparing", "准备起诉"
        FILED = "filed", "已立案"
        JUDGED = "judged", "一审已判决"
        APPEALED = "appealed", "上诉中"
        EFFECTIVE = "effective", "判决生效"

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE,
                             related_name="litigations")
    origin = models.CharField("起诉原因", max_length=32, choices=Origin.choices)
    origin_note = models.TextField("情况说明", blank=True)
    filed_on = models.DateField("立案日期", null=True, blank=True)
    court_case_number = models.CharField("案号", max_length=100, blank=True)
    claim_amount = money("诉讼请求金额（元）", null=True)
    procuratorate_support = models.BooleanField(
        "提请检察机关支持起诉", default=False, help_text="SX 第三十三条")
    support_requested_on = models.DateField("提请日期", null=True, blank=True)
    support_note = models.TextField("检察机关支持起诉情况", blank=True)
    judgment_number = models.CharField("判决书文号", max_length=100, blank=True)
    judgment_date = models.DateField("判决日期", null=True, blank=True)
    judgment_amount = money("判决赔偿金额（元）", null=True)
    judgment_summary = models.TextField("判决主要内容", blank=True)
    appeal_court = models.CharField("上诉法院", max_length=200, blank=True)
    appeal_case_number = models.CharField("二审案号", max_length=100, blank=True)
    appeal_judgment_number = models.CharField("二审判决书文号", max_length=100, blank=True)
    appeal_judgment_date = models.DateField("二审判决日期", null=True, blank=True)
    effective_on = models.DateField("判决生效日期", null=True, blank=True)
    state = FSMField("状态", max_length=16, choices=State.choices, default=State.PREPARING,
                     protected=True)

    class Meta:
        verbose_name = "诉讼"
        verbose_name_plural = "诉讼"
        ordering = ["case", "id"]

    def __str__(self) -> str:
        return f"{self.case.number} 诉讼"

    def get_absolute_url(self) -> str:
        return reverse("negotiation:litigation_detail", args=[self.pk])

    @transition(field=state, source=State.PREPARING, target=State.FILED,
                permission="cases.handle_case", conditions=[suit_filed],
                custom={"label": "法院已立案", "hidden": True})
    def file(self, *, by, reason=""):
        pass

    @transition(field=state, source=State.FILED, target=State.JUDGED,
                permission="cases.handle_case", conditions=[judgment_recorded],
                custom={"label": "一审判决", "hidden": True})
    def judge(self, *, by, reason=""):
        pass

    @transition(field=state, source=State.JUDGED, target=State.APPEALED,
                permission="cases.handle_case", conditions=[appeal_recorded],
                custom={"label": "提起上诉", "hidden": True})
    def appeal(self, *, by, reason=""):
        pass

    @transition(field=state, source=[State.JUDGED, State.APPEALED], target=State.EFFECTIVE,
                permission="cases.handle_case", conditions=[effective_date_recorded],
                custom={"label": "判决生效", "hidden": True})
    def take_effect(self, *, by, reason=""):
        pass


# --- 强制执行 ---------------------------------------------------------------------------------

@condition("须有经司法确认的赔偿协议或生效判决")
def enforceable_basis(enforcement) -> bool:
    if enforcement.basis == Enforcement.Basis.CONFIRMED_AGREEMENT:
        return bool(enforcement.confirmation and
                    enforcement.confirmation.state == JudicialConfirmation.State.CONFIRMED)
    return bool(enforcement.litigation and
                enforcement.litigation.state == Litigation.State.EFFECTIVE)


@condition("须填写执行法院、申请日期和未履行情况")
def enforcement_application_recorded(enforcement) -> bool:
    return bool(enforcement.court.strip() and enforcement.applied_on
                and enforcement.non_performance.strip())


@condition("须填写执行结果")
def enforcement_result_recorded(enforcement) -> bool:
    return bool(enforcement.result.strip() and enforcement.concluded_on)


class Enforcement(CourtRecord):
    """强制执行 of a confirmed agreement or an effective judgment not performed (form [7]; SX
    第二十二条); the court may list the obligor as 失信被执行人, reported to the credit system
    (NAT 十)."""

    class Basis(models.TextChoices):
        CONFIRMED_AGREEMENT = "confirmed_agreement", "经司法确认的赔偿协议"
        JUDGMENT = "judgment", "生效判决"

    class State(models.TextChoices):
        PREPARING = "preparing", "准备申请"
        APPLIED = "applied", "已申请执行"
        CONCLUDED = "concluded", "执行终结"

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE,
                             related_name="enforcements")
    basis = models.CharField("执行依据", max_length=24, choices=Basis.choices)
    confirmation = models.ForeignKey(JudicialConfirmation, verbose_name="司法确认",
                                     null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="enforcements")
    litigation = models.ForeignKey(Litigation, verbose_name="诉讼", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="enforcements")
    respondents = models.ManyToManyField(CaseObligor, verbose_name="被申请人",
                                         related_name="enforcements")
    agent = models.CharField("委托代理人（姓名、工作单位及职务）", max_length=200, blank=True)
    contact = models.CharField("联系方式", max_length=100, blank=True)
    non_performance = models.TextField("未履行情况",
                                       help_text="赔偿义务人在规定期限内未按要求赔偿或修复的情况")
    applied_on = models.DateField("申请日期", null=True, blank=True)
    enforcement_number = models.CharField("执行案号", max_length=100, blank=True)
    procuratorate_informed_on = models.DateField(
        "通报检察机关日期", null=True, blank=True, help_text="SX 第三十三条")
    defaulter_listed_on = models.DateField("列入失信被执行人名单日期", null=True, blank=True)
    defaulter_court = models.CharField("作出决定的法院", max_length=200, blank=True)
    credit_reported_on = models.DateField("报送信用信息系统日期", null=True, blank=True)
    credit_report_note = models.TextField("信用报送情况", blank=True)
    result = models.TextField("执行结果", blank=True)
    concluded_on = models.DateField("执行终结日期", null=True, blank=True)
    state = FSMField("状态", max_length=16, choices=State.choices, default=State.PREPARING,
                     protected=True)

    class Meta:
        verbose_name = "强制执行"
        verbose_name_plural = "强制执行"
        ordering = ["case", "id"]

    def __str__(self) -> str:
        return f"{self.case.number} 强制执行"

    def get_absolute_url(self) -> str:
        return reverse("negotiation:enforcement_detail", args=[self.pk])

    @transition(field=state, source=State.PREPARING, target=State.APPLIED,
                permission="cases.handle_case",
                conditions=[enforceable_basis, enforcement_application_recorded],
                custom={"label": "申请强制执行", "hidden": True})
    def apply(self, *, by, reason=""):
        pass

    @transition(field=state, source=State.APPLIED, target=State.CONCLUDED,
                permission="cases.handle_case", conditions=[enforcement_result_recorded],
                custom={"label": "执行终结", "hidden": True})
    def conclude(self, *, by, reason=""):
        pass


class PerformanceReport(AuditedModel):
    """鼓励履责 (CQ 七(四); NAT 八): the obligor's performance reported to an administrative
    organ (for its penalty discretion) or a judicial organ (for its case)."""

    class Organ(models.TextChoices):
        ADMINISTRATIVE = "administrative", "行政机关"
        JUDICIAL = "judicial", "司法机关"

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE,
                             related_name="performance_reports")
    obligor = models.ForeignKey(CaseObligor, verbose_name="赔偿义务人", on_delete=models.PROTECT,
                                related_name="+")
    organ_kind = models.CharField("报送对象类型", max_length=16, choices=Organ.choices)
    organ = models.CharField("报送机关", max_length=200)
    reported_on = models.DateField("报送日期", default=timezone.localdate)
    content = models.TextField("履责情况")
    file = models.ForeignKey("workflow.Attachment", verbose_name="报送文件", null=True,
                             blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人",
                                    on_delete=models.PROTECT, related_name="+")

    objects = CasePartQuerySet.as_manager()

    class Meta:
        verbose_name = "履责情况报送"
        verbose_name_plural = "履责情况报送"
        ordering = ["case", "reported_on", "id"]

    def __str__(self) -> str:
        return f"{self.obligor.party.name} 履责情况报送{self.organ}"
