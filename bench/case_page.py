"""The case page with a long history (issue 14 point 5), over real HTTP.

Generates a case with N timeline events (default 506; `--events 5000` too) with set-based
INSERTs (generate_series), spread over the case and its parts (obligors, evidence, approval
requests and steps), and a case with 10 events; serves the app with gunicorn (3 sync workers,
config.settings.production) on 127.0.0.1; then c clients (default 4), each with its own
logged-in session cookie, request each page a bounded number of times and it prints p50/p95
and the HTML size beside the references measured in the same run: the 10-event case page and
the notification list (a minimal logged-in page). It also prints the query plan of one
timeline page of the long case.

    createdb -h 127.0.0.1 -U postgres ecoclaim_bench_case
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ecoclaim_bench_case \\
      .venv/bin/python bench/case_page.py --events 506
"""

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VAR = Path(tempfile.gettempdir()) / "ecoclaim_bench_case_var"
ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "bench-only-" + "x" * 50,
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14"),
    "ECOCLAIM_VAR_DIR": str(VAR),
}
os.environ.update({k: v for k, v in ENV.items() if k not in os.environ})
if "DATABASE_URL" not in os.environ:
    sys.exit("Set DATABASE_URL to a scratch PostgreSQL database (see bench/README.md).")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.demo import build_org  # noqa: E402
from cases.models import Case, CaseObligor, Evidence  # noqa: E402
from cases.timeline import Timeline  # noqa: E402
from cases.views import _parts_of  # noqa: E402
from parties.models import Party  # noqa: E402
from parties.validators import credit_code_check_char, organisation_code_check_char  # noqa: E402
from workflow.audit import acting_as  # noqa: E402
from workflow.models import ApprovalRequest, ApprovalStep, AuditEvent  # noqa: E402

EVENTS_SQL = """
INSERT INTO workflow_auditevent (at, actor_id, actor_name, action, content_type_id, object_id,
    object_repr, changes, transition, from_state, to_state, reason, approval)
SELECT now() - make_interval(mins => g), %(actor)s, '张明',
       (ARRAY['update', 'update', 'transition', 'create'])[1 + g %% 4],
       (%(cts)s::int[])[1 + g %% %(k)s], (%(oids)s::text[])[1 + g %% %(k)s],
       (%(reprs)s::text[])[1 + g %% %(k)s],
       CASE WHEN g %% 4 < 2 THEN jsonb_build_object(
         'summary', jsonb_build_object('label', '案情简介及启动索赔理由',
           'old', '经核查，某企业超标排放造成下游河段水体损害，第' || g || '次核实前的表述。',
           'new', '经核查，某企业超标排放造成下游河段水体损害，第' || g || '次核实后的表述。'),
         'estimated_amount', jsonb_build_object('label', '估算损害数额', 'old', (g * 1000)::text,
           'new', (g * 1000 + 500)::text))
       ELSE '{}'::jsonb END,
       CASE WHEN g %% 4 = 2 THEN '补充调查材料' ELSE '' END,
       CASE WHEN g %% 4 = 2 THEN 'investigating' ELSE '' END,
       CASE WHEN g %% 4 = 2 THEN 'investigating' ELSE '' END,
       CASE WHEN g %% 4 = 2 THEN '根据现场复核情况补充调查。' ELSE '' END, '{}'::jsonb
FROM generate_series(1, %(n)s) AS g
"""


def credit_code(body: str) -> str:
    first17 = "91140100" + body + organisation_code_check_char(body)
    return first17 + credit_code_check_char(first17)


def make_case(org, number: str, events: int, parts: int) -> Case:
    """A case with `parts` obligors, evidence items and approvals, and `events` audit rows
    spread over the case and those parts."""
    case = Case.objects.filter(number=number).first()
    if case is not None:
        return case
    officer = org.by_username["jingban"]
    department = org.departments["市生态环境局"]
    with acting_as(officer), transaction.atomic():
        case = Case.objects.create(
            number=number, jurisdiction=org.city, department=department,
            rule_profile=org.city.rule_profile_on(date(2026, 9, 1)),
            source="日常监管、执法巡查发现的", cause="某企业超标排放造成河段水体污染",
            summary="经核查，造成下游河段水体损害，应当启动索赔。", created_by=officer)
        subjects = [case]
        for i in range(parts):
            party = Party.objects.create(kind=Party.Kind.ORGANISATION,
                                         name=f"基准测试企业{number}-{i}", created_by=officer,
                                         credit_code=credit_code(f"{number[-4:]}{i:04d}"))
            subjects.append(CaseObligor.objects.create(case=case, party=party))
            subjects.append(Evidence.objects.create(
                case=case, kind=Evidence.Kind.values[0], title=f"现场勘查笔录{i}",
                collected_on=date(2026, 9, 1), recorded_by=officer))
        ct = ContentType.objects.get_for_model(Case)
        for i in range(min(parts, 3)):
            request = ApprovalRequest.objects.create(
                content_type=ct, object_id=case.pk, action="case_initiation",
                title=f"索赔启动审批{i}", summary="基准测试", department=department,
                requested_by=officer, status=ApprovalRequest.Status.RETURNED)
            subjects.append(request)
            subjects.append(ApprovalStep.objects.create(
                request=request, order=1, role="division_head", department=department))
        with connection.cursor() as cursor:
            cursor.execute(EVENTS_SQL, {
                "actor": officer.pk, "n": events, "k": len(subjects),
                "cts": [ContentType.objects.get_for_model(s).pk for s in subjects],
                "oids": [str(s.pk) for s in subjects],
                "reprs": [str(s)[:200] for s in subjects]})
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE workflow_auditevent")
    return case


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str, cookie: str) -> tuple[int, int, float]:
    t0 = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": cookie, "X-Forwarded-Proto": "https", "Host": "127.0.0.1"}
    if "#htmx" in path:  # a section as htmx loads it
        path = path.removesuffix("#htmx")
        headers["HX-Request"] = "true"
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, len(body), (time.perf_counter() - t0) * 1000


