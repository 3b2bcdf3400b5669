"""The quarterly screening list at province scale: time and peak memory of the project's export
(screening/reports.write_quarterly_report: values_list rows over a server-side cursor, related
rows per chunk, written by workflow/spreadsheets.py, the app's own streaming .xlsx writer)
beside a plain reference measured in the same run: one `values_list` with correlated
`StringAgg` subqueries over `.iterator(chunk_size=5000)`, written with xlsxwriter
(constant_memory) `write_row`, no summary sheet, no formatting beyond the date format.

Each export runs in its own process; "growth" is the peak resident set during the export minus
the resident set just before it (after Django, the connection and the organisation are loaded;
the kernel's peak is reset then, /proc/self/clear_refs, so an earlier peak cannot hide it).
"cpu" is the export process's CPU time and "db cpu" that of its PostgreSQL backend (read from
/proc when the server runs on this machine): unlike the wall clock, they hardly depend on what
else the machine is running. The two are run alternately
(`--repeat` pairs) so that the noise of a shared machine falls on both.

    createdb -h 127.0.0.1 -U postgres ecoclaim_bench_export
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ecoclaim_bench_export \\
      .venv/bin/python bench/screening_export.py --rows 100000

Data are generated set-based (INSERT … SELECT FROM generate_series), 100,000 clues in a few
seconds; `--rows 300000` adds the missing ones to show that memory stays flat. 1% of the
summaries begin with "=" (formula injection: written as text).
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ["DEBUG"] = "0"  # DEBUG keeps every query in memory: not what production does

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from accounts.demo import build_org  # noqa: E402
from accounts.models import Department  # noqa: E402
from parties.models import Party  # noqa: E402
from screening.models import Clue, Referral, SourceChannel  # noqa: E402
from screening.reports import ReportScope, write_quarterly_report  # noqa: E402

YEAR, QUARTER = 2026, 3
FIRST_DAY = date(2026, 7, 1)
PREFIX = "BENCH-EXP-"


def _credit_code(n: int) -> str:
    from parties.validators import credit_code_check_char, organisation_code_check_char

    body = f"{n:08d}"
    first17 = "91140100" + body + organisation_code_check_char(body)
    return first17 + credit_code_check_char(first17)


def generate(rows: int, org) -> None:
    """Up to `rows` clues registered in Q3 2026 across the city and its districts, each with an
    obligor, 5% referred, in several states; set-based SQL, rule_profile set (bench data: no
    audit rows)."""
    have = Clue.objects.filter(number__startswith=PREFIX).count()
    if have >= rows:
        return
    officer = org.by_username["jingban"]
    profile = org.city.rule_profile_on(FIRST_DAY)
    within = scope_for(org).jurisdiction.path  # every generated clue is in the exported list
    departments = [d for d in Department.objects.select_related("jurisdiction").order_by("id")
                   if d.handles_claims and d.jurisdiction.path.startswith(within)]
    water = org.departments["市水务局"]
    if not Party.objects.filter(credit_code=_credit_code(1)).exists():
        Party.objects.bulk_create(
            Party(kind=Party.Kind.ORGANISATION, name=f"基准测试化工有限公司{i}",
                  credit_code=_credit_code(i), created_by=officer) for i in range(1, 2001))
    parties = list(Party.objects.filter(name__startswith="基准测试").order_by("id")
                   .values_list("pk", flat=True))
    t0 = time.perf_counter()
    clue, through = Clue._meta.db_table, Clue.suspected_obligors.through._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {clue}")
        (last_id,) = cursor.fetchone()
        cursor.execute(f"""
            INSERT INTO {clue} (
                number, found_on, registered_on, source_organisation, source_reference, summary,
                place_detail, damage_type, estimated_amount, in_protected_area, rectification,
                state, created_at, updated_at, department_id, jurisdiction_id, place_id,
                registered_by_id, channel_id, decided_on, decision, decision_note,
                decision_reason, rule_profile_id, trivial_assessment)
            SELECT %(prefix)s || lpad(g::text, 8, '0'), day - 3, day, '综合行政执法队',
                   '执法〔2026〕' || g || '号',
                   CASE WHEN g %% 100 = 0 THEN '=HYPERLINK("http://x","y")'
                        ELSE '基准测试线索：某企业超标排放废水，下游河段受污染，需初步核查损害情况。' END,
                   '某镇某村', (%(damage)s::text[])[1 + g %% %(n_damage)s],
                   ((g::bigint * 7919) %% 499990 + 10) / 100.0, g %% 10 = 0, 'unknown', state,
                   now(), now(), (%(depts)s::bigint[])[1 + g %% %(n_depts)s],
                   (%(jurs)s::bigint[])[1 + g %% %(n_depts)s],
                   (%(jurs)s::bigint[])[1 + g %% %(n_depts)s], %(officer)s,
                   (%(channels)s::bigint[])[1 + g %% %(n_channels)s], NULL,
                   CASE WHEN state = 'not_started' THEN 'not_start' ELSE '' END,
                   CASE WHEN state = 'not_started' THEN '经现场核查未发现损害。' ELSE '' END,
                   CASE WHEN state = 'not_started' THEN 'no_damage' ELSE '' END,
                   %(profile)s, '{{}}'::jsonb
            FROM generate_series(%(first)s, %(last)s) AS g,
                 LATERAL (SELECT %(day)s::date + (g * 37) %% 92 AS day,
                                 CASE WHEN g %% 20 = 0 THEN 'referred'
                                      ELSE (%(states)s::text[])[1 + g %% 5] END AS state) AS x
            """, {
            "prefix": PREFIX, "first": have, "last": rows - 1, "day": FIRST_DAY,
            "damage": list(Clue.DamageType.values), "n_damage": len(Clue.DamageType.values),
            "depts": [d.pk for d in departments], "jurs": [d.jurisdiction_id for d in departments],
            "n_depts": len(departments), "officer": officer.pk,
            "channels": list(SourceChannel.objects.values_list("pk", flat=True)),
            "n_channels": SourceChannel.objects.count(), "profile": profile.pk,
            "states": [Clue.State.REGISTERED, Clue.State.VERIFYING, Clue.State.CASE_OPENED,
                       Clue.State.NOT_STARTED, Clue.State.EXCLUDED]})
        cursor.execute(f"""
            INSERT INTO {through} (clue_id, party_id)
            SELECT id, (%(parties)s::bigint[])[1 + id %% %(n)s] FROM {clue}
            WHERE id > %(last_id)s AND number LIKE %(like)s""",
                       {"parties": parties, "n": len(parties), "last_id": last_id,
                        "like": PREFIX + "%"})
        cursor.execute(f"""
            INSERT INTO {Referral._meta.db_table} (
                clue_id, from_department_id, to_department_id, sent_on, sent_by_id, note)
            SELECT id, department_id, %(water)s, registered_on + 5, %(officer)s, '移送水务部门'
            FROM {clue} WHERE id > %(last_id)s AND number LIKE %(like)s AND state = 'referred'
            """, {"water": water.pk, "officer": officer.pk, "last_id": last_id,
                  "like": PREFIX + "%"})
        for table in (clue, through, Referral._meta.db_table):
            cursor.execute(f"ANALYZE {table}")
    print(f"  generated {rows - have:,} clues in {time.perf_counter() - t0:.1f} s", flush=True)


def scope_for(org) -> ReportScope:
    return ReportScope(org.departments["市生态环境局"], YEAR, QUARTER, whole_jurisdiction=True)


def run_project(org, target: Path) -> int:
    return write_quarterly_report(scope_for(org), str(target))


def run_reference(org, target: Path) -> int:
    """The plain way: one values_list with correlated StringAgg subqueries, written as is."""
    import xlsxwriter
    from django.contrib.postgres.aggregates import StringAgg
    from django.db.models import OuterRef, Subquery

    through = Clue.suspected_obligors.through
    names = through.objects.filter(clue_id=OuterRef("pk")).values("clue_id").annotate(
        names=StringAgg("party__name", "、", ordering="id")).values("names")
    referrals = Referral.objects.filter(clue_id=OuterRef("pk")).values("clue_id").annotate(
        to=StringAgg("to_department__name", "；", ordering="id")).values("to")
    rows = scope_for(org).clues().order_by(
        "jurisdiction__path", "department__name", "registered_on", "id").annotate(
        obligor_names=Subquery(names), referred_to=Subquery(referrals)).values_list(
        "number", "channel__name", "found_on", "registered_on", "summary", "obligor_names",
        "place__name", "place_detail", "damage_type", "estimated_amount", "state", "decision",
        "decision_note", "referred_to", "department__name", "source_reference")
    book = xlsxwriter.Workbook(str(target), {
        "constant_memory": True, "default_date_format": 'yyyy"年"m"月"d"日"',
        "strings_to_formulas": False})
    ws = book.add_worksheet("线索筛查清单")
    ws.write_row(0, 0, ["线索编号", "线索渠道", "发现日期", "登记日期", "线索概要", "涉嫌赔偿义务人",
                        "发生地", "具体地点", "损害类型", "估算损害数额（元）", "状态", "结论", "说明",
                        "移送", "办理部门", "来源文号"])
    n = 0
    for n, row in enumerate(rows.iterator(chunk_size=5000), start=1):
        ws.write_row(n, 0, row)
    book.close()
    return n


def _status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")  # resets VmHWM, the peak resident set
        return True
    except OSError:
        return False


def _backend_cpu() -> float | None:
    """CPU seconds of this connection's PostgreSQL backend (None unless it runs here)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(mode: str) -> dict:
    org = build_org()
    run = {"project": run_project, "reference": run_reference}[mode]
    connection.ensure_connection()
    by_proc = _reset_peak() and _status_kb("VmRSS") is not None
    before = _status_kb("VmRSS") if by_proc else \
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    db_before = _backend_cpu()
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "report.xlsx"
        t0, c0 = time.perf_counter(), time.process_time()
        rows = run(org, target)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        size = target.stat().st_size
    db_after = _backend_cpu()
    after = _status_kb("VmHWM") if by_proc else \
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"mode": mode, "rows": rows, "seconds": seconds, "cpu": cpu,
            "db_cpu": None if db_before is None else db_after - db_before,
            "rss_before_mb": before / 1024, "rss_peak_mb": after / 1024,
            "growth_mb": (after - before) / 1024, "file_mb": size / 2**20,
            "load": os.getloadavg()[0]}


