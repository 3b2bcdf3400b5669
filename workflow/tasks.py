"""Thin Celery tasks: each takes ids (or nothing), calls a plain service function and is safe
to run twice. acks_late: a worker killed mid-task leaves the message to be redelivered, and
the services' row locks and unique keys make the second run do only what the first did not.
The same tasks run on Redis (production) and the filesystem transport (embedded default)."""

from celery import shared_task

from . import deadlines, notifications


@shared_task(name="workflow.scan_deadlines", acks_late=True, ignore_result=True)
def scan_deadlines_task():
    """Celery beat, every ECOCLAIM_DEADLINE_SCAN_SECONDS (CELERY_BEAT_SCHEDULE)."""
    deadlines.scan_deadlines()
    deadlines.refresh_unconfirmed()


@shared_task(name="workflow.process_deadline_alerts", acks_late=True, ignore_result=True)
def process_deadline_alerts_task(alert_ids):
    deadlines.process_alerts(alert_ids)


@shared_task(name="workflow.send_notification_emails", acks_late=True, ignore_result=True)
def send_notification_emails_task(notification_ids):
    notifications.send_emails(notification_ids)


@shared_task(name="workflow.run_excel_import", acks_late=True, ignore_result=True)
def run_excel_import_task(model_label, upload_id):
    """The preview or confirmation of a big Excel import (workflow/excel_import.run_job)."""
    from .excel_import import run_job

    run_job(model_label, upload_id)


@shared_task(name="workflow.sweep_jobs", acks_late=True, ignore_result=True)
def sweep_jobs_task():
    """Celery beat, every ECOCLAIM_JOB_SWEEP_SECONDS: lost and stale jobs queued again."""
    from .jobs import expire_files, sweep

    sweep()
    expire_files()