def run(port: int, path: str, cookies: list[str], requests: int) -> tuple[float, float, int]:
    """len(cookies) clients at once, `requests` in all; p50, p95 and the body size."""
    times: list[float] = []
    sizes: set[int] = set()
    lock = threading.Lock()
    share = [requests // len(cookies)] * len(cookies)

    def client(cookie: str, n: int) -> None:
        for _ in range(n):
            status, size, ms = get(port, path, cookie)
            assert status == 200, (path, status)
            with lock:
                times.append(ms)
                sizes.add(size)

    threads = [threading.Thread(target=client, args=(c, n))
               for c, n in zip(cookies, share, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)], max(sizes)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=506)
    parser.add_argument("--parts", type=int, default=5, help="obligors and evidence items")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=120, help="per page, all clients")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--compare-dir", type=Path, default=None,
                        help="another checkout of the app (e.g. main's, the code before a "
                             "change): its case pages are measured too, over the same data")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    if not (VAR / "static" / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)
    org = build_org()
    long = make_case(org, f"BENCH-{args.events:06d}", args.events, args.parts)
    short = make_case(org, "BENCH-000010", 10, args.parts)
    own = AuditEvent.objects.filter(content_type=ContentType.objects.get_for_model(Case),
                                    object_id=str(long.pk)).count()
    print(f"database {connection.settings_dict['NAME']}: case {long.number}: {args.events} "
          f"events generated over the case and its parts, {own} on the case itself")

    timeline = Timeline.of(long, _parts_of(long))
    with connection.cursor() as cursor:
        sql, params = timeline.events().order_by("-at", "-pk")[:51].query.sql_with_params()
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        print("query plan of the timeline's first page:")
        for (line,) in cursor.fetchall():
            print("   ", line)

    cookies = []
    for username in ["jingban", "chuzhang", "juzhang", "qiantou"][:args.clients]:
        client = Client()
        client.force_login(org.by_username[username])
        cookies.append(f"{settings.SESSION_COOKIE_NAME}="
                       f"{client.cookies[settings.SESSION_COOKIE_NAME].value}")
    while len(cookies) < args.clients:
        cookies.append(cookies[len(cookies) % 4])

    timeline_next = timeline.page().next_cursor
    pages = [
        ("notification list (reference)", "/workflow/notifications/"),
        ("case page, 10 events (reference)", short.get_absolute_url()),
        (f"case page, {args.events} events", long.get_absolute_url()),
        (f"timeline fragment, page 2 of {args.events}",
         f"/cases/{long.pk}/timeline/?after={timeline_next}"),
        (f"timeline fragment, 状态变更 only of {args.events}",
         f"/cases/{long.pk}/timeline/?kind=action%3Atransition"),
    ]
    # The collapsed sections of the case page (issue 17), as htmx loads them when opened.
    sections = [(f"section {name}, {args.events} events", f"/cases/{long.pk}/sections/{name}/#htmx")
                for name in ("timeline", "investigation", "classification", "appraisals",
                             "negotiation", "documents", "restoration")]
    in_process(org, pages[2:3] + sections)
    print(f"gunicorn {args.workers} sync workers, {args.clients} clients, "
          f"{args.requests} requests a page; load average {os.getloadavg()[0]:.1f}")
    if args.compare_dir:
        serve(args, args.compare_dir.resolve(), pages[:3], cookies, f"[{args.compare_dir}] ")
    serve(args, ROOT, pages + sections, cookies, "")
    if args.compare_dir:  # once more, so that neither side has the quieter minute alone
        serve(args, args.compare_dir.resolve(), pages[:3], cookies, f"[{args.compare_dir}] ")
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


def in_process(org, pages) -> None:
    """Queries and time of each page in this process (Django's test client, sequential, the
    median of 5 after one warm-up), for where the time goes."""
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(org.by_username["jingban"])
    print("in process (test client, 经办人):")
    for label, path in pages:
        headers = {"HTTP_HOST": "127.0.0.1", "secure": True}  # as behind the proxy
        if path.endswith("#htmx"):
            headers["HTTP_HX_REQUEST"] = "true"
        path = path.removesuffix("#htmx")
        client.get(path, **headers)
        times = []
        for _ in range(5):
            with CaptureQueriesContext(connection) as queries:
                t0 = time.perf_counter()
                response = client.get(path, **headers)
                times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        print(f"  {label:<40} {statistics.median(times):7.1f} ms  {len(queries)} queries  "
              f"{len(response.content) / 1024:7.1f} KB")


def serve(args, app_dir: Path, pages, cookies, prefix: str) -> None:
    """Serve the app from `app_dir` with gunicorn and measure `pages`."""
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "config.wsgi", "-w",
         str(args.workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=app_dir, env={**os.environ})
    try:
        for _ in range(100):
            try:
                get(port, "/", "")
                break
            except OSError:
                time.sleep(0.2)
        for _, path in pages:  # warm every worker
            for _ in range(args.workers * 2):
                get(port, path, cookies[0])
        for label, path in pages:
            p50, p95, size = run(port, path, cookies, args.requests)
            print(f"  {prefix}{label:<40} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  "
                  f"{size / 1024:7.1f} KB")
    finally:
        server.terminate()
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()

if __name__ == "__main__":
    main()
