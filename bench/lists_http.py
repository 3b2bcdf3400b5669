"""The three lists (clue list, case list, deadline board) under concurrency, over real HTTP.

Generates N clues, cases and deadlines with set-based SQL (generate_series; the secondary
indexes are dropped during the load and rebuilt after), starts gunicorn (3 sync workers,
production settings, plain http on 127.0.0.1), logs in one session per simulated user (half
the ordinary officer `shuiwu`, half the coordinator `qiantou`) and drives each list's first
page, page 51 and a filtered page with c = 4 and 16 threads. Prints p50/p95 per list and
concurrency beside the anonymous login page over the same gunicorn in the same run."""

import argparse
import http.client
import math
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from datetime import date
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from accounts.demo import DEMO_PASSWORD, build_org  # noqa: E402
from accounts.models import Department  # noqa: E402
from cases.models import Case  # noqa: E402
from screening.models import Clue, SourceChannel  # noqa: E402
from workflow.models import Deadline  # noqa: E402
from workflow.pagination import _encode  # noqa: E402

MARK = "BENCH"
USERS = ("shuiwu", "qiantou")  # an ordinary officer; the coordinator (lead department)


# ---------------------------------------------------------------- data, set-based
def _load(table: str, sql: str, params: dict) -> None:
    """Run one INSERT ... SELECT generate_series with the table's secondary indexes dropped
    and rebuilt afterwards (far faster than maintaining a dozen b-trees row by row)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s AND NOT "
            "EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)", [table])
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        started = time.perf_counter()
        # bench data is consistent by construction: no per-row FK trigger checks (superuser)
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SELECT setseed(0.42)")  # the same data on every run
        cursor.execute(sql, params)
        print(f"  {table}: {cursor.rowcount:,} rows in {time.perf_counter() - started:.0f} s",
              flush=True)
        started = time.perf_counter()
        for _, definition in indexes:
            cursor.execute(definition)
        cursor.execute(f"ANALYZE {table}")
        print(f"  {table}: {len(indexes)} indexes rebuilt in "
              f"{time.perf_counter() - started:.0f} s", flush=True)


def generate(org, clues: int, cases: int, deadlines: int) -> None:
    departments = [d for d in org.departments.values() if d.handles_claims]
    depts = [d.pk for d in departments]
    juris = [d.jurisdiction_id for d in departments]
    officer = org.by_username["jingban"].pk
    profile = org.city.rule_profile_on(date(2025, 8, 1)).pk
    common = {"depts": depts, "juris": juris, "officer": officer, "profile": profile}
    have = Clue.objects.filter(number__startswith=f"{MARK}-").count()
    if have < clues:
        _load("screening_clue", """
            INSERT INTO screening_clue (number, found_on, registered_on, source_organisation,
                source_reference, summary, place_detail, damage_type, estimated_amount,
                in_protected_area, rectification, state, created_at, updated_at,
                department_id, jurisdiction_id, place_id, registered_by_id, channel_id,
                decided_on, decision, decision_note, decision_reason, rule_profile_id,
                trivial_assessment, referring_procuratorate_id)
            SELECT 'BENCH-' || lpad(i::text, 9, '0'), r - 2, r, '', '', '基准测试线索', '',
                   (ARRAY['water','air','soil','solid_waste','ecology','wildlife','other'])
                       [1 + floor(random() * 7)::int], NULL, FALSE, 'unknown',
                   (ARRAY['registered','verifying','case_opened','not_started','closed'])
                       [1 + floor(random() * 5)::int], now(), now(),
                   (%(depts)s::bigint[])[k], (%(juris)s::bigint[])[k], NULL, %(officer)s,
                   (%(channels)s::bigint[])[1 + i %% cardinality(%(channels)s::bigint[])],
                   NULL, '', '', '', %(profile)s, '{}'::jsonb, NULL
            FROM (SELECT i, date '2025-08-01' + floor(random() * 480)::int AS r,
                         1 + floor(random() * cardinality(%(depts)s::bigint[]))::int AS k
                  FROM generate_series(%(first)s, %(last)s) AS i) AS g
            """, {**common, "first": have + 1, "last": clues,
                  "channels": list(SourceChannel.objects.values_list("pk", flat=True))})
    have = Case.objects.filter(number__startswith=f"{MARK}-").count()
    if have < cases:
        _load("cases_case", """
            INSERT INTO cases_case (number, source, cause, summary, damage_place, damage_type,
                estimated_amount, appraised_amount, fees_amount, restorability,
                restorable_area, restoration_requirements, classification,
                court_notified_on, procuratorate_notified_on, opened_on,
                investigation_started_on, investigation_ended_on, termination_reason, stage,
                created_by_id, department_id, jurisdiction_id, lead_department_id,
                rule_profile_id)
            SELECT 'BENCH-' || lpad(i::text, 9, '0'), '基准测试', '基准测试案件', '', '',
                   (ARRAY['water','air','soil','solid_waste','ecology','wildlife','other'])
                       [1 + floor(random() * 7)::int], NULL, NULL, NULL, 'unknown', '', '',
                   (ARRAY['', 'simple', 'ordinary', 'major'])[1 + floor(random() * 4)::int],
                   NULL, NULL, r, NULL, NULL, '',
                   (ARRAY['draft','investigating','negotiating','performing','closed'])
                       [1 + floor(random() * 5)::int],
                   %(officer)s, (%(depts)s::bigint[])[k], (%(juris)s::bigint[])[k], NULL,
                   %(profile)s
            FROM (SELECT i, date '2025-08-01' + floor(random() * 480)::int AS r,
                         1 + floor(random() * cardinality(%(depts)s::bigint[]))::int AS k
                  FROM generate_series(%(first)s, %(last)s) AS i) AS g
            """, {**common, "first": have + 1, "last": cases})
    have = Deadline.objects.filter(subject_label=MARK).count()
    if have < deadlines:
        officers = [org.by_username[u].pk for u in ("jingban", "shuiwu", "xiaodian")]
        _load("workflow_deadline", """
            INSERT INTO workflow_deadline (
                content_type_id, object_id, subject_label, subject_url, kind, title, rule_key,
                citation, profile_id, start_event, start_date, calendar, days, extension_days,
                paused_days, paused_since, due, confirmed, explanation, status, met_at,
                overdue_at, responsible_id, department_id, next_action_on, created_at)
            SELECT %(ct)s, (%(depts)s::bigint[])[k], 'BENCH', '', 'negotiation_reply',
                   '磋商告知书答复期限', '', '磋商告知书', NULL, '送达磋商告知书', d - 30,
                   'natural', 30, 0, 0, NULL, d, TRUE, '基准测试数据',
                   CASE WHEN p < 0.55 THEN 'open' WHEN p < 0.98 THEN 'met'
                        WHEN p < 0.99 THEN 'overdue' ELSE 'cancelled' END, NULL, NULL, (%(officers)s::bigint[])[1 + i %% 3], (%(depts)s::bigint[])[k], NULL,
                   now()
            FROM (SELECT i, date '2026-01-01' + floor(random() * 600)::int AS d, random() AS p,
                         1 + floor(random() * cardinality(%(depts)s::bigint[]))::int AS k
                  FROM generate_series(%(first)s, %(last)s) AS i) AS g
            """, {**common, "first": have + 1, "last": deadlines, "officers": officers,
                  "ct": ContentType.objects.get_for_model(Department).pk})
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # the small tables too (jurisdiction paths, departments)


def page51_cursor(qs, key: str) -> str:
    """The cursor of page 50's last row: `?after=` it is page 51."""
    row = qs.order_by(f"-{key}", "-pk").values_list(key, "pk")[
        50 * settings.ECOCLAIM_PAGE_SIZE - 1]
    return _encode(list(row))


