"""The quarterly screening list at province scale: time and peak memory of the streamed export
(screening/reports.py: export_resource() rows over queryset.iterator() into a write-only
workbook) against django-import-export's default in-memory export of the same rows
(resource.export() → tablib Dataset → XLSX().export_data()).

Each measurement runs in its own process, so that ru_maxrss (the process's peak resident set)
belongs to that export alone; a second run of each under tracemalloc gives the peak of Python
allocations (tracemalloc slows the run, so its time is not the one reported).

    createdb -h 127.0.0.1 -U postgres ecoclaim_bench_export
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ecoclaim_bench_export \\
      .venv/bin/python bench/screening_export.py --rows 100000
"""

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from decimal import Decimal
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
from screening.reports import (  # noqa: E402
    ClueReportResource,
    ReportScope,
    report_queryset,
    with_prefetch,
    write_quarterly_report,
)

YEAR, QUARTER = 2026, 3
FIRST_DAY = date(2026, 7, 1)
BATCH = 10_000


def _credit_code(n: int) -> str:
    from parties.validators import credit_code_check_char, organisation_code_check_char

    body = f"{n:08d}"
    first17 = "91140100" + body + organisation_code_check_char(body)
    return first17 + credit_code_check_char(first17)


def generate(rows: int, org) -> None:
    """`rows` clues registered in Q3 2026 across the city and its districts, each with an
    obligor, 5% referred, in several states; bulk inserts, rule_profile set (bench data: no
    audit rows)."""
    have = Clue.objects.filter(number__startswith="BENCH-EXP-").count()
    if have >= rows:
        return
    rng = random.Random(7)
    officer = org.by_username["jingban"]
    profile = org.city.rule_profile_on(FIRST_DAY)
    channels = list(SourceChannel.objects.all())
    departments = [d for d in Department.objects.select_related("jurisdiction")
                   if d.handles_claims]
    water = org.departments["市水务局"]
    if not Party.objects.filter(credit_code=_credit_code(1)).exists():
        Party.objects.bulk_create(
            Party(kind=Party.Kind.ORGANISATION, name=f"基准测试化工有限公司{i}",
                  credit_code=_credit_code(i), created_by=officer) for i in range(1, 2001))
    parties = list(Party.objects.filter(name__startswith="基准测试").values_list("pk", flat=True))
    states = [Clue.State.REGISTERED, Clue.State.VERIFYING, Clue.State.CASE_OPENED,
              Clue.State.NOT_STARTED, Clue.State.EXCLUDED]
    through = Clue.suspected_obligors.through
    for start in range(have, rows, BATCH):
        batch = []
        for i in range(start, min(rows, start + BATCH)):
            d = rng.choice(departments)
            registered = FIRST_DAY + timedelta(days=rng.randrange(92))
            state = rng.choice(states) if i % 20 else Clue.State.REFERRED
            not_started = state == Clue.State.NOT_STARTED
            batch.append(Clue(
                number=f"BENCH-EXP-{i:08d}", jurisdiction=d.jurisdiction, department=d,
                channel=rng.choice(channels), found_on=registered - timedelta(days=3),
                registered_on=registered,
                summary="基准测试线索：某企业超标排放废水，下游河段受污染，需初步核查损害情况。",
                place=d.jurisdiction, place_detail="某镇某村", damage_type=rng.choice(
                    Clue.DamageType.values),
                estimated_amount=Decimal(rng.randrange(100, 5_000_000)) / 100,
                source_organisation="综合行政执法队", source_reference=f"执法〔2026〕{i}号",
                state=state, registered_by=officer, rule_profile=profile,
                decision=Clue.Decision.NOT_START if not_started else "",
                decision_reason=Clue.NotStartReason.NO_DAMAGE if not_started else "",
                decision_note="经现场核查未发现损害。" if not_started else ""))
        Clue.objects.bulk_create(batch)
        through.objects.bulk_create(
            through(clue_id=c.pk, party_id=rng.choice(parties)) for c in batch)
        Referral.objects.bulk_create(
            Referral(clue=c, from_department=c.department, to_department=water,
                     sent_on=c.registered_on + timedelta(days=5), sent_by=officer,
                     note="移送水务部门") for c in batch if c.state == Clue.State.REFERRED)
        print(f"  generated {start + len(batch):,} clues", flush=True)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in ("screening_clue", "screening_clue_suspected_obligors",
                          "screening_referral"):
                cursor.execute(f"ANALYZE {table}")


def scope_for(org) -> ReportScope:
    return ReportScope(org.departments["市生态环境局"], YEAR, QUARTER, whole_jurisdiction=True)


def run_streamed(org, target: Path) -> int:
    return write_quarterly_report(scope_for(org), str(target))


def run_library(org, target: Path) -> int:
    """What import-export does for an admin export: the whole Dataset, then the whole
    workbook, then its bytes."""
    from import_export.formats.base_formats import XLSX

    dataset = ClueReportResource().export(with_prefetch(report_queryset(scope_for(org))))
    target.write_bytes(XLSX().export_data(dataset))
    return len(dataset)


def measure(mode: str, traced: bool) -> dict:
    org = build_org()
    run = {"streamed": run_streamed, "library": run_library}[mode]
    connection.ensure_connection()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "report.xlsx"
        if traced:
            tracemalloc.start()
        t0 = time.perf_counter()
        rows = run(org, target)
        seconds = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1] if traced else None
        if traced:
            tracemalloc.stop()
        size = target.stat().st_size
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"mode": mode, "rows": rows, "seconds": seconds, "traced_peak_mb": (
        peak / 2**20 if peak is not None else None), "maxrss_mb": after / 1024,
        "rss_before_mb": before / 1024, "file_mb": size / 2**20}


def child(mode: str, traced: bool) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--measure", mode] + (["--traced"] if traced else []),
        check=True, capture_output=True, text=True, env=os.environ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--measure", choices=["streamed", "library"])
    parser.add_argument("--traced", action="store_true")
    parser.add_argument("--skip-library", action="store_true",
                        help="leave out the library's in-memory export")
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.traced)))
        return
    call_command("migrate", verbosity=0)
    org = build_org()
    print(f"database: {connection.vendor}; generating up to {args.rows:,} clues")
    generate(args.rows, org)
    print(f"clues in {YEAR} Q{QUARTER} for the whole jurisdiction: "
          f"{scope_for(org).clues().count():,}")
    modes = ["streamed"] + ([] if args.skip_library else ["library"])
    print(f"{'export':<10}{'rows':>9}{'time':>10}{'maxrss':>11}{'(before)':>11}"
          f"{'traced peak':>13}{'file':>9}")
    for mode in modes:
        plain, traced = child(mode, False), child(mode, True)
        print(f"{mode:<10}{plain['rows']:>9,}{plain['seconds']:>9.1f}s"
              f"{plain['maxrss_mb']:>8.0f} MB{plain['rss_before_mb']:>8.0f} MB"
              f"{traced['traced_peak_mb']:>10.1f} MB{plain['file_mb']:>6.1f} MB", flush=True)


if __name__ == "__main__":
    main()
