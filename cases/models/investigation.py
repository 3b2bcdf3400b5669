from django.conf import settings
from django.db import models
from django.utils import timezone

from workflow.audit import AuditedModel

from .case import Case


class Investigation(AuditedModel):
    """损害调查 and the data of 生态环境损害调查情况登记表 (form [2]; CQ 五; NAT 四; SX 第十三条)."""

    case = models.OneToOneField(Case, verbose_name="案件", on_delete=models.CASCADE,
                                related_name="investigation")
    team = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name="调查人员", blank=True,
                                  related_name="investigations",
                                  help_text="联合调查时可包括多个部门的人员")
    process = models.TextField(
        "调查经过", blank=True,
        help_text="调查人员、调查方式、调查时间、调查范围等")
    damage_facts = models.TextField(
        "损害事实", blank=True,
        help_text="违法行为的发生时间、地点、危害后果、鉴定评估情况等，须有证据支持")
    obligor_notes = models.TextField("赔偿义务人情况", blank=True)
    causation = models.TextField("因果关系", blank=True)
    legal_basis = models.TextField("法律依据", blank=True,
                                   help_text="应当引用相关法律、政策和规范性文件的规定")
    suggestion = models.TextField("处理建议", blank=True,
                                  help_text="是否需要索赔及理由；开展磋商的建议")

    class Meta:
        verbose_name = "损害调查"
        verbose_name_plural = "损害调查"

    def __str__(self) -> str:
        return f"{self.case} 调查"


class Evidence(AuditedModel):
    """An item of the evidence catalogue (NT 三(三)); the file is a workflow.Attachment."""

    class Kind(models.TextChoices):
        INSPECTION = "inspection", "勘验笔录"
        INQUIRY = "inquiry", "询问笔录"
        REPORT = "report", "调查报告"
        DECISION = "decision", "行政处理决定"
        MONITORING = "monitoring", "检测或监测报告"
        APPRAISAL = "appraisal", "鉴定意见或鉴定评估报告"
        JUDGMENT = "judgment", "生效法律文书"
        MEDIA = "media", "照片、视频"
        OTHER = "other", "其他"

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE,
                             related_name="evidence")
    kind = models.CharField("证据类型", max_length=16, choices=Kind.choices)
    title = models.CharField("名称", max_length=200)
    collected_on = models.DateField("取得日期", default=timezone.localdate)
    description = models.TextField("证明内容", blank=True)
    attachment = models.ForeignKey("workflow.Attachment", verbose_name="文件", null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人",
                                    on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "证据"
        verbose_name_plural = "证据"
        ordering = ["collected_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.title}"