def scenarios(org) -> dict[str, dict[str, list[str]]]:
    """list -> user -> [first page, page 51, a filtered page]."""
    out: dict[str, dict[str, list[str]]] = {"clues": {}, "cases": {}, "deadlines": {}}
    for username in USERS:
        user = org.by_username[username]
        out["clues"][username] = [
            "/screening/clues/",
            "/screening/clues/?after=" + page51_cursor(
                Clue.objects.visible_to(user), "registered_on"),
            "/screening/clues/?damage_type=water&state=registered",
        ]
        out["cases"][username] = [
            "/cases/",
            "/cases/?after=" + page51_cursor(Case.objects.visible_to(user), "opened_on"),
            "/cases/?stage=investigating",
        ]
        out["deadlines"][username] = [
            "/workflow/deadlines/",
            "/workflow/deadlines/?after=" + page51_cursor(
                Deadline.objects.visible_to(user).filter(status__in=("open", "overdue")),
                "due"),
            "/workflow/deadlines/?view=overdue",
        ]
    return out


# ---------------------------------------------------------------- the HTTP client
class Session:
    """One logged-in browser: its own keep-alive connection and cookies."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes]:
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, data

    def login(self, username: str) -> None:
        _, page = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, _ = self.request("POST", "/accounts/login/", urllib.parse.urlencode({
            "csrfmiddlewaretoken": token.decode(), "username": username,
            "password": DEMO_PASSWORD}))
        assert status == 302, f"login of {username} answered {status}"


def drive(sessions, urls_of, requests: int, seconds: float):
    """len(sessions) threads, each cycling over its own URLs, until `requests` in all or
    `seconds` have passed. Returns [(user, url, ms)] and requests per second."""
    results, lock = [], threading.Lock()
    counter = iter(range(requests))
    deadline = time.perf_counter() + seconds

    def worker(session, urls):
        i = 0
        while time.perf_counter() < deadline:
            with lock:
                if next(counter, None) is None:
                    return
            url = urls[i % len(urls)]
            i += 1
            t0 = time.perf_counter()
            status, _ = session.request("GET", url)
            ms = (time.perf_counter() - t0) * 1000
            assert status == 200, f"{url} answered {status}"
            with lock:
                results.append((session.user, url, ms))

    threads = [threading.Thread(target=worker, args=(s, urls_of(s))) for s in sessions]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, len(results) / (time.perf_counter() - started)


def percentiles(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return statistics.median(times), times[max(0, math.ceil(len(times) * 0.95) - 1)]


# ---------------------------------------------------------------- gunicorn
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(port: int, workers: int, app_dir: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-" + "x" * 50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/13"),
        "SECURE_SSL_REDIRECT": "0",  # plain http on the loopback, bench only
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "PYTHONPATH": str(app_dir),
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "config.wsgi", "-w", str(workers), "-k", "sync", "-b",
         f"127.0.0.1:{port}", "--log-level", "warning"], cwd=app_dir, env=env)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("gunicorn did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clues", type=int, default=5_000_000)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--deadlines", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=400, help="per list and concurrency")
    parser.add_argument("--seconds", type=float, default=30, help="per list and concurrency")
    parser.add_argument("--concurrency", default="4,16")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--only", default="clues,cases,deadlines")
    parser.add_argument("--app-dir", type=Path, default=BASE,
                        help="serve another checkout (e.g. `git archive main`) for a before/after")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # so that gunicorn is stopped too
    assert connection.vendor == "postgresql", "set DATABASE_URL to a scratch PostgreSQL db"
    call_command("migrate", verbosity=0)
    org = build_org()
    generate(org, args.clues, args.cases, args.deadlines)
    print(f"clues {Clue.objects.count():,}; cases {Case.objects.count():,}; "
          f"deadlines {Deadline.objects.count():,}", flush=True)
    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)
    urls = scenarios(org)
    connection.close()

    port = free_port()
    server = start_gunicorn(port, args.workers, args.app_dir.resolve())
    print(f"serving {args.app_dir.resolve()}")
    try:
        levels = [int(c) for c in args.concurrency.split(",")]
        sessions = {}
        for c in levels:  # one logged-in session per simulated user
            sessions[c] = []
            for i in range(c):
                s = Session(port)
                s.login(USERS[i % 2])
                s.user = USERS[i % 2]
                sessions[c].append(s)
        for s in sessions[max(levels)][:6]:  # warm the workers and every page once or so
            for name in urls:
                for url in urls[name][s.user]:
                    s.request("GET", url)
        print(f"\ngunicorn {args.workers} sync workers, production settings; "
              f"p50 / p95 in ms; {args.requests} requests or {args.seconds:.0f} s each")
        print(f"{'page':<34} {'c':>3} {'p50':>7} {'p95':>7} {'req/s':>7}")
        for c in levels:
            anon = [Session(port) for _ in range(c)]
            for s in anon:
                s.user = None
            results, rps = drive(anon, lambda s: ["/accounts/login/"], args.requests,
                                 args.seconds)
            p50, p95 = percentiles([ms for _, _, ms in results])
            print(f"{'reference: login page (anonymous)':<34} {c:>3} {p50:7.1f} {p95:7.1f} "
                  f"{rps:7.1f}", flush=True)
            for name in args.only.split(","):
                results, rps = drive(sessions[c], lambda s, n=name: urls[n][s.user],
                                     args.requests, args.seconds)
                p50, p95 = percentiles([ms for _, _, ms in results])
                print(f"{name + ' (all six pages)':<34} {c:>3} {p50:7.1f} {p95:7.1f} "
                      f"{rps:7.1f}", flush=True)
                for user in USERS:
                    for label, url in zip(("first", "page 51", "filtered"), urls[name][user], strict=True):
                        times = [ms for who, u, ms in results if who == user and u == url]
                        if times:
                            p50, p95 = percentiles(times)
                            print(f"  {user + ' ' + label:<32} {c:>3} {p50:7.1f} {p95:7.1f}")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