def child(mode: str) -> dict:
    output = subprocess.run([sys.executable, __file__, "--measure", mode], check=True,
                            capture_output=True, text=True, env=os.environ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2, help="pairs of runs (default 2)")
    parser.add_argument("--measure", choices=["project", "reference"])
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    call_command("migrate", verbosity=0)
    org = build_org()
    print(f"database: {connection.vendor}; generating up to {args.rows:,} clues")
    generate(args.rows, org)
    print(f"clues in {YEAR} Q{QUARTER} for the whole jurisdiction: "
          f"{scope_for(org).clues().count():,}")
    print(f"{'export':<11}{'rows':>9}{'time':>9}{'cpu':>8}{'db cpu':>8}{'growth':>10}"
          f"{'peak RSS':>10}{'before':>9}{'file':>9}{'load':>6}")
    runs = {"project": [], "reference": []}
    for _ in range(args.repeat):
        for mode in ("reference", "project"):
            r = child(mode)
            runs[mode].append(r)
            db_cpu = "-" if r["db_cpu"] is None else f"{r['db_cpu']:.1f}s"
            print(f"{mode:<11}{r['rows']:>9,}{r['seconds']:>8.1f}s{r['cpu']:>7.1f}s{db_cpu:>8}"
                  f"{r['growth_mb']:>7.0f} MB{r['rss_peak_mb']:>7.0f} MB"
                  f"{r['rss_before_mb']:>6.0f} MB{r['file_mb']:>6.1f} MB{r['load']:>6.1f}",
                  flush=True)
    best = {mode: min(r["seconds"] for r in rs) for mode, rs in runs.items()}
    ratios = [p["seconds"] / r["seconds"] for p, r in zip(runs["project"], runs["reference"],
                                                          strict=True)]
    print(f"best: project {best['project']:.1f} s, reference {best['reference']:.1f} s, "
          f"ratio {best['project'] / best['reference']:.2f} (per pair: "
          f"{', '.join(f'{x:.2f}' for x in ratios)}; median {statistics.median(ratios):.2f}); "
          f"peak RSS growth of the project {max(r['growth_mb'] for r in runs['project']):.0f} MB; "
          f"best CPU (process + database): project "
          f"{min(r['cpu'] + (r['db_cpu'] or 0) for r in runs['project']):.1f} s, reference "
          f"{min(r['cpu'] + (r['db_cpu'] or 0) for r in runs['reference']):.1f} s; "
          f"load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
