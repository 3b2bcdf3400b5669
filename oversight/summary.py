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
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth

from cases.models import Case
from screening.models import Clue
from screening.reports import outcome_expression

from .models import CaseCount, ClueCount, MoneyCount

log = logging.getLogger(__name__)

ZERO = Decimal("0.00")
KEY = ("month", "department_id", "jurisdiction_id", "channel_id", "damage_type", "outcome")


def enabled() -> bool:
    """Whether the summary exists and is kept (PostgreSQL)."""
    return connection.vendor == "postgresql"


def in_use() -> bool:
    """Whether the figures read it: ECOCLAIM_CLUE_SUMMARY=0 makes them count the clues (to
    compare, bench/dashboard_http.py)."""
    return enabled() and settings.ECOCLAIM_CLUE_SUMMARY


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
    department = _department(sel)
    months = whole_months(start, end)
    if not in_use() or department is None or months is None:
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
    if (first, last_day) != (start, end):  # a custom period's partial months
        edges = Q(registered_on__range=(start, end)) & ~Q(registered_on__range=(first, last_day))
        add(_count_clues(sel.clues().filter(edges)))
    add(_count_clues(_participant_only(sel, Clue, department)
                     .filter(registered_on__range=(first, last_day))))
    return [(*k, n) for k, n in totals.items()]


def _count_clues(qs) -> list[tuple[int, int, str, int]]:
    return list(qs.annotate(outcome=outcome_expression())
                .values_list("jurisdiction_id", "channel_id", "outcome").annotate(n=Count("id"))
                .order_by())


def _department(sel):
    return getattr(sel.user, "department", None) if sel.user.is_authenticated else None


def case_groups(sel) -> list[tuple]:
    """(jurisdiction, damage type, stage, count, opened in the period, appraised damage) of
    the cases the selection sees: the same figures as a GROUP BY over `sel.cases()`."""
    department = _department(sel)
    start, end = sel.period.start, sel.period.end
    span = (start, end)
    if not in_use() or department is None:
        return _group_cases(sel.cases(), Q(opened_on__range=span))
    months = whole_months(start, end)
    totals: dict[tuple, list] = {}

    def add(rows):
        for j, d, st, n, opened, claimed in rows:
            row = totals.setdefault((j, d, st), [0, 0, ZERO])
            row[0] += n
            row[1] += opened
            row[2] += claimed or ZERO

    counts = _narrow(sel, CaseCount.objects.filter(CaseCount.objects.own_scope_q(department)))
    in_months = (Q(month__range=months) if months else Q(pk__in=[]))
    major = Case.Classification.MAJOR
    majors: dict[str, int] = {}  # 重大 cases by stage, counted in the same scan (major_counts)
    for j, d, st, n, opened, claimed, m in (
            counts.values_list("jurisdiction_id", "damage_type", "stage")
            .annotate(total=Sum("n"), opened=Coalesce(Sum("n", filter=in_months), 0),
                      money=Sum("claimed"),
                      major=Coalesce(Sum("n", filter=Q(classification=major)), 0))
            .order_by()):
        add([(j, d, st, n, opened, claimed)])
        majors[st] = majors.get(st, 0) + m
    # the opened count of the days outside the period's whole months, from the cases
    edges = Q(opened_on__range=span)
    whole = Q(pk__in=[])
    if months:
        whole = Q(opened_on__range=(months[0], _next_month(months[1]) - timedelta(days=1)))
        edges &= ~whole
    if not months or (months[0], _next_month(months[1]) - timedelta(days=1)) != span:
        # a custom period's partial months
        for j, d, st, n in (sel.cases().filter(edges)
                            .values_list("jurisdiction_id", "damage_type", "stage")
                            .annotate(n=Count("id")).order_by()):
            add([(j, d, st, 0, n, ZERO)])
    joint = _participant_cases(sel, department)
    add(_group_cases(joint, whole))
    for st, n in joint.filter(classification=major).values_list("stage").annotate(
            n=Count("id")).order_by():
        majors[st] = majors.get(st, 0) + n
    sel.memo["major_by_stage"] = majors
    return [(*k, n, opened, claimed) for k, (n, opened, claimed) in totals.items()]


