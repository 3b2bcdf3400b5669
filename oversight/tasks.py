"""Thin Celery tasks of the oversight app."""

from celery import shared_task

from . import summary


@shared_task(name="oversight.rebuild_clue_counts", acks_late=True, ignore_result=True)
def rebuild_clue_counts_task():
    """Celery beat, nightly (CELERY_BEAT_SCHEDULE): recount the clue summary from the clues;
    any difference is logged as an error (oversight/summary.py) and fails the task."""
    diff = summary.rebuild()
    if diff:
        raise RuntimeError(f"clue summary drifted from the clues at {len(diff)} keys (rebuilt)")
