"""The dashboard (数据看板, /oversight/) under concurrency, over real HTTP.

Reuses lists_http.py: the same set-based data (generate_series; N clues, cases, deadlines
across the demo city, its districts and departments), the same gunicorn (production
settings, 3 sync workers, plain http on 127.0.0.1), the same logged-in sessions (half the
ordinary officer `shuiwu`, half the coordinator `qiantou`, whose dashboard counts the whole
city). Drives the dashboard for this quarter and for a year, with c threads, and prints
p50/p95 beside the anonymous login page over the same gunicorn in the same run; and, for
each user, the SQL time of each figure group in one process (the part that grows with the
data).

    createdb -h 127.0.0.1 -U postgres bench_dashboard
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_dashboard \\
      .venv/bin/python bench/dashboard_http.py --clues 1000000 --cases 200000 --deadlines 200000
"""

import argparse
import logging
import os
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402
from lists_http import (  # noqa: E402  (sets up Django)
    MARK,
    USERS,
    Session,
    _load,
    drive,
    free_port,
    generate,
    percentiles,
    start_gunicorn,
)

from accounts.demo import build_org  # noqa: E402
from accounts.models import Department  # noqa: E402
from cases.models import Case  # noqa: E402
from oversight import figures, periods, summary  # noqa: E402
from oversight.selection import Selection  # noqa: E402
from parties.models import Party  # noqa: E402
from restoration.models import FundObligation  # noqa: E402
from screening.models import Clue  # noqa: E402
from workflow.models import Deadline  # noqa: E402

PAGES = {"quarter": "/oversight/?period={quarter}", "year": "/oversight/?period={year}"}


def generate_money(org) -> None:
    """The money the dashboard sums, set-based: for 40% of the cases past investigation (磋商,
    履行, 结案) an obligor and an obligation (70% by agreement, 25% by judgment, 5% an early
    end; 3% cancelled; paid in full, in part or not yet), for 30% of those in 履行 or 结案 a
    restoration deposit (some applied, some refunded), and for one in eight with something paid
    a compensation account with a paid spending request (two thirds for restoration). Written
    with triggers off like the rest of the data: the summary rebuild counts it."""
    if FundObligation.objects.filter(note=MARK).exists():
        return
    with transaction.atomic():  # all or nothing, so a rerun starts afresh
        _generate_money(org)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _generate_money(org) -> None:
    officer = org.by_username["jingban"]
    party, _ = Party.objects.get_or_create(
        credit_code="91140100BENCH0000X",
        defaults={"kind": Party.Kind.ORGANISATION, "name": "基准测试赔偿义务人",
                  "created_by": officer})
    finance = Department.objects.filter(kind=Department.Kind.FINANCE).first()
    params = {"party": party.pk, "officer": officer.pk, "finance": finance.pk}
    owing = ("c.stage IN ('negotiating', 'performing', 'closed') AND c.id %% 10 < 4 "
             "AND c.number LIKE 'BENCH-%%'")
    _load("cases_caseobligor", f"""
        INSERT INTO cases_caseobligor (role, note, case_id, party_id)
        SELECT 'principal', 'BENCH', c.id, %(party)s FROM cases_case c WHERE {owing}
        """, params)
    _load("restoration_fundobligation", """
        INSERT INTO restoration_fundobligation (source, kind, amount, paid, outstanding,
            cross_county, guarantee, note, status, case_id, obligor_id, payee_treasury_id)
        SELECT source, 'restoration_cost', amount, paid, amount - paid, FALSE, '', 'BENCH',
               CASE WHEN cancel THEN 'cancelled' WHEN paid = amount THEN 'paid' ELSE 'open' END,
               case_id, obligor_id, jurisdiction_id
        FROM (SELECT CASE WHEN p < 0.7 THEN 'agreement' WHEN p < 0.95 THEN 'judgment'
                          ELSE 'early_end' END AS source, amount,
                     CASE WHEN q < 0.5 THEN amount WHEN q < 0.8 THEN round(amount * q::numeric, 2)
                          ELSE 0 END AS paid, random() < 0.03 AS cancel,
                     case_id, obligor_id, jurisdiction_id
              FROM (SELECT random() AS p, random() AS q,
                           round((10000 + random() * 2000000)::numeric, 2) AS amount,
                           c.id AS case_id, o.id AS obligor_id, c.jurisdiction_id
                    FROM cases_caseobligor o JOIN cases_case c ON c.id = o.case_id
                    WHERE o.note = 'BENCH') AS r) AS g
        """, params)
    _load("restoration_deposit", """
        INSERT INTO restoration_deposit (agreed_amount, received, refunded, applied, held,
                                         case_id, obligor_id)
        SELECT amount, amount, refunded, applied, amount - refunded - applied, case_id,
               obligor_id
        FROM (SELECT amount, CASE WHEN p < 0.2 THEN amount ELSE 0 END AS refunded,
                     CASE WHEN p >= 0.2 AND p < 0.4 THEN round(amount / 2, 2) ELSE 0 END
                       AS applied, case_id, obligor_id
              FROM (SELECT round((50000 + random() * 500000)::numeric, 2) AS amount,
                           random() AS p, c.id AS case_id, o.id AS obligor_id
                    FROM cases_caseobligor o JOIN cases_case c ON c.id = o.case_id
                    WHERE o.note = 'BENCH' AND c.stage IN ('performing', 'closed')
                      AND c.id %% 100 < 25) AS r) AS g
        """, params)
    _load("restoration_fundaccount", """
        INSERT INTO restoration_fundaccount (fund, received, spent, balance, case_id,
                                             treasury_id)
        SELECT 'compensation', paid, round(paid / 2, 2), paid - round(paid / 2, 2), case_id,
               payee_treasury_id
        FROM restoration_fundobligation
        WHERE note = 'BENCH' AND status <> 'cancelled' AND paid > 0 AND case_id %% 20 = 1
        """, params)
    _load("restoration_spendingrequest", """
        INSERT INTO restoration_spendingrequest (purpose_kind, purpose, budget, submitted_on,
            review_opinion, approved_amount, reviewed_on, paid_on, voucher_number, state,
            account_id, case_id, requested_by_id, reviewing_department_id, reviewed_by_id)
        SELECT (ARRAY['restoration', 'alternative', 'publicity'])[1 + floor(random() * 3)::int],
               '基准测试', a.spent, date '2026-03-01', '同意', a.spent, date '2026-03-10',
               date '2026-03-20', 'BENCH', 'paid', a.id, a.case_id, %(officer)s,
               %(finance)s, %(officer)s
        FROM restoration_fundaccount a JOIN cases_case c ON c.id = a.case_id
        WHERE c.number LIKE 'BENCH-%%'
        """, params)


