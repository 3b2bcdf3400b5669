"""Background jobs lose nothing, shown with real processes (issue 14.3): a private Redis
(redis-server on a free port, never the shared one at 6379) and real Celery workers
(`celery -A config worker`, subprocesses on the test database and the test's files).

- A worker SIGKILLed in the middle of an export leaves it 生成中 with a stale heartbeat; a
  new worker and the sweep (workflow.jobs.sweep, what beat runs) finish it, on its second run,
  with exactly one file.
- With the broker down when the export is requested, the page answers normally in Chinese
  and the export stays 排队中; once Redis is back, the sweep queues it and it completes.
- A worker SIGKILLed in the middle of an import's confirmation: PostgreSQL rolls its
  transaction back, and the new worker's run registers every clue once.

The job is made slow deterministically by settings read by the task (a progress step and a
heartbeat per row, ECOCLAIM_JOB_STEP_DELAY_MS at each); nothing of Redis or Celery is mocked.
Under libfaketime (make test's second run) each process starts its own faked clock, so every
worker is started at the test's current faked time."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from config.celery import app as celery_app
from screening import reports
from screening.models import Clue, ReportExport, SourceChannel
from screening.reports import ReportScope
from screening.services import register_clues
from tests.workflow.test_celery_worker import database_url
from workflow.jobs import sweep

BASE_DIR = Path(__file__).resolve().parents[2]
ROWS = 10  # clues in the export: one progress step (and heartbeat) each
STEP_MS = 300  # the test-only pause at each step: a run takes ~3 s
STALE_SECONDS = 3  # a run silent this long is taken to be dead
# Under libfaketime a worker's clock starts at a whole second (Workers.env), up to 1 s behind
# this process's: wait this much beyond STALE_SECONDS so the worker too finds the run stale.
CLOCK_SLACK = 1.5
WAIT_SECONDS = 60

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="the worker process needs the PostgreSQL test database"),
    pytest.mark.skipif(getattr(django_settings, "TEST_SERVICES", {}).get("broker") != "Redis",
                       reason="needs Redis (the fallback is the filesystem transport)"),
    # make test installs redis-server (APT_TEST); CI (ECOCLAIM_REQUIRE_SERVICES) never skips
    pytest.mark.skipif(shutil.which("redis-server") is None
                       and not getattr(django_settings, "REQUIRE_SERVICES", False),
                       reason="needs redis-server (Debian package redis-server)"),
    # serialized_rollback: restores the rule profiles (migration data) the flush removes
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRedis:
    """redis-server on a port of its own, in memory only; stop() and start() again on the
    same port (a broker that goes down and comes back)."""

    def __init__(self, tmp_path: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.dir = tmp_path
        self.process = None

    def start(self) -> None:
        import redis

        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            # the server on the machine's own clock: under libfaketime it never answers
            env={k: v for k, v in os.environ.items()
                 if k not in ("LD_PRELOAD", "FAKETIME", "DYLD_INSERT_LIBRARIES")})
        until = time.monotonic() + 10
        while True:
            try:
                if redis.Redis.from_url(self.url, socket_timeout=0.5).ping():
                    return
            except redis.exceptions.ConnectionError:
                pass
            if self.process.poll() is not None or time.monotonic() > until:
                self.stop()  # never left running behind a failed test
                raise AssertionError("redis-server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def private_redis(tmp_path, settings):
    """A private Redis, the Celery app of this process pointed at it (restored afterwards),
    and the settings the workers get too."""
    server = PrivateRedis(tmp_path)
    server.start()
    settings.ECOCLAIM_REPORT_STALE_SECONDS = STALE_SECONDS
    settings.ECOCLAIM_IMPORT_STALE_SECONDS = STALE_SECONDS
    settings.ECOCLAIM_REPORT_DIRECT_MAX_ROWS = 0  # every export in the background
    settings.ECOCLAIM_JOB_REQUEUE_AFTER_SECONDS = 0
    changed = {"CELERY_BROKER_URL": server.url, "CELERY_BROKER_TRANSPORT_OPTIONS": {},
               # a send to a broker that is down fails fast instead of retrying for long
               "CELERY_TASK_PUBLISH_RETRY_POLICY": {"max_retries": 1, "interval_start": 0,
                                                    "interval_step": 0.1,
                                                    "interval_max": 0.1}}
    saved = {k: celery_app.conf.get(k) for k in changed}
    always_eager = celery_app.conf.task_always_eager
    celery_app.conf.update(changed)
    celery_app.conf.task_always_eager = False
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    try:
        yield server
    finally:
        celery_app.conf.update(saved)
        celery_app.conf.task_always_eager = always_eager
        celery_app._pool = None
        celery_app.amqp._producer_pool = None
        server.stop()


class Workers:
    """Real Celery workers on the private broker, each logged to a file; all stopped at the
    end (those the test did not kill)."""

    def __init__(self, broker_url: str, tmp_path: Path):
        self.broker_url, self.tmp_path, self.started = broker_url, tmp_path, []

    def env(self) -> dict:
        # Django put TZ=TIME_ZONE into this process's environment; the worker gets UTC, and
        # under libfaketime a faked clock starting at this process's faked now (each process
        # would otherwise start its own clock at FAKETIME, seconds or minutes apart)
        env = {key: value for key, value in os.environ.items() if key != "TZ"}
        if env.get("FAKETIME", "").startswith("@"):
            env["TZ"] = "UTC"
            env["FAKETIME"] = "@" + time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
        env.update({
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "TEST_DATABASE_URL": database_url(),
            "TEST_REDIS_URL": self.broker_url,
            "ECOCLAIM_TEST_VAR_DIR": str(django_settings.TEST_VAR_DIR),
            "ECOCLAIM_REPORT_PROGRESS_EVERY": "1",
            "ECOCLAIM_IMPORT_PROGRESS_EVERY": "1",
            "ECOCLAIM_IMPORT_STALE_SECONDS": str(STALE_SECONDS),
            "ECOCLAIM_JOB_STEP_DELAY_MS": str(STEP_MS),
            "ECOCLAIM_REPORT_STALE_SECONDS": str(STALE_SECONDS),
            "PYTHONUNBUFFERED": "1",
        })
        return env

    def start(self) -> subprocess.Popen:
        name = f"recovery-{uuid.uuid4().hex[:8]}"
        log = self.tmp_path / f"{name}.log"
        with open(log, "w") as out:
            worker = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo",
                 "--hostname", f"{name}@%h", "--loglevel", "INFO", "--without-heartbeat",
                 "--without-mingle", "--without-gossip"],
                cwd=BASE_DIR, env=self.env(), stdout=out, stderr=subprocess.STDOUT)
        worker.log = log
        self.started.append(worker)
        return worker

    def logs(self) -> str:
        return "\n".join(f"--- {w.log.name}\n{w.log.read_text()}" for w in self.started)

    def stop_all(self) -> None:
        for worker in self.started:
            if worker.poll() is None:
                worker.terminate()
                try:
                    worker.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait(timeout=10)


@pytest.fixture
def workers(private_redis, tmp_path):
    pool = Workers(private_redis.url, tmp_path)
    try:
        yield pool
    finally:
        pool.stop_all()


def wait_for(condition, what: str, workers: Workers, seconds: float = WAIT_SECONDS):
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"{what}: not within {seconds} s\n{workers.logs()}")


@pytest.fixture
def clues():
    """ROWS clues of the third quarter of 2026 in the city's lead department."""
    from accounts.demo import build_org

    org = build_org()
    officer = org.by_username["jingban"]
    department = officer.department
    channel = SourceChannel.objects.filter(active=True).first()
    register_clues([
        Clue(department=department, jurisdiction=department.jurisdiction, channel=channel,
             found_on=date(2026, 8, 1), registered_on=date(2026, 8, 3),
             summary=f"第{n}条：某企业排放废水。", damage_type="water")
        for n in range(ROWS)], by=officer)
    return org


