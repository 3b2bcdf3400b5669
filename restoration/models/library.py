"""The alternative-restoration project library of a jurisdiction (替代修复项目库, CQ 十三): the
projects of the region fit for alternative restoration, each with its capacity or budget and
what cases and funds it has taken."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from workflow.audit import AuditedModel

from .common import money


class AlternativeProjectQuerySet(models.QuerySet):
    """The library is the jurisdiction's: every department of the jurisdiction (and of the
    jurisdictions above it) sees its projects; the department that keeps a project, or the
    jurisdiction's lead department, changes it."""

    def visible_to(self, user):
        department = getattr(user, "department", None) if user.is_authenticated else None
        if department is None:
            return self.none()
        return self.filter(jurisdiction__path__startswith=department.jurisdiction.path)

    def workable_by(self, user):
        department = getattr(user, "department", None) if user.is_authenticated else None
        if department is None:
            return self.none()
        q = Q(department=department)
        if department.is_lead:
            q |= Q(jurisdiction=department.jurisdiction_id)
        return self.filter(q)

    def available_for(self, case):
        """Projects a case may choose: open ones of the case's jurisdiction and below."""
        return self.filter(status=AlternativeProject.Status.OPEN,
                           jurisdiction__path__startswith=case.jurisdiction.path)


class AlternativeProject(AuditedModel):
    class Kind(models.TextChoices):
        RELEASE = "release", "增殖放流"
        AFFORESTATION = "afforestation", "植树造林"
        WETLAND = "wetland", "湿地保护修复"
        WATER = "water", "河湖水生态修复"
        SOIL = "soil", "土壤修复"
        MINE = "mine", "矿山生态修复"
        BASE = "base", "生态修复基地建设"
        OTHER = "other", "其他"

    class Status(models.TextChoices):
        OPEN = "open", "可承接"
        SUSPENDED = "suspended", "暂停承接"
        COMPLETED = "completed", "已完成"

    jurisdiction = models.ForeignKey("accounts.Jurisdiction", verbose_name="所属行政区",
                                     on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("accounts.Department", verbose_name="维护部门",
                                   on_delete=models.PROTECT, related_name="+")
    name = models.CharField("项目名称", max_length=200)
    place = models.CharField("项目地点", max_length=200)
    kind = models.CharField("项目类型", max_length=16, choices=Kind.choices)
    description = models.TextField("项目内容", blank=True,
                                   help_text="优先考虑让人民群众对生态环境改善有切实获得感的项目（CQ 十三）")
    capacity = models.DecimalField("可承接规模", max_digits=14, decimal_places=2, null=True,
                                   blank=True, help_text="如放流尾数、造林亩数")
    capacity_unit = models.CharField("规模单位", max_length=20, blank=True)
    budget = money("项目预算（元）", null=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices,
                              default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人",
                                   on_delete=models.PROTECT, related_name="+")

    objects = AlternativeProjectQuerySet.as_manager()

    class Meta:
        verbose_name = "替代修复项目"
        verbose_name_plural = "替代修复项目库"
        ordering = ["jurisdiction", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__isnull=False) | Q(budget__isnull=False),
                name="alternative_project_capacity_or_budget"),
            models.CheckConstraint(condition=Q(capacity__isnull=True) | Q(capacity__gt=0),
                                   name="alternative_project_capacity_positive"),
            models.CheckConstraint(condition=Q(budget__isnull=True) | Q(budget__gt=0),
                                   name="alternative_project_budget_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.place}）"

    def get_absolute_url(self) -> str:
        return reverse("restoration:library_detail", args=[self.pk])

    @property
    def is_read_only(self) -> bool:
        return False
