"""The report exports' part of the periodic job pass (workflow/jobs.py): exports whose send was
lost or whose worker died are queued again, an export that keeps dying is failed in Chinese,
and finished files are deleted after ECOCLAIM_EXPORT_RETENTION_DAYS (issue 14.3)."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q

from workflow.jobs import expirer, send_task, sweeper

from .models import ReportExport
from .reports import stale_after
from .tasks import build_report_export_task


@sweeper
def sweep_exports(now, *, queued_before) -> dict[str, int]:
    S = ReportExport.Status
    counts = {"exports": 0, "failed": 0}
    for export in ReportExport.objects.filter(
        Q(status=S.PENDING, created_at__lt=queued_before)
        | Q(status=S.RUNNING, started_at__lt=now - stale_after())
    ).order_by("created_at", "id").only("pk", "status", "started_at", "parameters")[
            :settings.ECOCLAIM_JOB_SWEEP_BATCH]:
        if export.status == S.RUNNING and not _count_attempt(export, now):
            counts["failed"] += 1
            continue
        counts["exports"] += send_task(build_report_export_task, export.pk)
    return counts


def _count_attempt(export, now) -> bool:
    """One more run of a stale export (its worker died). Past ECOCLAIM_JOB_MAX_ATTEMPTS runs
    it is marked failed with the reason on its page; False then. The count lives in the
    export's parameters (no column of its own); each write is a compare-and-set on the run."""
    attempts = int(export.parameters.get("attempts", 1)) + 1
    S = ReportExport.Status
    run = ReportExport.objects.filter(pk=export.pk, status=S.RUNNING,
                                      started_at=export.started_at)
    if attempts > settings.ECOCLAIM_JOB_MAX_ATTEMPTS:
        run.update(status=S.FAILED, finished_at=now,
                   error=f"报表生成已中断{attempts - 1}次，系统已停止重试。请重新申请导出；"
                         "仍然失败的，请联系系统管理员。")
        return False
    run.update(parameters={**export.parameters, "attempts": attempts})
    return True


@expirer
def expire_exports(now) -> dict[str, int]:
    cutoff = now - timedelta(days=settings.ECOCLAIM_EXPORT_RETENTION_DAYS)
    expired = 0
    for export in ReportExport.objects.filter(
            status=ReportExport.Status.DONE, finished_at__lt=cutoff,
    ).exclude(file="")[:settings.ECOCLAIM_JOB_SWEEP_BATCH]:
        export.file.delete(save=False)
        ReportExport.objects.filter(pk=export.pk).update(file="")
        expired += 1
    return {"exports": expired}
