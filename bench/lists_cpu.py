"""Python CPU per page of the three lists, in one process (no HTTP, no concurrency).

Runs on the data `lists_http.py` generated (run that first on the same DATABASE_URL), with
production settings and the Django test client: for each list, user (the officer `shuiwu`,
the coordinator `qiantou`) and page (first, page 51, filtered) the median `process_time` and
wall time of `--repeat` requests and the queries per page, beside the anonymous login page of
the same run. `--app-dir` measures another checkout (before/after on the same data);
`--profile N` prints cProfile's N costliest functions over all the pages."""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
parser = argparse.ArgumentParser()
parser.add_argument("--repeat", type=int, default=60)
parser.add_argument("--app-dir", type=Path, default=BASE)
parser.add_argument("--profile", type=int, default=0, help="print the N costliest functions")
parser.add_argument("--only", default="clues,cases,deadlines")
args = parser.parse_args()

APP = args.app_dir.resolve()
sys.path.insert(0, str(APP))
os.chdir(APP)  # Celery's Django fixup puts the working directory first on sys.path
os.environ.update({
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-" + "x" * 50),
    "ALLOWED_HOSTS": "testserver",
    "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/13"),
    "SECURE_SSL_REDIRECT": "0",
})

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

import screening.views  # noqa: E402, F401
import workflow.pagination  # noqa: E402  (the app's own, before lists_http's path)

sys.path.insert(1, str(BASE / "bench"))
from lists_http import USERS, scenarios  # noqa: E402

del sys.path[0]  # lists_http put this checkout first: the app stays the one of --app-dir
for module in (screening.views, workflow.pagination):
    assert Path(module.__file__).is_relative_to(APP), module.__file__

from accounts.demo import build_org  # noqa: E402


def measure(client, url: str, repeat: int) -> tuple[float, float, int]:
    for _ in range(3):
        assert client.get(url).status_code == 200, url
    cpu, wall = [], []
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        response = client.get(url)
        cpu.append((time.process_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
        assert response.status_code == 200, url
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(cpu), statistics.median(wall), len(queries)


def main() -> None:
    org = build_org()
    urls = scenarios(org)
    clients = {}
    for username in USERS:
        clients[username] = Client()
        clients[username].force_login(org.by_username[username])
    anonymous = Client()
    print(f"serving {APP}; production settings, in process; "
          f"median of {args.repeat}; ms of CPU (wall), queries")
    cpu, wall, n = measure(anonymous, "/accounts/login/", args.repeat)
    print(f"{'reference: login page (anonymous)':<36} {cpu:6.1f} ({wall:6.1f}) {n:3d}")
    for name in args.only.split(","):
        for username in USERS:
            for label, url in zip(("first", "page 51", "filtered"), urls[name][username],
                                  strict=True):
                cpu, wall, n = measure(clients[username], url, args.repeat)
                print(f"{name + ' ' + username + ' ' + label:<36} {cpu:6.1f} ({wall:6.1f}) "
                      f"{n:3d}", flush=True)
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile(time.process_time)  # CPU, not the waits
        profiler.enable()
        for _ in range(10):
            for name in args.only.split(","):
                for username in USERS:
                    for url in urls[name][username]:
                        clients[username].get(url)
        profiler.disable()
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(args.profile)
        stats.sort_stats("tottime").print_stats(args.profile)


if __name__ == "__main__":
    main()