def result_files() -> list[Path]:
    root = Path(django_settings.MEDIA_ROOT) / "reports"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_a_worker_killed_mid_export_the_export_completes_once(clues, workers):
    officer = clues.by_username["jingban"]
    scope = ReportScope(officer.department, 2026, 3)
    before = result_files()
    export = reports.request_export(scope, by=officer, rows_total=ROWS)  # sent on commit
    first = workers.start()

    def running_midway():
        e = ReportExport.objects.get(pk=export.pk)
        return e.status == ReportExport.Status.RUNNING and 2 <= e.rows_done < ROWS - 2
    wait_for(running_midway, "the first worker running the export", workers)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)

    stuck = ReportExport.objects.get(pk=export.pk)
    assert (stuck.status, stuck.attempts) == (ReportExport.Status.RUNNING, 1)
    assert stuck.rows_done < ROWS and result_files() == before
    # its heartbeat is fresh: the sweep leaves it, and a redelivered task does nothing
    assert sweep()["exports"] == 0
    assert reports.build_export(export.pk) is None
    assert ReportExport.objects.get(pk=export.pk).attempts == 1

    workers.start()  # the message of the killed run stays unacked in Redis: nothing comes
    time.sleep(STALE_SECONDS + CLOCK_SLACK)
    assert sweep()["exports"] == 1  # silent: queued again, and taken over
    done = wait_for(lambda: ReportExport.objects.filter(
        pk=export.pk, status__in=[ReportExport.Status.DONE, ReportExport.Status.FAILED]).first(),
        "the export finished by the second worker", workers)
    assert (done.status, done.rows_done, done.attempts) == (ReportExport.Status.DONE, ROWS, 2), \
        workers.logs()
    files = [p for p in result_files() if p not in before]
    assert len(files) == 1 and done.file.path == str(files[0])
    assert reports.build_export(export.pk) is None  # delivered again later: nothing more
    assert sweep()["exports"] == 0 and len(result_files()) == len(before) + 1


