from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django_fsm import FSMField, transition

from accounts.models import Department, Jurisdiction
from accounts.scoping import ScopedQuerySet
from workflow.audit import AuditedModel


class SourceChannel(models.Model):
    """Where clues come from: 环法规〔2022〕31号 第十五条 as commonly quoted (DOMAIN §3.1). Data,
    so that an administrator can correct the list."""

    code = models.CharField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    order = models.PositiveSmallIntegerField("排序", default=0)
    is_procuratorate_referral = models.BooleanField(
        "检察机关移送", default=False, help_text="不启动时须向移送的检察机关反馈（CQ 三；SX 第八条）")
    is_department_referral = models.BooleanField("其他部门移送", default=False)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "线索渠道"
        verbose_name_plural = "线索渠道"
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class ClueQuerySet(ScopedQuerySet):
    scope_participants = "participants"


class Clue(AuditedModel):
    """A 线索: the first record of possible damage, screened before a claim is opened."""

    class State(models.TextChoices):
        REGISTERED = "registered", "已登记"
        VERIFYING = "verifying", "初步核查中"
        CASE_OPENED = "case_opened", "已启动索赔"
        NOT_STARTED = "not_started", "不启动索赔"
        REFERRED = "referred", "已移送"
        EXCLUDED = "excluded", "不纳入筛查"

    class DamageType(models.TextChoices):
        WATER = "water", "水污染"
        AIR = "air", "大气污染"
        SOIL = "soil", "土壤污染"
        SOLID_WASTE = "solid_waste", "固体废物"
        ECOLOGY = "ecology", "生态破坏"
        WILDLIFE = "wildlife", "野生动植物"
        OTHER = "other", "其他"

    class Rectification(models.TextChoices):
        DONE = "done", "已完成整改"
        NOT_DONE = "not_done", "未完成整改"
        UNKNOWN = "unknown", "不明"

    number = models.CharField("线索编号", max_length=40, unique=True, editable=False)
    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name="赔偿权利人", on_delete=models.PROTECT, related_name="clues")
    department = models.ForeignKey(
        Department, verbose_name="办理部门", on_delete=models.PROTECT, related_name="clues")
    participants = models.ManyToManyField(
        Department, verbose_name="参与单位", blank=True, related_name="participating_clues")
    channel = models.ForeignKey(SourceChannel, verbose_name="线索渠道", on_delete=models.PROTECT)
    found_on = models.DateField("发现日期")
    registered_on = models.DateField("登记日期", default=timezone.localdate)
    source_organisation = models.CharField("来源单位", max_length=100, blank=True)
    source_reference = models.CharField("来源文号", max_length=100, blank=True)
    summary = models.TextField("线索概要")
    place = models.ForeignKey(
        Jurisdiction, verbose_name="发生地（区县）", on_delete=models.PROTECT,
        related_name="clues_located", null=True, blank=True)
    place_detail = models.CharField("具体地点", max_length=200, blank=True)
    damage_type = models.CharField("损害类型", max_length=16, choices=DamageType.choices)
    estimated_amount = models.DecimalField(
        "估算损害数额（元）", max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"), message="金额不能为负数。")],
        help_text="不含调查、鉴定评估等费用（CQ 四(一)；SX 第十五条）")
    in_protected_area = models.BooleanField(
        "位于生态保护红线或自然保护地", default=False)
    rectification = models.CharField(
        "整改情况", max_length=16, choices=Rectification.choices, default=Rectification.UNKNOWN)
    state = FSMField("状态", max_length=16, choices=State.choices, default=State.REGISTERED,
                     protected=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT,
        related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    audit_exclude = ("created_at", "updated_at")
    objects = ClueQuerySet.as_manager()

    class Meta:
        verbose_name = "线索"
        verbose_name_plural = "线索"
        permissions = [("handle_clue", "办理线索（登记、核查）")]
        indexes = [
            # Lists are keyset-paginated on (registered_on, id) within a scope filter.
            models.Index(fields=["department", "-registered_on", "-id"], name="clue_by_department"),
            models.Index(fields=["jurisdiction", "-registered_on", "-id"],
                         name="clue_by_jurisdiction"),
            models.Index(fields=["state", "-registered_on", "-id"], name="clue_by_state"),
            models.Index(fields=["-registered_on", "-id"], name="clue_keyset"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("screening:clue_detail", args=[self.pk])

    @transition(field=state, source=State.REGISTERED, target=State.VERIFYING,
                permission="screening.handle_clue",
                custom={"label": "开始初步核查"})
    def start_verification(self, *, by, reason=""):
        """SX 第九条: the clue is checked before a decision; its deadline comes with the
        deadline engine."""
