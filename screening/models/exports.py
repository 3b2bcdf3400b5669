"""Spreadsheets exchanged with users: report exports built in the background (pretix's
exporter + CachedFile) and clue imports held between the preview and the confirmation.

Neither is an AuditedModel: each row is itself the log of who exported or imported what and
when, and its progress counters are updated in bulk while a task runs. The clues an import
creates are audited as usual (screening.services.register_clue)."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from accounts.models import Department, Jurisdiction
from accounts.scoping import ScopedQuerySet
from workflow.excel_import import ExcelUpload


def export_path(instance: "ReportExport", filename: str) -> str:
    # Never the user-facing name: that is `filename`, sent in Content-Disposition.
    return f"reports/{instance.created_at:%Y/%m}/{uuid.uuid4().hex}.xlsx"


def import_path(instance: "ClueImport", filename: str) -> str:
    return f"imports/{instance.created_at:%Y/%m}/{uuid.uuid4().hex}.xlsx"


class ReportExportQuerySet(ScopedQuerySet):
    """Exports follow the scoping rule of the department (and jurisdiction) they cover; the
    requester always sees their own."""

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        return super().visible_to(user) | self.filter(requested_by=user)


class ReportExport(models.Model):
    class Kind(models.TextChoices):
        QUARTERLY = "quarterly", "季度线索筛查清单"

    class Scope(models.TextChoices):
        DEPARTMENT = "department", "本部门"
        JURISDICTION = "jurisdiction", "本行政区及下级"

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    kind = models.CharField("报表", max_length=16, choices=Kind.choices, default=Kind.QUARTERLY)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人",
                                     on_delete=models.PROTECT, related_name="+")
    scope = models.CharField("范围", max_length=16, choices=Scope.choices)
    # The department whose list it is; for a jurisdiction-wide list, the lead department.
    department = models.ForeignKey(Department, verbose_name="部门", on_delete=models.PROTECT,
                                   related_name="+")
    jurisdiction = models.ForeignKey(Jurisdiction, verbose_name="行政区",
                                     on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度")
    parameters = models.JSONField("参数", default=dict, blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices,
                              default=Status.PENDING)
    rows_total = models.PositiveIntegerField("总行数", default=0)
    rows_done = models.PositiveIntegerField("已写入行数", default=0)
    file = models.FileField("文件", upload_to=export_path, blank=True)
    filename = models.CharField("文件名", max_length=200)
    error = models.TextField("错误", blank=True)
    created_at = models.DateTimeField("申请时间", default=timezone.now)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    # the run's last sign of life (claim and every progress step): silent for
    # ECOCLAIM_REPORT_STALE_SECONDS, its worker is taken to be dead and another run takes over
    heartbeat_at = models.DateTimeField("最近进展时间", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("运行次数", default=0)

    objects = ReportExportQuerySet.as_manager()

    class Meta:
        verbose_name = "报表导出"
        verbose_name_plural = "报表导出"
        ordering = ["-created_at", "-id"]
        permissions = [
            ("export_screening_report", "导出本部门季度线索筛查清单"),
            ("export_jurisdiction_report", "导出本行政区及下级的线索筛查清单和半年汇总（牵头部门）"),
        ]
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="export_by_user"),
                   # the sweep's filters: queued since, running and silent since
                   models.Index(fields=["status", "heartbeat_at"], name="export_sweep")]

    def __str__(self) -> str:
        return self.filename

    def get_absolute_url(self) -> str:
        return reverse("screening:report_export", args=[self.pk])

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class ClueImport(ExcelUpload):
    """An uploaded .xlsx of clues between the dry-run preview and the user's confirmation
    (workflow/excel_import.py). The file stays in private storage; confirming runs the import
    again, for real, in one transaction."""

    file = models.FileField("文件", upload_to=import_path, blank=True)
    resource_path = "screening.imports.ClueImportResource"

    class Meta:
        verbose_name = "线索导入"
        verbose_name_plural = "线索导入"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["uploaded_by", "-created_at"], name="import_by_user")]

    def get_absolute_url(self) -> str:
        return reverse("screening:import_preview", args=[self.pk])

    @property
    def progress_url(self) -> str:
        return reverse("screening:import_progress", args=[self.pk])
