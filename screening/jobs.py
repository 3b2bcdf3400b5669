"""The report exports' part of the periodic job pass (workflow/jobs.py): exports whose send was
lost or whose worker died are queued again, an export that keeps dying is failed in Chinese,
and finished files are deleted after ECOCLAIM_EXPORT_RETENTION_DAYS (issue 14.3)."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q

from workflow.jobs import expirer, send_task, sweeper

from .models import ReportExport
from .reports import fail_exhausted, silent_since, stale_after
from .tasks import build_report_export_task


@sweeper
def sweep_exports(now, *, queued_before) -> dict[str, int]:
    """Queue again the exports queued since `queued_before` (their send was lost) and those
    running whose worker went silent (the claim takes them over); one silent on its last
    allowed run is marked failed in Chinese instead (reports.fail_exhausted)."""
    S = ReportExport.Status
    counts = {"exports": 0, "failed": 0}
    for export in ReportExport.objects.filter(
        Q(status=S.PENDING, created_at__lt=queued_before)
        | Q(status=S.RUNNING) & silent_since(now - stale_after())
    ).order_by("created_at", "id").only("pk", "status")[:settings.ECOCLAIM_JOB_SWEEP_BATCH]:
        if export.status == S.RUNNING and fail_exhausted(
                ReportExport.objects.filter(pk=export.pk), now):
            counts["failed"] += 1
            continue
        counts["exports"] += send_task(build_report_export_task, export.pk)
    return counts


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
