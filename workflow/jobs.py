"""Background jobs: sending a Celery task after the request's commit without ever turning the
committed request into an error (issue 14.3). A send that fails (broker down) is only logged:
the job's row stays queued and a periodic pass sends it again (exports and imports: the
sweep; deadline alerts: the scan's _requeue_lost_alerts; e-mails: requeue_pending_emails)."""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)

# A stage app's own background jobs join the periodic pass here (workflow imports no stage
# app): `func(now) -> {"name": count}`, registered from the app's ready().
_sweepers: list = []
_expirers: list = []


def sweeper(func):
    """Registers `func(now)`: queue again that app's lost or stale jobs."""
    _sweepers.append(func)
    return func


def expirer(func):
    """Registers `func(now)`: delete that app's files past their retention period."""
    _expirers.append(func)
    return func


def test_step_delay() -> None:
    """Sleep ECOCLAIM_JOB_STEP_DELAY_MS (0 in production) at each progress step of a job: the
    recovery tests make a job slow, deterministically, to kill its worker mid-job."""
    from django.conf import settings

    delay = getattr(settings, "ECOCLAIM_JOB_STEP_DELAY_MS", 0)
    if delay:
        import time

        time.sleep(delay / 1000)


def send_task(task, *args) -> bool:
    """task.delay(*args); False (and a warning) when the broker cannot be reached."""
    try:
        task.delay(*args)
    except Exception:  # noqa: BLE001 - kombu/redis connection errors, whatever the transport
        logger.warning("could not queue %s%r: broker unreachable; a periodic pass retries",
                       getattr(task, "name", task), args, exc_info=True)
        return False
    return True


def enqueue_after_commit(task, *args) -> None:
    """Send the task once the current transaction commits; a broker error never escapes."""
    transaction.on_commit(lambda: send_task(task, *args))


def requeue_pending_emails(now=None) -> int:
    """Re-send the e-mails still pending ECOCLAIM_EMAIL_RETRY_AFTER_SECONDS after their
    notification was written (their send was lost); send_emails' compare-and-set sends each
    once however often it is queued."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from .models import Notification
    from .tasks import send_notification_emails_task

    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.ECOCLAIM_EMAIL_RETRY_AFTER_SECONDS)
    ids = list(Notification.objects.filter(
        email_status=Notification.Email.PENDING, created_at__lt=cutoff,
    ).order_by("created_at", "id").values_list("pk", flat=True)[:settings.ECOCLAIM_JOB_SWEEP_BATCH])
    if ids:
        send_task(send_notification_emails_task, ids)
    return len(ids)


def sweep(now=None) -> dict[str, int]:
    """The periodic pass (Celery beat, every ECOCLAIM_JOB_SWEEP_SECONDS): queue again the
    exports and imports still queued ECOCLAIM_JOB_REQUEUE_AFTER_SECONDS after they were
    requested (their send was lost: broker down) and those running whose worker went silent
    for their STALE_SECONDS (the task then takes the job over: the claim in build_export /
    run_job); and the e-mails whose send was lost. Sending twice is harmless: each job is
    claimed with a compare-and-set. Returns how many of each were queued."""
    from datetime import timedelta

    from django.apps import apps
    from django.conf import settings
    from django.db.models import Q
    from django.utils import timezone

    from . import excel_import
    from .tasks import run_excel_import_task

    now = now or timezone.now()
    batch = settings.ECOCLAIM_JOB_SWEEP_BATCH
    queued_before = now - timedelta(seconds=settings.ECOCLAIM_JOB_REQUEUE_AFTER_SECONDS)
    counts = {"imports": 0, "emails": 0}

    for func in _sweepers:
        for name, count in func(now, queued_before=queued_before).items():
            counts[name] = counts.get(name, 0) + count

    for model in apps.get_models():
        if not issubclass(model, excel_import.ExcelUpload):
            continue
        J = model.JobStatus
        for pk, status in model.objects.filter(
            Q(job_status=J.PENDING, created_at__lt=queued_before)
            | Q(job_status=J.RUNNING) & excel_import.silent_since(now - excel_import.stale_after())
        ).order_by("created_at", "id").values_list("pk", "job_status")[:batch]:
            if status == J.RUNNING and excel_import.fail_exhausted(
                    model.objects.filter(pk=pk), now):
                counts["failed"] = counts.get("failed", 0) + 1
                continue
            counts["imports"] += send_task(run_excel_import_task, model._meta.label, pk)

    counts["emails"] = requeue_pending_emails(now)
    return counts


def expire_files(now=None) -> dict[str, int]:
    """Retention (run with the sweep): the file of an export finished more than
    ECOCLAIM_EXPORT_RETENTION_DAYS ago is deleted (its page then reads 已过期), and an import
    upload left unconfirmed ECOCLAIM_IMPORT_RETENTION_DAYS after upload is discarded with its
    file (its page says why). Returns how many of each."""
    from datetime import timedelta

    from django.apps import apps
    from django.conf import settings
    from django.utils import timezone

    from . import excel_import

    now = now or timezone.now()
    counts = {"imports": 0}
    for func in _expirers:
        for name, count in func(now).items():
            counts[name] = counts.get(name, 0) + count

    days = settings.ECOCLAIM_IMPORT_RETENTION_DAYS
    for model in apps.get_models():
        if not issubclass(model, excel_import.ExcelUpload):
            continue
        for upload in model.objects.filter(
                status=model.Status.PREVIEWED, created_at__lt=now - timedelta(days=days),
        ).exclude(job_status__in=[model.JobStatus.PENDING, model.JobStatus.RUNNING],
                  )[:settings.ECOCLAIM_JOB_SWEEP_BATCH]:
            if excel_import.discard_import(upload):
                model.objects.filter(pk=upload.pk).update(
                    job_error=f"上传后{days}日内未确认导入，文件已过期删除；需要导入的，请重新上传。")
                counts["imports"] += 1
    return counts
