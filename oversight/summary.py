"""The clue summary (oversight.ClueCount) behind the dashboard's clue figures (issue 15).

Kept current by PostgreSQL triggers (oversight/summary_sql.py, migration 0003) and rebuilt
nightly from the clues (`rebuild`, Celery beat `oversight.rebuild_clue_counts`, command
`rebuild_clue_counts`), which reports every key whose stored count differs from a fresh
count of the clues. Elsewhere than PostgreSQL (SQLite in development) there are no triggers
and the figures count the clues themselves.

How the figures read it (`clue_groups`): a period's whole months come from the summary, its
first and last partial months (a custom period) from the clues; the summary rows are scoped
by the counted clues' department and jurisdiction (`own_scope_q`, the scoping rule without its
participant part), and the clues the user sees only as a participant (joint clues of other
departments) are counted from the clues and added: the same set as `Clue.objects.visible_to`.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth

from screening.models import Clue
from screening.reports import outcome_expression

from .models import ClueCount

log = logging.getLogger(__name__)

KEY = ("month", "department_id", "jurisdiction_id", "channel_id", "damage_type", "outcome")


def enabled() -> bool:
    return connection.vendor == "postgresql"


# --- reading --------------------------------------------------------------------------------

def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def whole_months(start: date, end: date) -> tuple[date, date] | None:
    """(first day of the first, first day of the last) whole month within [start, end]."""
    first = start if start.day == 1 else _next_month(start)
    after = _next_month(end)
    last_end = end if after - timedelta(days=1) == end else end.replace(day=1) - timedelta(days=1)
    if first > last_end:
        return None
    return first, last_end.replace(day=1)


def _narrow(sel, qs):
    return sel._narrow(qs, jurisdiction="jurisdiction", department="department",
                       damage="damage_type")


def clue_groups(sel) -> list[tuple[int, int, str, int]]:
    """(jurisdiction, channel, outcome, count) of the clues the selection sees registered in
    its period: the same figures as a GROUP BY over `sel.clues()`."""
    start, end = sel.period.start, sel.period.end
    department = getattr(sel.user, "department", None) \
        if sel.user.is_authenticated else None
    months = whole_months(start, end)
    if not enabled() or department is None or months is None:
        return _count_clues(sel.clues().filter(registered_on__range=(start, end)))
    first, last = months
    last_day = _next_month(last) - timedelta(days=1)
    totals: dict[tuple, int] = {}

    def add(rows):
        for j, c, o, n in rows:
            if n:
                totals[(j, c, o)] = totals.get((j, c, o), 0) + n

    counts = ClueCount.objects.filter(ClueCount.objects.own_scope_q(department))
    add(_narrow(sel, counts).filter(month__range=(first, last))
        .values_list("jurisdiction_id", "channel_id", "outcome").annotate(s=Sum("n"))
        .order_by())
    edges = Q(registered_on__range=(start, end)) & ~Q(registered_on__range=(first, last_day))
    add(_count_clues(sel.clues().filter(edges)))
    participant_only = (
        Clue.objects.filter(Clue.objects.all()._participant_q(department))
        .exclude(Clue.objects.own_scope_q(department))
        .filter(registered_on__range=(first, last_day)))
    add(_count_clues(_narrow(sel, participant_only)))
    return [(*k, n) for k, n in totals.items()]


def _count_clues(qs) -> list[tuple[int, int, str, int]]:
    return list(qs.annotate(outcome=outcome_expression())
                .values_list("jurisdiction_id", "channel_id", "outcome").annotate(n=Count("id"))
                .order_by())


# --- the nightly rebuild ----------------------------------------------------------------------

def source_counts() -> dict[tuple, int]:
    """The summary counted afresh from the clues, with the Django outcome expression."""
    rows = (Clue.objects.annotate(month=TruncMonth("registered_on"),
                                  outcome=outcome_expression())
            .values_list("month", "department_id", "jurisdiction_id", "channel_id",
                         "damage_type", "outcome")
            .annotate(n=Count("id")).order_by())
    return {tuple(r[:-1]): r[-1] for r in rows}


def stored_counts() -> dict[tuple, int]:
    return {tuple(r[:-1]): r[-1]
            for r in ClueCount.objects.exclude(n=0).values_list(*KEY, "n")}


def differences(stored: dict, source: dict) -> list[tuple[tuple, int, int]]:
    """(key, stored, counted) of every key whose counts differ."""
    return [(k, stored.get(k, 0), source.get(k, 0)) for k in sorted(
        set(stored) | set(source), key=str) if stored.get(k, 0) != source.get(k, 0)]


def rebuild() -> list[tuple[tuple, int, int]]:
    """Recount the summary from the clues, replace it, and return what differed (nothing when
    the triggers kept it exact). The clue and referral tables are locked against writes for
    the recount, so no change slips between the count and the replacement. Only on
    PostgreSQL, where the summary exists."""
    if not enabled():
        return []
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE screening_clue, screening_referral IN SHARE MODE")
        source = source_counts()
        diff = differences(stored_counts(), source)
        ClueCount.objects.all().delete()
        ClueCount.objects.bulk_create(
            [ClueCount(**dict(zip(KEY, k, strict=True)), n=n) for k, n in source.items()],
            batch_size=5000)
    for key, stored, counted in diff[:50]:
        log.error("clue summary drifted at %s: stored %s, counted %s", key, stored, counted)
    if diff:
        log.error("clue summary rebuilt: %d keys differed from the clues", len(diff))
    else:
        log.info("clue summary rebuilt: %d keys, equal to the clues", len(source))
    return diff
