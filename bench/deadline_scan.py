"""Deadline scan at province scale: N open deadlines (default 1,000,000) of which 1% have
something due today (half a reminder, half overdue), generated in PostgreSQL with
generate_series. Times workflow.deadlines.scan_deadlines, the delivery of its alerts
(process_alerts), and a naive per-object loop over every open deadline on the same data, and
checks that both raise the same alerts."""

import argparse
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.demo import build_org  # noqa: E402
from accounts.models import Department, User  # noqa: E402
from accounts.roles import Role, group_name  # noqa: E402
from workflow.deadlines import (  # noqa: E402
    Policy,
    _expiry_handlers,
    process_alerts,
    scan_deadlines,
)
from workflow.models import Deadline, DeadlineAlert, Notification  # noqa: E402

MARK = "BENCH"  # subject_label of the generated rows


def heads_for(departments) -> None:
    """A division head and a department head in every department, to be escalated to."""
    for department in departments:
        for role in (Role.DIVISION_HEAD, Role.DEPARTMENT_HEAD):
            user, created = User.objects.get_or_create(
                username=f"bench-{role.value}-{department.pk}",
                defaults={"full_name": f"{department.short_name}{role.label}",
                          "department": department})
            if created:
                user.groups.add(Group.objects.get(name=group_name(role)))


def generate(rows: int, due_every: int, today) -> None:
    org = build_org()
    heads_for(d for d in org.departments.values() if d.handles_claims)
    have = Deadline.objects.filter(subject_label=MARK).count()
    if have >= rows:
        print(f"  {have:,} generated deadlines already there")
        return
    departments = [d.pk for d in org.departments.values() if d.handles_claims]
    officers = [org.by_username[u].pk for u in ("jingban", "shuiwu", "xiaodian")]
    content_type = ContentType.objects.get_for_model(Department).pk
    started = time.perf_counter()
    # Row i: every `due_every`-th row has something due today, alternately a reminder (due in
    # 1..7 days) and overdue (due 1..3 days ago); the others are due in 8..400 days.
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO workflow_deadline (
                content_type_id, object_id, subject_label, subject_url, kind, title, rule_key,
                citation, profile_id, start_event, start_date, calendar, days, extension_days,
                paused_days, paused_since, due, confirmed, explanation, status, met_at,
                overdue_at, responsible_id, department_id, next_action_on, created_at)
            SELECT %(ct)s, d.dept, %(mark)s, '', 'negotiation_reply', '磋商告知书答复期限', '',
                   '磋商告知书', NULL, '送达磋商告知书', d.due - 30, 'natural', 30, 0, 0, NULL,
                   d.due, TRUE, '基准测试数据', 'open', NULL, NULL, d.officer, d.dept,
                   GREATEST(d.due - 7, %(today)s::date), now()
            FROM (
                SELECT i,
                       (%(depts)s::bigint[])[1 + i %% cardinality(%(depts)s::bigint[])] AS dept,
                       (%(officers)s::bigint[])[1 + i %% cardinality(%(officers)s::bigint[])]
                           AS officer,
                       CASE WHEN i %% %(every)s = 0 AND (i / %(every)s) %% 2 = 0
                                THEN %(today)s::date + (1 + (i / %(every)s / 2) %% 7)
                            WHEN i %% %(every)s = 0
                                THEN %(today)s::date - (1 + (i / %(every)s / 2) %% 3)
                            ELSE %(today)s::date + (8 + i %% 393) END AS due
                FROM generate_series(%(first)s, %(last)s) AS i
            ) AS d
            """,
            {"ct": content_type, "mark": MARK, "today": today, "depts": departments,
             "officers": officers, "every": due_every, "first": have + 1, "last": rows},
        )
        cursor.execute("ANALYZE workflow_deadline")
    print(f"  generated {rows - have:,} deadlines in {time.perf_counter() - started:.1f} s")


def reset(today) -> None:
    """Undo a scan: no alerts or notifications; the due rows open again."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM workflow_notification")
        cursor.execute("DELETE FROM workflow_deadlinealert")
        cursor.execute(
            "UPDATE workflow_deadline SET status = 'open', overdue_at = NULL, "
            "next_action_on = GREATEST(due - 7, %s::date) WHERE due <= %s::date + 7",
            [today, today])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE workflow_deadline")
        cursor.execute("VACUUM ANALYZE workflow_deadlinealert")


