"""Clue list latency at scale: keyset pagination under the scoping rule."""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.test.utils import setup_test_environment  # noqa: E402

setup_test_environment()  # the test client then records each response's context

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.demo import build_org  # noqa: E402
from screening.models import Clue, SourceChannel  # noqa: E402


def generate(rows: int, org) -> None:
    have = Clue.objects.count()
    if have >= rows:
        return
    channels = list(SourceChannel.objects.all())
    departments = [d for d in org.departments.values() if d.handles_claims]
    officer = org.by_username["jingban"]
    start, batch = have, []
    rng = random.Random(42)
    profile = org.city.rule_profile_on(date(2025, 8, 1))
    for i in range(start, rows):
        d = rng.choice(departments)
        registered = date(2025, 8, 1) + timedelta(days=rng.randrange(480))
        batch.append(Clue(
            number=f"BENCH-{i:08d}", jurisdiction=d.jurisdiction, department=d,
            channel=rng.choice(channels), found_on=registered - timedelta(days=2),
            registered_on=registered, summary="基准测试线索", damage_type=rng.choice(
                Clue.DamageType.values), registered_by=officer, rule_profile=profile))
        if len(batch) == 10_000:
            Clue.objects.bulk_create(batch)  # bench data: no audit rows on purpose
            batch.clear()
            print(f"  generated {i + 1:,} clues", flush=True)
    Clue.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE screening_clue")


def measure(client: Client, url: str, n: int) -> tuple[float, float, int]:
    times, queries = [], 0
    for _ in range(n):
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, response.status_code
        queries = len(ctx.captured_queries)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], queries


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    org = build_org()
    print(f"database: {connection.vendor}; generating up to {args.rows:,} clues")
    generate(args.rows, org)
    print(f"clues: {Clue.objects.count():,}")
    for username in ("jingban", "shuiwu"):
        client = Client()
        client.force_login(org.by_username[username])
        first = client.get("/screening/clues/")
        cursor = first.context["page"].next_cursor
        for _ in range(50):  # walk 50 pages deep
            page = client.get(f"/screening/clues/?after={cursor}").context["page"]
            cursor = page.next_cursor or cursor
        for label, url in [
            ("first page", "/screening/clues/"),
            ("page 51", f"/screening/clues/?after={cursor}"),
            ("filtered", "/screening/clues/?damage_type=water&state=registered"),
        ]:
            p50, p95, queries = measure(client, url, args.repeat)
            print(f"{username:<8} {label:<11} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  "
                  f"{queries} queries")


if __name__ == "__main__":
    main()
