"""The clue import at a department's volume: preview (dry run) and confirm of a generated
N-row .xlsx (default 2,000) through workflow/excel_import.py (batched: register_clues), beside
a reference measured in the same run: a plain per-row loop (openpyxl read, one
find_or_create_party + register_clue per row, no import library) on another file of the same
shape. Prints seconds, SQL statements and statements per row of each, and the target
(issue 14.2: ≤ 3 s for 2,000 rows). `--profile` prints the top of cProfile for the preview and
the confirmation (BENCH_SORT=tottime to sort otherwise, BENCH_DUMP=prefix to keep the stats).

    createdb -h 127.0.0.1 -U postgres ecoclaim_bench_import
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ecoclaim_bench_import \\
      .venv/bin/python bench/clue_import.py --rows 2000
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ["DEBUG"] = "0"  # DEBUG keeps every query in memory: not what production does

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from openpyxl import Workbook, load_workbook  # noqa: E402

from accounts.demo import build_org  # noqa: E402
from accounts.models import Department  # noqa: E402
from parties.models import Party  # noqa: E402
from parties.services import find_or_create_party  # noqa: E402
from screening import imports  # noqa: E402
from screening.models import Clue, SourceChannel  # noqa: E402
from screening.services import register_clue  # noqa: E402


def _credit_code(n: int) -> str:
    from parties.validators import credit_code_check_char, organisation_code_check_char

    body = f"{n:08d}"
    first17 = "91140100" + body + organisation_code_check_char(body)
    return first17 + credit_code_check_char(first17)


def workbook(rows: int, prefix: str) -> bytes:
    """`rows` valid clues; one obligor per row among rows // 4 companies (so most are known
    after the first rows), a tenth of them already registered before the import."""
    book = Workbook(write_only=True)
    ws = book.create_sheet("线索")
    headers = imports.ClueImportResource.headers()
    ws.append(headers)
    channel = SourceChannel.objects.filter(active=True).order_by("pk").first().name
    for i in range(rows):
        n = 50_000 + i % max(rows // 4, 1)
        values = {"来源文号": f"{prefix}〔2026〕{i:05d}号", "线索渠道": channel,
                  "发现日期": date(2026, 9, 1), "登记日期": date(2026, 9, 3),
                  "来源单位": "执法队", "线索概要": f"第{i}条线索：某企业排放废水。",
                  "发生地（区县）": "小店区", "具体地点": "北格镇", "损害类型": "水污染",
                  "估算损害数额（元）": 1000 + i, "位于生态保护红线或自然保护地": "否",
                  "整改情况": "未完成整改", "涉嫌赔偿义务人": f"基准化工{n}有限公司",
                  "统一社会信用代码": _credit_code(n)}
        ws.append([values.get(h) for h in headers])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def plain_loop(content: bytes, department, user) -> int:
    """The reference: the same rows registered one by one without the import library."""
    ws = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    headers = imports.ClueImportResource.headers()
    channels = {c.name: c for c in SourceChannel.objects.all()}
    place = department.jurisdiction.children.get(name__startswith="小店")
    done = 0
    with transaction.atomic():
        for values in ws.iter_rows(min_row=2, values_only=True):
            v = dict(zip(headers, values, strict=False))
            party = find_or_create_party(kind=Party.Kind.ORGANISATION,
                                         name=v["涉嫌赔偿义务人"], credit_code=v["统一社会信用代码"],
                                         by=user).party
            clue = Clue(department=department, jurisdiction=department.jurisdiction,
                        source_reference=v["来源文号"], channel=channels[v["线索渠道"]],
                        found_on=v["发现日期"].date(), registered_on=v["登记日期"].date(),
                        source_organisation=v["来源单位"], summary=v["线索概要"], place=place,
                        place_detail=v["具体地点"], damage_type="water",
                        estimated_amount=v["估算损害数额（元）"])
            register_clue(clue, by=user, obligors=[party])
            done += 1
    return done


def timed(label, fn, profile=False):
    profiler = cProfile.Profile() if profile else None
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(1)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        start = time.perf_counter()
        if profiler:
            profiler.enable()
        result = fn()
        if profiler:
            profiler.disable()
        elapsed = time.perf_counter() - start
    rows = timed.rows
    print(f"{label:<40} {elapsed:7.2f} s  {len(queries):6d} statements"
          f"  {len(queries) / rows:6.2f} per row", flush=True)
    timed.figures[label] = elapsed
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(30)
        if os.environ.get("BENCH_DUMP"):
            profiler.dump_stats(os.environ["BENCH_DUMP"] + label.split()[0])
        print(out.getvalue())
    return result


timed.rows, timed.figures = 1, {}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    settings.ECOCLAIM_IMPORT_MAX_ROWS = max(settings.ECOCLAIM_IMPORT_MAX_ROWS, args.rows)
    settings.ECOCLAIM_IMPORT_DIRECT_MAX_ROWS = max(
        getattr(settings, "ECOCLAIM_IMPORT_DIRECT_MAX_ROWS", 0), args.rows)
    call_command("migrate", verbosity=0)
    if not Department.objects.filter(name="市生态环境局").exists():
        build_org()
    from accounts.models import User

    user = User.objects.get(username="jingban")
    department = user.department
    stamp = f"基准{int(time.time())}"
    # a tenth of the obligors registered before the import
    for n in range(50_000, 50_000 + max(args.rows // 4, 1) // 10):
        find_or_create_party(kind=Party.Kind.ORGANISATION, name=f"基准化工{n}有限公司",
                             credit_code=_credit_code(n), by=user)
    content = workbook(args.rows, stamp + "A")
    print(f"{args.rows} rows, {len(content) / 1024:.0f} KB")
    timed.rows = args.rows

    upload = imports.store_upload(SimpleUploadedFile("bench.xlsx", content),
                                  department=department, by=user)
    report = timed("preview (dry run)",
                   lambda: imports.preview_import(upload, by=user), args.profile)
    assert report.new == args.rows and not report.problems, (report.problems, report.invalid,
                                                             report.rows[:1])
    timed("preview again (stored)", lambda: imports.preview_import(upload, by=user))
    report = timed("confirm", lambda: imports.confirm_import(upload, by=user), args.profile)
    assert report.new == args.rows, (report.problems, report.invalid)

    reference = workbook(args.rows, stamp + "B")
    done = timed("reference: plain register_clue loop",
                 lambda: plain_loop(reference, department, user))
    assert done == args.rows
    f = timed.figures
    reference = f["reference: plain register_clue loop"]
    print(f"\npreview {f['preview (dry run)']:.2f} s, confirm {f['confirm']:.2f} s "
          f"(target ≤ 3 s for 2,000 rows); reference loop {reference:.2f} s: preview at "
          f"{f['preview (dry run)'] / reference:.2f}×, confirm at {f['confirm'] / reference:.2f}× "
          f"the reference")


if __name__ == "__main__":
    main()