def test_the_broker_down_at_request_the_sweep_queues_the_export_once_back(
        clues, private_redis, workers, client):
    officer = clues.by_username["jingban"]
    client.force_login(officer)
    private_redis.stop()
    response = client.post(reverse("screening:report_quarterly"),
                           {"year": "2026", "quarter": "3"}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert f"清单共{ROWS}条线索，正在后台生成，完成后可在本页下载。" in page
    export = ReportExport.objects.get(requested_by=officer)
    assert export.status == ReportExport.Status.PENDING and "排队中" in page

    assert sweep()["exports"] == 0  # the broker still down: sent nowhere, still queued
    assert ReportExport.objects.get(pk=export.pk).status == ReportExport.Status.PENDING
    private_redis.start()
    workers.start()
    assert sweep()["exports"] == 1
    done = wait_for(lambda: ReportExport.objects.filter(
        pk=export.pk, status__in=[ReportExport.Status.DONE, ReportExport.Status.FAILED]).first(),
        "the export finished once the broker was back", workers)
    assert (done.status, done.rows_done, done.attempts) == (ReportExport.Status.DONE, ROWS, 1), \
        workers.logs()
    assert done.file and Path(done.file.path).exists()
    assert timezone.now() - done.finished_at < timedelta(minutes=5)


def test_a_worker_killed_mid_import_the_clues_are_registered_once(clues, workers):
    from screening import imports
    from screening.models import ClueImport
    from tests.screening.test_import import row, xlsx
    from workflow import excel_import

    officer = clues.by_username["jingban"]
    references = [f"恢复〔2026〕{n}号" for n in range(ROWS)]
    upload = imports.store_upload(xlsx([
        row(**{"来源文号": reference, "发现日期": date(2026, 8, 1), "登记日期": date(2026, 8, 3)})
        for reference in references]), department=officer.department, by=officer)
    assert excel_import.request_job(upload, ClueImport.Job.CONFIRM)  # sent on commit
    first = workers.start()

    def running_midway():
        u = ClueImport.objects.get(pk=upload.pk)
        return u.job_status == ClueImport.JobStatus.RUNNING and 2 <= u.rows_done < ROWS - 2
    wait_for(running_midway, "the first worker running the import", workers)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    assert not Clue.objects.filter(source_reference__in=references).exists()
    assert excel_import.run_job(ClueImport._meta.label, upload.pk) is None  # fresh: nothing

    workers.start()
    time.sleep(STALE_SECONDS + CLOCK_SLACK)
    assert sweep()["imports"] == 1
    done = wait_for(lambda: ClueImport.objects.filter(
        pk=upload.pk, job_status__in=[ClueImport.JobStatus.DONE, ClueImport.JobStatus.FAILED],
    ).first(), "the import finished by the second worker", workers)
    assert (done.job_status, done.status, done.job_attempts, done.rows_new) == (
        ClueImport.JobStatus.DONE, ClueImport.Status.IMPORTED, 2, ROWS), workers.logs()
    assert sorted(Clue.objects.filter(source_reference__in=references).values_list(
        "source_reference", flat=True)) == sorted(references)
