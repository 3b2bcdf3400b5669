"""API clients (external systems), their idempotent clue intakes and the log of their calls.

A client acts through a service user of its own (`ApiClient.user`): the department it acts for
and one role, no usable password. So every scoping check is the pages' one
(`visible_to` / `workable_by` on that user), every permission is the role's, and every change
is audited as that user, whose name says which system it is."""

import hashlib

from django.conf import settings
from django.db import models

from accounts.models import Department
from accounts.roles import Role


class Operation(models.TextChoices):
    CREATE_CLUE = "clues.create", "报送线索"
    READ_STATUS = "status.read", "查询线索和案件办理情况"
    READ_REPORT = "reports.read", "获取筛查和案件进展报表"


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiClient(models.Model):
    name = models.CharField("系统名称", max_length=100, unique=True)
    department = models.ForeignKey(
        Department, verbose_name="代表的部门", on_delete=models.PROTECT, related_name="api_clients",
        help_text="接口客户端看到和办理的，与该部门的用户在页面上能看到和办理的完全相同")
    role = models.CharField(
        "角色", max_length=24, choices=Role.choices, default=Role.OFFICER,
        help_text="权限同该角色（例如报送线索须为经办人，检察机关查询移送线索为检察联络员）")
    operations = models.JSONField("允许的操作", default=list, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="服务账号", on_delete=models.PROTECT,
        related_name="api_client", editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_prefix = models.CharField("令牌前缀", max_length=12, editable=False,
                                    help_text="用于辨认令牌；完整令牌只在签发时显示一次")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, on_delete=models.SET_NULL,
        related_name="+", editable=False)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "接口客户端"
        verbose_name_plural = "接口客户端"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def allows(self, operation: Operation) -> bool:
        return operation in self.operations


class ApiIntake(models.Model):
    """One accepted clue intake, keyed by the sender's idempotency key (the
    `Idempotency-Key` header, else 来源文号): a repeat returns `response` and creates nothing."""

    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="intakes")
    key = models.CharField("幂等键", max_length=200)
    fingerprint = models.CharField("请求摘要", max_length=64)
    clue = models.ForeignKey("screening.Clue", on_delete=models.PROTECT, related_name="+")
    response = models.JSONField("首次应答")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "接口报送记录"
        verbose_name_plural = "接口报送记录"
        constraints = [models.UniqueConstraint(fields=["client", "key"],
                                               name="api_intake_once_per_key")]

    def __str__(self) -> str:
        return f"{self.client} {self.key}"


class ApiCall(models.Model):
    """Every authenticated call, as the client that made it (reads included)."""

    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="calls")
    at = models.DateTimeField("时间", auto_now_add=True)
    method = models.CharField("方法", max_length=8)
    path = models.CharField("路径", max_length=300)
    status = models.PositiveSmallIntegerField("应答状态")

    class Meta:
        verbose_name = "接口调用记录"
        verbose_name_plural = "接口调用记录"
        indexes = [models.Index(fields=["client", "-at"], name="api_call_by_client")]

    def __str__(self) -> str:
        return f"{self.client} {self.method} {self.path} {self.status}"
