"""The public list /public/ (issue 16: p95 ≤ 50 ms at c = 16) over real HTTP, beside the
anonymous login page in the same run.

Generates N publications (default 50,000; `--rows`; 4 in 5 published, the rest drafts, pending
or withdrawn) for the demo organisation's jurisdictions with one `INSERT … SELECT
generate_series` (columns from `random()` after `setseed`: the same data every run), starts
gunicorn (the machinery of bench/lists_http.py: production settings, sync workers, plain http
on 127.0.0.1) and drives, with anonymous clients and no cookies, the list's first page, page 51
(by cursor), a page filtered by jurisdiction and year, one filtered by kind, and a title/text
search, with c = 4 and 16 threads."""

import argparse
import datetime
import signal
import sys
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from lists_http import (  # noqa: E402  (sets up Django)
    BASE,
    Session,
    drive,
    free_port,
    percentiles,
    start_gunicorn,
)

from accounts.demo import build_org  # noqa: E402
from accounts.roles import Role  # noqa: E402
from cases.models import Case  # noqa: E402
from disclosure.models import Publication  # noqa: E402
from workflow.pagination import _encode  # noqa: E402

KINDS = [k.value for k in Publication.Kind]


def generate(org, rows: int) -> Case:
    officer = org.users[Role.OFFICER]
    department = officer.department
    case, _ = Case.objects.get_or_create(
        number="BENCH-PUBLIC-0001",
        defaults={"department": department, "jurisdiction": department.jurisdiction,
                  "rule_profile": department.jurisdiction.rule_profile_on(
                      datetime.date(2026, 1, 1)),
                  "source": "基准测试", "cause": "基准测试", "summary": "基准测试",
                  "opened_on": datetime.date(2026, 1, 1), "created_by": officer})
    have = Publication.objects.count()
    if have >= rows:
        return case
    jurisdictions = [org.city.pk, *(d.pk for d in org.districts)]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.16)")
        cursor.execute("""
            INSERT INTO disclosure_publication
              (case_id, kind, title, masked_title, original_text, masked_text, extra_masks,
               jurisdiction_id, year, state, public_token, public_pdf, published_at,
               withdrawal_reason, created_by_id, created_at)
            SELECT %(case)s,
                   (%(kinds)s::text[])[1 + (i %% 5)],
                   '河段生态环境损害赔偿信息第' || i || '号',
                   '河段生态环境损害赔偿信息第' || i || '号',
                   '赔偿义务人张某等承担修复责任。第' || i || '号。',
                   '赔偿义务人张某等承担修复责任。第' || i || '号。' ||
                     CASE WHEN i %% 97 = 0 THEN '底泥清淤' ELSE '' END,
                   '',
                   (%(places)s::int[])[1 + (i %% cardinality(%(places)s::int[]))],
                   2020 + (i %% 7),
                   CASE WHEN random() < 0.8 THEN 'published'
                        ELSE (ARRAY['draft','pending','withdrawn'])[1 + (i %% 3)] END,
                   substr('b' || md5(i::text), 1, 20),
                   '',
                   now() - (i || ' minutes')::interval,
                   '', %(by)s, now()
            FROM generate_series(%(start)s, %(end)s) AS i
        """, {"case": case.pk, "kinds": KINDS, "places": jurisdictions, "by": officer.pk,
              "start": have + 1, "end": rows})
        cursor.execute("UPDATE disclosure_publication SET published_at = NULL "
                       "WHERE state IN ('draft', 'pending')")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE disclosure_publication")
    return case


def scenarios() -> list[str]:
    published = Publication.objects.published()
    row = published.order_by("-published_at", "-pk")[50 * 20 - 1:50 * 20].get()
    cursor = _encode([row.published_at.isoformat(), row.pk])
    place = published.values_list("jurisdiction__code", flat=True).first()
    return [
        "/public/",
        f"/public/?after={cursor}",
        f"/public/?jurisdiction={place}&year=2024",
        "/public/?kind=funds",
        "/public/?" + urllib.parse.urlencode({"q": "底泥清淤"}),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=400, help="per page set and concurrency")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--concurrency", default="4,16")
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    assert connection.vendor == "postgresql", "set DATABASE_URL to a scratch PostgreSQL db"
    call_command("migrate", verbosity=0)
    org = build_org()
    generate(org, args.rows)
    print(f"publications {Publication.objects.count():,}, published "
          f"{Publication.objects.published().count():,}", flush=True)
    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)
    urls = scenarios()
    connection.close()

    port = free_port()
    server = start_gunicorn(port, args.workers, BASE)
    try:
        warm = Session(port)
        for url in urls * 3:
            status, _ = warm.request("GET", url)
            assert status == 200, f"{url} answered {status}"
        assert not warm.cookies, f"the public list set cookies: {warm.cookies}"
        print(f"\ngunicorn {args.workers} sync workers, production settings, anonymous clients; "
              f"p50 / p95 in ms; {args.requests} requests or {args.seconds:.0f} s each")
        print(f"{'page':<40} {'c':>3} {'p50':>7} {'p95':>7} {'req/s':>7}")
        for c in [int(x) for x in args.concurrency.split(",")]:
            for label, pages in (("reference: login page (anonymous)", ["/accounts/login/"]),
                                 ("/public/ list (all five pages)", urls)):
                sessions = [Session(port) for _ in range(c)]
                for s in sessions:
                    s.user = None
                results, rps = drive(sessions, lambda s, p=pages: p, args.requests,
                                     args.seconds)
                p50, p95 = percentiles([ms for _, _, ms in results])
                print(f"{label:<40} {c:>3} {p50:7.1f} {p95:7.1f} {rps:7.1f}", flush=True)
                if len(pages) > 1:
                    for url in pages:
                        times = [ms for _, u, ms in results if u == url]
                        if times:
                            p50, p95 = percentiles(times)
                            print(f"  {url[:38]:<38} {c:>3} {p50:7.1f} {p95:7.1f}")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