def _group_cases(qs, opened: Q) -> list[tuple]:
    return list(qs.values_list("jurisdiction_id", "damage_type", "stage")
                .annotate(n=Count("id"), opened=Count("id", filter=opened),
                          claimed=Sum("appraised_amount"))
                .order_by())


def _participant_only(sel, model, department):
    """The records the selection sees only as a participant (joint records of departments
    outside the department part of the scoping rule), narrowed by its filters."""
    return _narrow(sel, model.objects.filter(model.objects.all()._participant_q(department))
                   .exclude(model.objects.own_scope_q(department)))


def _participant_cases(sel, department):
    """`_participant_only` for cases, read once per page (a handful of joint cases, usually
    none: then the figures ask nothing more)."""
    ids = sel.once("participant_case_ids", lambda: list(
        _participant_only(sel, Case, department).values_list("pk", flat=True)))
    return Case.objects.filter(pk__in=ids) if ids else Case.objects.none()


def cases_started(sel, first: date, last: date) -> list[tuple[date, int]]:
    """(first day of the month, cases opened) from `first` to `last`, whole months: the
    trend's 启动 per quarter is added up from these."""
    department = _department(sel)
    if not in_use() or department is None:
        return list(sel.cases().filter(opened_on__range=(first, last))
                    .annotate(m=TruncMonth("opened_on")).values_list("m")
                    .annotate(n=Count("id")).order_by())
    counts = _narrow(sel, CaseCount.objects.filter(CaseCount.objects.own_scope_q(department)))
    rows = list(counts.filter(month__range=(first, last)).values_list("month")
                .annotate(total=Sum("n")).order_by())
    rows += list(_participant_cases(sel, department).filter(opened_on__range=(first, last))
                 .annotate(m=TruncMonth("opened_on")).values_list("m")
                 .annotate(n=Count("id")).order_by())
    return rows


def major_counts(sel, ended) -> tuple[int, int]:
    """(重大 cases, of which not ended) the selection sees."""
    department = _department(sel)
    major = Case.Classification.MAJOR
    if not in_use() or department is None:
        counts = sel.cases().filter(classification=major).aggregate(
            total=Count("id"), open=Count("id", filter=~Q(stage__in=ended)))
        return counts["total"], counts["open"]
    if "major_by_stage" in sel.memo:  # counted with the case groups of the same page
        by_stage = sel.memo["major_by_stage"]
        return (sum(by_stage.values()),
                sum(n for st, n in by_stage.items() if st not in ended))
    counts = _narrow(sel, CaseCount.objects.filter(CaseCount.objects.own_scope_q(department))) \
        .filter(classification=major).aggregate(
            total=Coalesce(Sum("n"), 0),
            open=Coalesce(Sum("n", filter=~Q(stage__in=ended)), 0))
    extra = _participant_cases(sel, department).filter(classification=major).aggregate(
        total=Count("id"), open=Count("id", filter=~Q(stage__in=ended)))
    return counts["total"] + extra["total"], counts["open"] + extra["open"]


# --- money ----------------------------------------------------------------------------------

MONEY = ("agreed", "judged", "paid", "outstanding", "held", "spent")


