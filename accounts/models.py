from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q

from rules.models import RuleSet


class Jurisdiction(models.Model):
    """A 赔偿权利人: a provincial, municipal or county-level government (DOMAIN §1)."""

    class Level(models.TextChoices):
        PROVINCE = "province", "省级"
        CITY = "city", "市级"
        COUNTY = "county", "区县级"

    name = models.CharField("名称", max_length=100)
    code = models.CharField("行政区划代码", max_length=12, unique=True)
    level = models.CharField("层级", max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    rule_set = models.ForeignKey(
        RuleSet, verbose_name="适用规则", on_delete=models.PROTECT, related_name="jurisdictions"
    )
    # Materialised ancestry ("/1/4/9/"), so "this jurisdiction and everything under it" is
    # one indexed prefix match instead of a recursive walk.
    path = models.CharField(max_length=255, editable=False, db_index=True)

    class Meta:
        verbose_name = "赔偿权利人（行政区）"
        verbose_name_plural = verbose_name
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.pk:
            super().save(*args, **kwargs)
            kwargs = {}
        parent_path = self.parent.path if self.parent_id else "/"
        self.path = f"{parent_path}{self.pk}/"
        super().save(*args, **kwargs)

    def rule_profile_on(self, day):
        from rules.services import profile_in_force

        return profile_in_force(self.rule_set, day)


class Department(models.Model):
    """A designated department (指定的部门或机构), or a procuratorate or finance bureau that
    takes part in cases of the jurisdiction (DOMAIN §1)."""

    class Kind(models.TextChoices):
        ECOLOGY = "ecology", "生态环境"
        NATURAL_RESOURCES = "natural_resources", "规划自然资源"
        HOUSING = "housing", "住房城乡建设"
        WATER = "water", "水利"
        AGRICULTURE = "agriculture", "农业农村"
        FORESTRY = "forestry", "林业和草原"
        URBAN = "urban", "城市管理"
        MARITIME = "maritime", "海事"
        PROCURATORATE = "procuratorate", "检察机关"
        FINANCE = "finance", "财政"
        OTHER = "other", "其他"

    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=30, blank=True)
    kind = models.CharField("类别", max_length=24, choices=Kind.choices)
    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name="所属行政区", on_delete=models.PROTECT,
        related_name="departments",
    )
    is_lead = models.BooleanField(
        "牵头部门", default=False, help_text="CQ 一；SX 第七条：协调、汇总筛查，可被指定为联合办案的牵头部门"
    )

    class Meta:
        verbose_name = "部门"
        verbose_name_plural = "部门"
        ordering = ["jurisdiction__path", "-is_lead", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction"], condition=Q(is_lead=True),
                name="one_lead_department_per_jurisdiction",
                violation_error_message="每个行政区只能有一个牵头部门。",
            ),
            models.UniqueConstraint(fields=["jurisdiction", "name"], name="unique_department_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def handles_claims(self) -> bool:
        return self.kind not in (self.Kind.PROCURATORATE, self.Kind.FINANCE)


class User(AbstractUser):
    full_name = models.CharField("姓名", max_length=50, blank=True)
    department = models.ForeignKey(
        Department, verbose_name="所属部门", null=True, blank=True, on_delete=models.PROTECT,
        related_name="users",
    )
    title = models.CharField("职务", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    @property
    def handling_department(self):
        """The user's department when it handles claims (not a procuratorate or finance
        bureau), else None: who may register clues, imports and historical records."""
        department = self.department
        return department if department is not None and department.handles_claims else None

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or self.username

    @property
    def role_names(self) -> list[str]:
        return sorted(g.name for g in self.groups.all())
