from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Department
from accounts.roles import Role
from workflow.audit import AuditedModel


class ApprovalRequest(AuditedModel):
    """A decision an officer asks for (e.g. 不启动索赔, 启动索赔), approved by one or more heads in
    order (form [1]: 机构负责人 then 部门负责人), each with an opinion, or sent back."""

    # The subject is the record the event is filed under; the code is said by the title.
    audit_exclude = ("content_type", "object_id", "action")

    class Status(models.TextChoices):
        PENDING = "pending", "审批中"
        APPROVED = "approved", "已批准"
        RETURNED = "returned", "已退回"
        WITHDRAWN = "withdrawn", "已撤回"

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    department = models.ForeignKey(
        Department, verbose_name="办理部门", on_delete=models.PROTECT, related_name="+")
    action = models.CharField("申请事项代码", max_length=40)
    title = models.CharField("申请事项", max_length=100)
    summary = models.TextField("申请理由")
    payload = models.JSONField("申请内容", default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT,
        related_name="+")
    requested_at = models.DateTimeField("申请时间", default=timezone.now)
    status = models.CharField("状态", max_length=16, choices=Status.choices,
                              default=Status.PENDING)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = "审批申请"
        verbose_name_plural = "审批申请"
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="approval_subject")]
        constraints = [
            # One open request per record at a time.
            models.UniqueConstraint(
                fields=["content_type", "object_id"], condition=Q(status="pending"),
                name="one_pending_approval_per_subject",
                violation_error_message="该记录已有审批中的申请。"),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.get_status_display()}）"

    @property
    def current_step(self):
        return next((s for s in self.steps.all() if s.decision == ApprovalStep.Decision.PENDING),
                    None)


class ApprovalStep(AuditedModel):
    class Decision(models.TextChoices):
        WAITING = "waiting", "待前序审批"
        PENDING = "pending", "待审批"
        APPROVED = "approved", "同意"
        RETURNED = "returned", "退回"
        SKIPPED = "skipped", "未进行"

    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField("顺序")
    role = models.CharField("审批角色", max_length=24, choices=Role.choices)
    department = models.ForeignKey(
        Department, verbose_name="审批部门", on_delete=models.PROTECT, related_name="+")
    decision = models.CharField("审批结果", max_length=16, choices=Decision.choices,
                                default=Decision.WAITING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审批人", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    opinion = models.TextField("审批意见", blank=True)

    class Meta:
        verbose_name = "审批环节"
        verbose_name_plural = "审批环节"
        ordering = ["request", "order"]
        constraints = [models.UniqueConstraint(fields=["request", "order"],
                                               name="unique_approval_step")]
        # The approvers' inbox: pending steps of a department and role.
        indexes = [models.Index(fields=["department", "role", "decision"], name="approval_inbox")]

    def __str__(self) -> str:
        return f"{self.get_role_display()}：{self.get_decision_display()}"
