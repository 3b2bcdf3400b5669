"""Appraisal (鉴定评估) of a case's damage, and the two registries it draws on.

- An appraisal institution (鉴定机构) that issues a 鉴定意见 / 鉴定评估报告: an environmental-damage
  judicial-appraisal institution, or one recommended by a State Council department; it may be
  commissioned jointly with the obligor (SX 第十四条; NAT 五; CQ 六).
- An expert panel (专家评估, 专家意见) of at least the profile's `simple.expert_panel_min` experts
  from an expert pool (SX 第十五条; CQ 九).
- A comprehensive determination (综合认定) by the department from the case's legal documents and
  monitoring reports (SX 第十五条(二); CQ 九; NAT 五).

The two simplified methods are for simple cases; others need an institution unless a division
or department head allowed otherwise (issue 4), which is recorded on the appraisal. The period
is `appraisal.period` of the case's profile (SX 第十四条: 30 working days from the entrustment,
at most 60 when complex, the client told of the extension): one workflow.Deadline whose subject
is the appraisal. The result must say whether the damage can be restored, and for a partly
restorable one the area and requirements (SX 第十六条; CQ 六; NAT 五).

State changes run through workflow.transitions.perform; cases/appraisal.py holds the services
(entrust, extend_appraisal, record_result, cancel_appraisal)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django_fsm import FSMField, transition

from cases.money import money
from parties.validators import normalise_code, validate_credit_code
from workflow.audit import AuditedModel

from .case import Case


class AppraisalInstitution(AuditedModel):
    """An institution that may be entrusted with an appraisal (SX 第十四条)."""

    class Qualification(models.TextChoices):
        JUDICIAL = "judicial", "环境损害司法鉴定机构（司法鉴定许可证）"
        RECOMMENDED = "recommended", "国务院相关主管部门推荐的鉴定评估机构（推荐名录）"
        OTHER = "other", "其他"

    name = models.CharField("机构名称", max_length=200)
    credit_code = models.CharField(
        "统一社会信用代码", max_length=18, unique=True, validators=[validate_credit_code],
        help_text="18位，GB 32100-2015")
    qualification = models.CharField("资质类型", max_length=16, choices=Qualification.choices)
    qualification_number = models.CharField(
        "资质证号或推荐文件", max_length=200,
        help_text="司法鉴定许可证号，或推荐名录的发布部门与文号")
    qualification_valid_until = models.DateField(
        "资质有效期至", null=True, blank=True, help_text="过期后不能再委托")
    fields_covered = models.TextField(
        "鉴定评估领域", blank=True,
        help_text="如：污染物性质鉴定；地表水与沉积物；土壤与地下水；生态系统；环境大气")
    address = models.CharField("地址", max_length=200, blank=True)
    contact = models.CharField("联系人及电话", max_length=100, blank=True)
    active = models.BooleanField("可委托", default=True)

    class Meta:
        verbose_name = "鉴定评估机构"
        verbose_name_plural = "鉴定评估机构"
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.credit_code = normalise_code(self.credit_code)
        super().save(*args, **kwargs)


class Expert(AuditedModel):
    """An expert of an expert pool (专家库) or committee (SX 第十五条; CQ 九; NAT 五)."""

    class Pool(models.TextChoices):
        NATIONAL = "national", "国家级专家库"
        PROVINCIAL = "provincial", "省级专家库"
        CITY = "city", "市级专家库"
        COURT = "court", "人民法院专家库"
        PROCURATORATE = "procuratorate", "人民检察院专家库"
        COMMITTEE = "committee", "专家委员会"
        OTHER = "other", "其他相关领域专家库"

    name = models.CharField("姓名", max_length=50)
    field = models.CharField("专业领域", max_length=100)
    organisation = models.CharField("工作单位", max_length=200)
    organisation_credit_code = models.CharField(
        "工作单位统一社会信用代码", max_length=18, blank=True,
        validators=[validate_credit_code],
        help_text="可不填；填写后用于核对专家是否来自赔偿义务人单位")
    pool = models.CharField("所属专家库", max_length=16, choices=Pool.choices)
    title = models.CharField("职称", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    active = models.BooleanField("可选用", default=True)

    class Meta:
        verbose_name = "评估专家"
        verbose_name_plural = "评估专家"
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["organisation_credit_code"], name="expert_org_code")]

    def __str__(self) -> str:
        return f"{self.name}（{self.organisation}）"

    def save(self, *args, **kwargs):
        self.organisation_credit_code = normalise_code(self.organisation_credit_code)
        super().save(*args, **kwargs)


class AppraisalQuerySet(models.QuerySet):
    """An appraisal is seen and handled by whoever may see or handle its case (the one
    scoping rule, accounts/scoping.py, through Case)."""

    def visible_to(self, user):
        return self.filter(case__in=Case.objects.visible_to(user).values("pk"))

    def workable_by(self, user):
        return self.filter(case__in=Case.objects.workable_by(user).values("pk"))

    def running(self):
        return self.filter(status=Appraisal.Status.RUNNING)


class Appraisal(AuditedModel):
    class Method(models.TextChoices):
        INSTITUTION = "institution", "委托鉴定评估机构"
        EXPERT_PANEL = "expert_panel", "专家评估（专家意见）"
        COMPREHENSIVE = "comprehensive", "综合认定"

    SIMPLIFIED_METHODS = (Method.EXPERT_PANEL, Method.COMPREHENSIVE)

    class Status(models.TextChoices):
        RUNNING = "running", "鉴定评估中"
        FINISHED = "finished", "已完成"
        CANCELLED = "cancelled", "已撤销"

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE,
                             related_name="appraisals")
    sequence = models.PositiveSmallIntegerField("序号", editable=False)
    method = models.CharField("鉴定评估方式", max_length=16, choices=Method.choices)
    institution = models.ForeignKey(
        AppraisalInstitution, verbose_name="鉴定评估机构", null=True, blank=True,
        on_delete=models.PROTECT, related_name="appraisals")
    experts = models.ManyToManyField(Expert, verbose_name="评估专家", blank=True,
                                     through="AppraisalPanelMember", related_name="appraisals")
    jointly_with_obligor = models.BooleanField(
        "与赔偿义务人共同委托", default=False, help_text="SX 第十四条；NAT 五")
    matters = models.TextField("委托事项", blank=True)
    entrusted_on = models.DateField(
        "委托日期", help_text="委托书生效之日；综合认定为开始认定之日（SX 第十四条）")
    entrusted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="委托经办人",
                                     on_delete=models.PROTECT, related_name="+")
    case_classification = models.CharField(
        "委托时案件类别", max_length=16, choices=Case.Classification.choices, blank=True)
    # A non-simple case using a simplified method: who allowed it (issue 4).
    allowed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="同意适用简易评估的负责人", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+")
    allowed_on = models.DateField("负责人同意日期", null=True, blank=True)
    allowance_note = models.TextField("负责人意见", blank=True)
    status = FSMField("状态", max_length=16, choices=Status.choices, default=Status.RUNNING,
                      protected=True)
    # SX 第十四条: extended to at most 60 working days, the client (委托人) told.
    period_extended = models.BooleanField("已延长期限", default=False)
    extension_notice_on = models.DateField("延期告知日期", null=True, blank=True)
    extension_notice_text = models.TextField("延期告知内容", blank=True)
    # Results (SX 第十六条; CQ 六; NAT 五)
    damage_amount = money("生态环境损害数额（元）", null=True,
                          help_text="不包括调查、鉴定评估等费用（CQ 九；SX 第十五条）")
    fees_amount = money("鉴定评估费用（元）", null=True)
    restorability = models.CharField("可修复性", max_length=16,
                                     choices=Case.Restorability.choices,
                                     default=Case.Restorability.UNKNOWN)
    restorable_area = models.CharField("可修复区域范围", max_length=200, blank=True)
    restoration_requirements = models.TextField("修复要求", blank=True)
    report_number = models.CharField("报告或意见编号", max_length=100, blank=True)
    report = models.ForeignKey("workflow.Attachment", verbose_name="鉴定意见或报告文件",
                               null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    finished_on = models.DateField("完成日期", null=True, blank=True)
    cancel_reason = models.TextField("撤销理由", blank=True)

    objects = AppraisalQuerySet.as_manager()

    class Meta:
        verbose_name = "鉴定评估"
        verbose_name_plural = "鉴定评估"
        ordering = ["case", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["case", "sequence"], name="appraisal_case_sequence"),
            models.CheckConstraint(
                condition=~Q(method="institution") | Q(institution__isnull=False),
                name="appraisal_institution_named"),
            models.CheckConstraint(
                condition=Q(method="institution") | Q(jointly_with_obligor=False),
                name="appraisal_joint_only_institution"),
        ]
        indexes = [models.Index(fields=["case", "status"], name="appraisal_case_status")]

    def __str__(self) -> str:
        return f"{self.case.number} 鉴定评估{self.sequence}"

    def get_absolute_url(self) -> str:
        return reverse("cases:case_detail", args=[self.case_id]) + f"#appraisal-{self.pk}"

    @property
    def is_simplified(self) -> bool:
        return self.method in self.SIMPLIFIED_METHODS

    @property
    def deadline(self):
        """The appraisal period (workflow.Deadline), if the case's profile sets one."""
        if not hasattr(self, "_deadline"):
            from workflow.models import Deadline, DeadlineKind

            self._deadline = (Deadline.objects.of(self).filter(kind=DeadlineKind.APPRAISAL)
                              .order_by("-id").first())
        return self._deadline

    def panel(self):
        return self.panel_members.select_related("expert").order_by("id")

    @transition(field=status, source=Status.RUNNING, target=Status.FINISHED,
                permission="cases.handle_case",
                custom={"label": "录入鉴定评估结果", "hidden": True})
    def finish(self, *, by, reason="", results=None):
        for name, value in (results or {}).items():
            setattr(self, name, value)

    @transition(field=status, source=Status.RUNNING, target=Status.CANCELLED,
                permission="cases.handle_case",
                custom={"label": "撤销鉴定评估委托", "hidden": True, "reason_required": True})
    def cancel(self, *, by, reason=""):
        self.cancel_reason = reason


class AppraisalPanelMember(AuditedModel):
    """An expert on an appraisal's panel, with the organisation they came from at the time
    (checked against the case's obligors when the panel was formed)."""

    appraisal = models.ForeignKey(Appraisal, verbose_name="鉴定评估", on_delete=models.CASCADE,
                                  related_name="panel_members")
    expert = models.ForeignKey(Expert, verbose_name="专家", on_delete=models.PROTECT,
                               related_name="panel_memberships")
    organisation = models.CharField("选用时工作单位", max_length=200)
    is_leader = models.BooleanField("组长", default=False)

    class Meta:
        verbose_name = "评估专家组成员"
        verbose_name_plural = "评估专家组成员"
        constraints = [models.UniqueConstraint(fields=["appraisal", "expert"],
                                               name="appraisal_unique_expert")]

    def __str__(self) -> str:
        return f"{self.appraisal}：{self.expert.name}"