def figure_times(org, period_code: str, label: str = "") -> None:
    """SQL + Python time of each figure group, per user, in this process (median of 3)."""
    groups = [
        ("clues by channel × outcome", lambda s: figures.clues_by_channel_and_outcome(s)),
        ("cases by stage", figures.cases_by_stage),
        ("trend (8 quarters)", figures.case_trend),
        ("deadlines", figures.deadlines_due),
        ("approvals", lambda s: figures.approvals_waiting(s, timezone.now())),
        ("money", figures.money),
        ("restoration", figures.restoration),
        ("major cases", figures.major_cases),
        ("side by side", figures.breakdown),
    ]
    from oversight.views import build

    period = periods.parse(period_code)
    for username in USERS:
        user = org.by_username[username]

        def fresh(user=user):  # a new Selection: nothing shared from an earlier call
            return Selection(user=user, period=period, today=timezone.localdate())

        parts = []
        for name, fn in [*groups, ("whole page (views.build)", lambda s: build(
                s, timezone.now()))]:
            times = []
            for _ in range(3):
                sel = fresh()
                t0 = time.perf_counter()
                fn(sel)
                times.append((time.perf_counter() - t0) * 1000)
            parts.append(f"{name} {sorted(times)[1]:.0f}")
        print(f"  {username} {period_code}{label}: " + "; ".join(parts) + " (ms)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clues", type=int, default=1_000_000)
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--deadlines", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=80, help="per page and concurrency")
    parser.add_argument("--seconds", type=float, default=60, help="per page and concurrency")
    parser.add_argument("--concurrency", default="4")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--compare", action="store_true",
                        help="also without the clue summary (ECOCLAIM_CLUE_SUMMARY=0), first")
    parser.add_argument("--baseline", type=Path,
                        help="another checkout (e.g. /work/main) served on the same data right "
                             "before this one: the code before a change, same conditions")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # so that gunicorn is stopped too
    assert connection.vendor == "postgresql", "set DATABASE_URL to a scratch PostgreSQL db"
    call_command("migrate", verbosity=0)
    org = build_org()
    generate(org, args.clues, args.cases, args.deadlines)
    generate_money(org)
    print(f"clues {Clue.objects.count():,}; cases {Case.objects.count():,}; "
          f"deadlines {Deadline.objects.count():,}; obligations "
          f"{FundObligation.objects.count():,}", flush=True)
    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)
    today = timezone.localdate()
    codes = {"quarter": periods.quarter_of(today).code, "year": str(today.year)}
    # the generator writes with triggers off (session_replication_role = replica): the
    # nightly rebuild counts the clue summary, and reports every key as a difference
    started = time.perf_counter()
    logging.getLogger("oversight.summary").setLevel(logging.CRITICAL)
    summary.rebuild()
    print(f"summaries rebuilt in {time.perf_counter() - started:.1f} s: "
          f"{summary.ClueCount.objects.count():,} clue rows, "
          f"{summary.MoneyCount.objects.count():,} money rows", flush=True)
    # a live database's autovacuum keeps the visibility map set (index-only scans) and the
    # replaced summaries compact; the bulk-loaded one has had none yet
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    print(f"vacuumed in {time.perf_counter() - started:.1f} s", flush=True)
    print("figure groups, one process:")
    for code in codes.values():
        for use in ([False, True] if args.compare else [True]):
            with override_settings(ECOCLAIM_CLUE_SUMMARY=use):
                figure_times(org, code, "" if use else " (clues counted, no summary)")
    urls = [PAGES[k].format(**codes) for k in PAGES]
    connection.close()

    here = Path(__file__).resolve().parent.parent
    for use in ([False, True] if args.compare else [True]):
        os.environ["ECOCLAIM_CLUE_SUMMARY"] = "1" if use else "0"
        if use and args.baseline:
            # the same collected static files (the baseline's own may not be collected)
            os.environ.setdefault("ECOCLAIM_VAR_DIR", str(Path(settings.STATIC_ROOT).parent))
            print(f"\nbaseline: {args.baseline}", flush=True)
            serve(args, urls, args.baseline)
        print("\n" + ("with the clue summary" if use else "without the clue summary "
                      "(ECOCLAIM_CLUE_SUMMARY=0)"), flush=True)
        serve(args, urls, here)