def naive_scan(now) -> int:
    """What one would write first: every open deadline through Python, one at a time."""
    today = timezone.localdate(now)
    policy = Policy.current()
    raised = 0
    for deadline in Deadline.objects.filter(
            status__in=(Deadline.Status.OPEN, Deadline.Status.OVERDUE)).iterator(chunk_size=2000):
        if deadline.next_action_on is None or deadline.next_action_on > today:
            continue
        alerts, status, next_on = policy.plan(deadline.due, today,
                                              has_expiry=deadline.kind in _expiry_handlers)
        with transaction.atomic():
            for kind, offset in alerts:
                _, created = DeadlineAlert.objects.get_or_create(
                    deadline=deadline, kind=kind, offset=offset, due=deadline.due,
                    defaults={"days_left": (deadline.due - today).days, "created_at": now})
                raised += created
            if status:
                deadline.status = status
                deadline.overdue_at = deadline.overdue_at or now
            deadline.next_action_on = next_on
            deadline.save(update_fields=["status", "overdue_at", "next_action_on"])
    return raised


def explain(today) -> str:
    query = (Deadline.objects.filter(next_action_on__lte=today)
             .order_by("next_action_on", "id").values_list("id", "due", "kind")[:500])
    return query.explain()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--due-percent", type=float, default=1.0)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--skip-naive", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/deadline_scan.py needs PostgreSQL: set DATABASE_URL to a scratch database")
    call_command("migrate", verbosity=0)
    now = timezone.now()
    today = timezone.localdate(now)
    every = round(100 / args.due_percent)
    print(f"deadline scan: {args.rows:,} open deadlines, 1 in {every} due on {today}, "
          f"batches of {args.batch}")
    generate(args.rows, every, today)
    due = Deadline.objects.filter(next_action_on__lte=today).count()
    print(f"  due today: {due:,}")
    print("  plan of one batch:\n    " + explain(today).replace("\n", "\n    "))

    reset(today)
    started = time.perf_counter()
    result = scan_deadlines(now, batch_size=args.batch)
    scan_s = time.perf_counter() - started
    alerts = DeadlineAlert.objects.count()
    started = time.perf_counter()
    processed = process_alerts(now=now, batch_size=args.batch)
    deliver_s = time.perf_counter() - started
    notes = Notification.objects.count()
    started = time.perf_counter()
    again = scan_deadlines(now, batch_size=args.batch)
    rescan_s = time.perf_counter() - started
    print(f"  scan_deadlines:  {scan_s:8.2f} s  ({result.deadlines:,} deadlines in "
          f"{result.batches} batches, {alerts:,} alerts)")
    print(f"  process_alerts:  {deliver_s:8.2f} s  ({processed:,} alerts, {notes:,} notifications)")
    print(f"  scan again:      {rescan_s:8.2f} s  ({again.deadlines} deadlines: nothing left)")

    if not args.skip_naive:
        reset(today)
        started = time.perf_counter()
        raised = naive_scan(now + timedelta(seconds=1))
        naive_s = time.perf_counter() - started
        print(f"  naive loop:      {naive_s:8.2f} s  ({raised:,} alerts; same as the scan: "
              f"{'yes' if raised == alerts else 'NO'})")
        print(f"  scan is {naive_s / scan_s:.0f}x faster than the naive loop")
    reset(today)


if __name__ == "__main__":
    main()