def sum_money(case_ids, key=("case__jurisdiction", "case__damage_type")) -> list[tuple]:
    """(*key, agreed, judged, paid, outstanding, held, spent) of the cases `case_ids`, summed
    from the records: one GROUP BY per table (oversight.MoneyCount's meaning, in Django)."""
    from restoration.models import Deposit, FundObligation, SpendingRequest

    from .figures import RESTORATION_PURPOSES

    totals: dict[tuple, list] = {}

    def add(k, **amounts):
        row = totals.setdefault(tuple(k), [ZERO] * len(MONEY))
        for name, value in amounts.items():
            row[MONEY.index(name)] += value or ZERO

    src = FundObligation.Source
    live = FundObligation.objects.exclude(status=FundObligation.Status.CANCELLED)
    if case_ids is not None:
        live = live.filter(case__in=case_ids)
    for *k, agreed, judged, paid, outstanding in (
            live.values_list(*key)
            .annotate(agreed=Sum("amount", filter=Q(source=src.AGREEMENT)),
                      judged=Sum("amount", filter=Q(source=src.JUDGMENT)),
                      paid=Sum("paid"), outstanding=Sum("outstanding")).order_by()):
        add(k, agreed=agreed, judged=judged, paid=paid, outstanding=outstanding)
    deposits = Deposit.objects.all() if case_ids is None else Deposit.objects.filter(
        case__in=case_ids)
    for *k, held, applied in (deposits.values_list(*key)
                              .annotate(held=Sum("held"), applied=Sum("applied")).order_by()):
        add(k, held=held, spent=applied)
    spending = SpendingRequest.objects.filter(state=SpendingRequest.State.PAID,
                                              purpose_kind__in=RESTORATION_PURPOSES)
    if case_ids is not None:
        spending = spending.filter(case__in=case_ids)
    for *k, spent in spending.values_list(*key).annotate(s=Sum("approved_amount")).order_by():
        add(k, spent=spent)
    return [(*k, *v) for k, v in totals.items()]


def money_groups(sel) -> list[tuple]:
    """(jurisdiction, damage type, agreed, judged, paid, outstanding, held, spent) of the cases
    the selection sees: the same sums as over the records of `sel.cases()`."""
    department = _department(sel)
    if not in_use() or department is None:
        return sum_money(sel.cases().values("pk"))
    counts = _narrow(sel, MoneyCount.objects.filter(MoneyCount.objects.own_scope_q(department)))
    rows = list(counts.values_list("jurisdiction_id", "damage_type")
                .annotate(*(Sum(name) for name in MONEY)).order_by())
    joint = _participant_cases(sel, department)
    if not joint.query.is_empty():
        rows += sum_money(joint.values("pk"))
    return _add_up(rows)


def _add_up(rows: list[tuple]) -> list[tuple]:
    totals: dict[tuple, list] = {}
    for j, d, *amounts in rows:
        row = totals.setdefault((j, d), [ZERO] * len(MONEY))
        for i, value in enumerate(amounts):
            row[i] += value
    return [(*k, *v) for k, v in totals.items()]


# --- the nightly rebuild ----------------------------------------------------------------------

CASE_KEY = ("month", "department_id", "jurisdiction_id", "damage_type", "stage",
            "classification")


def source_counts() -> dict[tuple, int]:
    """The clue summary counted afresh from the clues, with the Django outcome expression."""
    rows = (Clue.objects.annotate(month=TruncMonth("registered_on"),
                                  outcome=outcome_expression())
            .values_list("month", "department_id", "jurisdiction_id", "channel_id",
                         "damage_type", "outcome")
            .annotate(n=Count("id")).order_by())
    return {tuple(r[:-1]): r[-1] for r in rows}


def stored_counts() -> dict[tuple, int]:
    return {tuple(r[:-1]): r[-1]
            for r in ClueCount.objects.exclude(n=0).values_list(*KEY, "n")}


def case_source_counts() -> dict[tuple, tuple[int, Decimal]]:
    """The case summary counted afresh from the cases: (count, appraised damage) per key."""
    rows = (Case.objects.annotate(month=TruncMonth("opened_on"))
            .values_list("month", "department_id", "jurisdiction_id", "damage_type", "stage",
                         "classification")
            .annotate(n=Count("id"), claimed=Coalesce(Sum("appraised_amount"), ZERO))
            .order_by())
    return {tuple(r[:-2]): (r[-2], r[-1]) for r in rows}


