"""In-app notifications (站内通知) and each user's e-mail preference."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Notification(models.Model):
    class Email(models.TextChoices):
        NOT_SENT = "not_sent", "不发送邮件"
        PENDING = "pending", "待发送"
        SENDING = "sending", "发送中"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE,
        related_name="notifications",
    )
    verb = models.CharField("类别", max_length=40)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    # Whatever produced the notification names it here (e.g. "deadline-alert:42"), so that a
    # repeated delivery creates nothing (unique per recipient).
    dedupe_key = models.CharField(max_length=100, blank=True, default="", editable=False)
    email_status = models.CharField("邮件", max_length=16, choices=Email.choices,
                                    default=Email.NOT_SENT)
    emailed_at = models.DateTimeField("邮件发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_inbox"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedupe_key"],
                                    condition=~Q(dedupe_key=""),
                                    name="notification_once_per_recipient"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """Without a row a user gets e-mail (if they have an address)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    email_enabled = models.BooleanField("邮件通知", default=True)

    class Meta:
        verbose_name = "通知设置"
        verbose_name_plural = "通知设置"

    def __str__(self) -> str:
        return f"{self.user}：邮件{'开' if self.email_enabled else '关'}"
