"""Thin Celery tasks: each takes ids, calls a plain function a test can call directly, and is
safe to run twice (the function claims its row with a compare-and-set)."""

from celery import shared_task


@shared_task(name="screening.build_report_export", acks_late=True, ignore_result=True)
def build_report_export_task(export_id: int) -> None:
    from .reports import build_export

    build_export(export_id)
