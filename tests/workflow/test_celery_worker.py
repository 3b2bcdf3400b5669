"""A real Celery worker (`celery -A config worker`, a separate process) against Redis and the
test database: the beat task's scan raises a reminder, the worker's next task delivers it, and
the officer has the notification.

The worker listens on a queue of its own (CELERY_TASK_DEFAULT_QUEUE), so that it takes no
message left in the shared test broker by anything else. Skipped on the SQLite and
filesystem-transport fallback: a worker process cannot share an SQLite test database that
lives inside this process's transactions."""

import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from config.celery import app as celery_app
from workflow.deadlines import open_deadline
from workflow.models import Deadline, DeadlineAlert, DeadlineKind, Notification
from workflow.tasks import scan_deadlines_task

BASE_DIR = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 60

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="the worker process needs the PostgreSQL test database"),
    pytest.mark.skipif(getattr(settings, "TEST_SERVICES", {}).get("broker") != "Redis",
                       reason="needs Redis at 127.0.0.1:6379 (the fallback is the filesystem "
                              "transport)"),
]


def database_url() -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "postgres")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


# serialized_rollback: restores the rule profiles (migration data) the flush removes
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_delivers_a_reminder(settings, tmp_path):
    from accounts.demo import build_org

    # any due date within 30 days gets a reminder, in this process and in the worker
    settings.ECOCLAIM_DEADLINE_REMINDER_DAYS = [30]
    org = build_org()
    officer = org.by_username["jingban"]
    department = org.departments["市生态环境局"]
    today = timezone.localdate()
    deadline = open_deadline(department, DeadlineKind.NEGOTIATION_REPLY, profile=None,
                             start_date=today - timedelta(days=1), days=4,
                             citation="磋商告知书", responsible=officer, department=department)
    assert deadline.next_action_on == today

    queue = f"test-deadlines-{uuid.uuid4().hex[:12]}"
    # Django put TZ=TIME_ZONE into this process's environment; the worker starts from the
    # machine's own (libfaketime, under `make test`'s faked clock, reads its date in that zone).
    inherited = {key: value for key, value in os.environ.items() if key != "TZ"}
    env = {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "TEST_DATABASE_URL": database_url(),
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "ECOCLAIM_DEADLINE_REMINDER_DAYS": "30",
        "PYTHONUNBUFFERED": "1",
    }
    log_path = tmp_path / "worker.log"
    with open(log_path, "w") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo",
             "--queues", queue, "--hostname", f"{queue}@%h", "--loglevel", "INFO",
             "--without-heartbeat", "--without-mingle", "--without-gossip"],
            cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        scan_deadlines_task.apply_async(queue=queue)  # what beat sends every few minutes
        deadline_at = time.monotonic() + WAIT_SECONDS
        note = None
        while time.monotonic() < deadline_at and worker.poll() is None:
            note = Notification.objects.filter(recipient=officer).first()
            if note is not None:
                break
            time.sleep(0.25)
        log_text = log_path.read_text()
        assert worker.poll() is None, f"the worker stopped:\n{log_text}"
        assert note is not None, f"no reminder within {WAIT_SECONDS} s; worker log:\n{log_text}"
        assert note.title.startswith("期限提醒：磋商告知书答复期限还有")
        assert note.url == reverse("workflow:deadline_detail", args=[deadline.pk])
        alert = DeadlineAlert.objects.get(deadline=deadline)
        assert alert.processed_at is not None
        assert Deadline.objects.get(pk=deadline.pk).next_action_on > today
        assert "workflow.scan_deadlines" in log_text
        assert "workflow.process_deadline_alerts" in log_text
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)
        forget_queue(queue)


def forget_queue(queue: str) -> None:
    """Remove the private queue and kombu's routing keys for it from the test broker."""
    import redis

    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_delete(queue)
    client = redis.Redis.from_url(celery_app.conf.broker_url)
    try:
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    finally:
        client.close()