def serve(args, urls, app_dir: Path) -> None:
    port = free_port()
    server = start_gunicorn(port, args.workers, app_dir)
    try:
        levels = [int(c) for c in args.concurrency.split(",")]
        print(f"\ngunicorn {args.workers} sync workers, production settings; "
              f"p50 / p95 in ms; {args.requests} requests or {args.seconds:.0f} s each")
        print(f"{'page':<40} {'c':>3} {'p50':>8} {'p95':>8} {'req/s':>7}")
        for c in levels:
            sessions = []
            for i in range(c):
                s = Session(port)
                s.login(USERS[i % 2])
                s.user = USERS[i % 2]
                sessions.append(s)
            for s in sessions[:2]:  # warm the workers
                for url in urls:
                    s.request("GET", url)
            anon = [Session(port) for _ in range(c)]
            for s in anon:
                s.user = None
            results, rps = drive(anon, lambda s: ["/accounts/login/"], args.requests * 4,
                                 args.seconds)
            p50, p95 = percentiles([ms for _, _, ms in results])
            print(f"{'reference: login page (anonymous)':<40} {c:>3} {p50:8.1f} {p95:8.1f} "
                  f"{rps:7.1f}", flush=True)
            for url in urls:
                results, rps = drive(sessions, lambda s, u=url: [u], args.requests,
                                     args.seconds)
                p50, p95 = percentiles([ms for _, _, ms in results])
                print(f"{'dashboard ' + url.split('?')[1] + ' (both users)':<40} {c:>3} "
                      f"{p50:8.1f} {p95:8.1f} {rps:7.1f}", flush=True)
                for user in USERS:
                    times = [ms for who, _, ms in results if who == user]
                    if times:
                        p50, p95 = percentiles(times)
                        print(f"  {user:<38} {c:>3} {p50:8.1f} {p95:8.1f}")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
