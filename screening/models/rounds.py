from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from accounts.models import Department
from accounts.scoping import ScopedQuerySet
from workflow.audit import AuditedModel

from .clues import Clue, SourceChannel


class ScreeningRoundQuerySet(ScopedQuerySet):
    scope_jurisdiction = "department__jurisdiction"


class ScreeningRound(AuditedModel):
    """A 线索筛查批次: one screening run by a department (CQ 二 每季度；SX 第八条 每季度不少于1次).
    A department may run several rounds in a quarter; `sequence` numbers them (第1次, 第2次 …)."""

    QUARTERS = [(1, "第一季度"), (2, "第二季度"), (3, "第三季度"), (4, "第四季度")]

    department = models.ForeignKey(Department, verbose_name="筛查部门", on_delete=models.PROTECT,
                                   related_name="screening_rounds")
    year = models.PositiveSmallIntegerField(
        "年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    quarter = models.PositiveSmallIntegerField("季度", choices=QUARTERS)
    sequence = models.PositiveSmallIntegerField("本季度第几次", editable=False)
    screened_on = models.DateField("筛查日期")
    scope = models.TextField("筛查范围", help_text="筛查的执法、督察、信访等案卷或数据范围")
    channels = models.ManyToManyField(SourceChannel, verbose_name="筛查渠道",
                                      related_name="screening_rounds")
    clues = models.ManyToManyField(Clue, verbose_name="发现的线索", blank=True,
                                   related_name="screening_rounds")
    note = models.TextField("备注", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人",
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    audit_exclude = ("created_at",)
    objects = ScreeningRoundQuerySet.as_manager()

    class Meta:
        verbose_name = "线索筛查批次"
        verbose_name_plural = "线索筛查批次"
        ordering = ["-screened_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["department", "year", "quarter", "sequence"],
                                    name="unique_screening_round"),
            models.CheckConstraint(condition=models.Q(quarter__gte=1, quarter__lte=4),
                                   name="screening_round_quarter_1_4"),
        ]
        indexes = [
            # The list is keyset-paginated on (screened_on, id) within a scope filter.
            models.Index(fields=["department", "-screened_on", "-id"], name="round_by_department"),
            models.Index(fields=["-screened_on", "-id"], name="round_keyset"),
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.year}年{self.get_quarter_display()}第{self.sequence}次筛查"

    def get_absolute_url(self) -> str:
        return reverse("screening:round_detail", args=[self.pk])

    @property
    def period_label(self) -> str:
        return f"{self.year}年{self.get_quarter_display()}"