def case_stored_counts() -> dict[tuple, tuple[int, Decimal]]:
    return {tuple(r[:-2]): (r[-2], r[-1])
            for r in CaseCount.objects.exclude(n=0, claimed=0).values_list(*CASE_KEY, "n",
                                                                             "claimed")}


MONEY_KEY = ("department_id", "jurisdiction_id", "damage_type")


def money_source_counts() -> dict[tuple, tuple]:
    """The money summary summed afresh from the obligations, deposits and spending."""
    nonzero = {}
    for *k, a, j, p, o, h, s in sum_money(
            None, key=("case__department", "case__jurisdiction", "case__damage_type")):
        if any((a, j, p, o, h, s)):
            nonzero[tuple(k)] = (a, j, p, o, h, s)
    return nonzero


def money_stored_counts() -> dict[tuple, tuple]:
    zero = Q(**{name: 0 for name in MONEY})
    return {tuple(r[:3]): tuple(r[3:])
            for r in MoneyCount.objects.exclude(zero).values_list(*MONEY_KEY, *MONEY)}


def money_differences() -> list:
    return differences(money_stored_counts(), money_source_counts(), (ZERO,) * len(MONEY))


def differences(stored: dict, source: dict, empty=0) -> list[tuple[tuple, object, object]]:
    """(key, stored, counted) of every key whose counts differ."""
    return [(k, stored.get(k, empty), source.get(k, empty)) for k in sorted(
        set(stored) | set(source), key=str) if stored.get(k, empty) != source.get(k, empty)]


def case_differences() -> list:
    return differences(case_stored_counts(), case_source_counts(), (0, ZERO))


def rebuild() -> list[tuple[tuple, object, object]]:
    """Recount the three summaries from the clues, the cases and the cases' money, replace
    them, and return what differed (nothing when the triggers kept them exact; a case key's
    values are (count, appraised damage), a money key's the six sums of MONEY). The counted
    tables are locked against writes for the recount, so no change slips between the count
    and the replacement. Only on PostgreSQL, where the summaries exist."""
    if not enabled():
        return []
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE screening_clue, screening_referral, cases_case, "
                           "restoration_fundobligation, restoration_deposit, "
                           "restoration_spendingrequest IN SHARE MODE")
        source = source_counts()
        diff = differences(stored_counts(), source)
        ClueCount.objects.all().delete()
        ClueCount.objects.bulk_create(
            [ClueCount(**dict(zip(KEY, k, strict=True)), n=n) for k, n in source.items()],
            batch_size=5000)
        case_source = case_source_counts()
        diff += differences(case_stored_counts(), case_source, (0, ZERO))
        CaseCount.objects.all().delete()
        CaseCount.objects.bulk_create(
            [CaseCount(**dict(zip(CASE_KEY, k, strict=True)), n=n, claimed=claimed)
             for k, (n, claimed) in case_source.items()], batch_size=5000)
        money_source = money_source_counts()
        diff += differences(money_stored_counts(), money_source, (ZERO,) * len(MONEY))
        MoneyCount.objects.all().delete()
        MoneyCount.objects.bulk_create(
            [MoneyCount(**dict(zip(MONEY_KEY, k, strict=True)),
                        **dict(zip(MONEY, v, strict=True)))
             for k, v in money_source.items()], batch_size=5000)
        with connection.cursor() as cursor:  # every row replaced: fresh planner statistics
            cursor.execute("ANALYZE oversight_cluecount, oversight_casecount, "
                           "oversight_moneycount")
    for key, stored, counted in diff[:50]:
        log.error("dashboard summary drifted at %s: stored %s, counted %s", key, stored,
                  counted)
    if diff:
        log.error("dashboard summaries rebuilt: %d keys differed from the records", len(diff))
    else:
        log.info("dashboard summaries rebuilt: %d clue keys, %d case keys, %d money keys, "
                 "equal to the records", len(source), len(case_source), len(money_source))
    return diff
