import hashlib
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("审计记录不可修改。")

    def delete(self):
        raise PermissionError("审计记录不可删除。")


class AuditEvent(models.Model):
    """One row per create, change, delete or state transition of a business record.

    Append-only: the model refuses updates and deletes, the admin is read-only and, on
    PostgreSQL, a trigger refuses UPDATE and DELETE (migration 0002)."""

    class Action(models.TextChoices):
        CREATE = "create", "新建"
        UPDATE = "update", "修改"
        DELETE = "delete", "删除"
        TRANSITION = "transition", "状态变更"

    at = models.DateTimeField("时间", default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    actor_name = models.CharField("操作人姓名", max_length=100, blank=True)
    action = models.CharField("操作", max_length=16, choices=Action.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField("对象", max_length=200)
    changes = models.JSONField("变更内容", default=dict, blank=True)
    transition = models.CharField("操作名称", max_length=64, blank=True)
    from_state = models.CharField("原状态", max_length=64, blank=True)
    to_state = models.CharField("新状态", max_length=64, blank=True)
    reason = models.TextField("理由", blank=True)
    approval = models.JSONField("审批依据", default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-at"], name="audit_subject")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name or '系统'} {self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("审计记录不可修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计记录不可删除。")


def attachment_path(instance: "Attachment", filename: str) -> str:
    suffix = PurePosixPath(filename).suffix.lower()
    return f"attachments/{timezone.now():%Y/%m}/{instance.sha256[:2]}/{instance.sha256}{suffix}"


class Attachment(models.Model):
    """An uploaded file (evidence, scan, proof of service) belonging to one scoped record.

    Files are never served from a public URL: workflow.views.download_attachment checks
    that the user may see the owner record."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    owner = GenericForeignKey("content_type", "object_id")
    kind = models.CharField("材料类别", max_length=40, blank=True)
    file = models.FileField("文件", upload_to=attachment_path)
    original_name = models.CharField("原文件名", max_length=255)
    size = models.PositiveBigIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    description = models.CharField("说明", max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["uploaded_at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="attachment_owner")]

    def __str__(self) -> str:
        return self.original_name

    @staticmethod
    def digest(uploaded) -> str:
        h = hashlib.sha256()
        for chunk in uploaded.chunks():
            h.update(chunk)
        uploaded.seek(0)
        return h.hexdigest()


class NumberSequence(models.Model):
    """Counters behind record numbers (clue, case …): one row per scope and year."""

    scope = models.CharField(max_length=64)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "编号序列"
        verbose_name_plural = "编号序列"
        constraints = [models.UniqueConstraint(fields=["scope", "year"], name="unique_sequence")]

    def __str__(self) -> str:
        return f"{self.scope} {self.year}: {self.last}"
