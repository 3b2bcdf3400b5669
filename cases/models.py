from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django_fsm import FSMField

from accounts.models import Department, Jurisdiction
from accounts.scoping import ScopedQuerySet
from workflow.audit import AuditedModel


class CaseQuerySet(ScopedQuerySet):
    scope_participants = "participants"


class Case(AuditedModel):
    """A 生态环境损害赔偿 case. Its stage is the one place that says where the case is in the
    whole lifecycle; the stage transitions come with the case issue (DOMAIN §3.2–§3.7)."""

    class Stage(models.TextChoices):
        INITIATION = "initiation", "启动审批中"

    number = models.CharField("案件编号", max_length=40, unique=True, editable=False)
    jurisdiction = models.ForeignKey(Jurisdiction, verbose_name="赔偿权利人",
                                     on_delete=models.PROTECT, related_name="cases")
    department = models.ForeignKey(Department, verbose_name="办案部门", on_delete=models.PROTECT,
                                   related_name="cases")
    participants = models.ManyToManyField(
        Department, verbose_name="参与单位", blank=True, related_name="participating_cases",
        help_text="联合办案部门，及受邀参与的检察机关")
    rule_profile = models.ForeignKey(
        "rules.RuleProfile", verbose_name="适用规则版本", on_delete=models.PROTECT,
        related_name="+")
    clues = models.ManyToManyField("screening.Clue", verbose_name="来源线索",
                                   related_name="cases")
    cause = models.CharField("案由", max_length=200)
    opened_on = models.DateField("启动日期", default=timezone.localdate)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人",
                                   on_delete=models.PROTECT, related_name="+")
    stage = FSMField("阶段", max_length=24, choices=Stage.choices, default=Stage.INITIATION,
                     protected=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = "案件"
        verbose_name_plural = "案件"
        indexes = [
            models.Index(fields=["department", "-opened_on", "-id"], name="case_by_department"),
            models.Index(fields=["jurisdiction", "-opened_on", "-id"],
                         name="case_by_jurisdiction"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("cases:case_detail", args=[self.pk])
