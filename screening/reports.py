"""The quarterly screening list (线索筛查清单, CQ 二) and the half-year aggregation per system
(CQ 二 每半年收集汇总本系统筛查情况), written to Excel.

The list is read as tuples (`values_list` over a server-side cursor, no model instances), the
obligor names aggregated in the same query, referrals and feedback read per chunk for the
clues that have them, and written by the shared writer `workflow.spreadsheets` (our streaming
.xlsx writer): memory stays flat whatever the row count, and every text is written as text
(formula injection).
bench/screening_export.py measures it against a plain values_list + xlsxwriter reference.

Lists up to ECOCLAIM_REPORT_DIRECT_MAX_ROWS rows are built in the request; bigger ones by a
Celery task (screening.tasks) that records its progress on the ReportExport row and stores the
file in private storage (pretix's exporter + CachedFile)."""

from __future__ import annotations

import logging
import tempfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.aggregates import StringAgg
from django.core.files import File
from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    TextField,
    Value,
    When,
)
from django.utils import timezone

from accounts.models import Department, Jurisdiction
from rules.calendar import cn_date
from workflow import spreadsheets
from workflow.jobs import enqueue_after_commit
from workflow.spreadsheets import AMOUNT, COUNT, DATE, NUMBER, TEXT, Column

from .models import (
    Clue,
    ProcuratorateFeedback,
    Referral,
    ReportExport,
    ScreeningRound,
    SourceChannel,
)
from .rounds import half_bounds, half_label, quarter_bounds, quarter_label

logger = logging.getLogger(__name__)

CHUNK_SIZE = 5000
PROGRESS_EVERY = 1000


def direct_max_rows() -> int:
    """Lists up to this many rows download at once; bigger ones are built in the background."""
    return settings.ECOCLAIM_REPORT_DIRECT_MAX_ROWS


def stale_after() -> timedelta:
    """A running export not finished after this long is taken to be lost (worker killed)."""
    return timedelta(seconds=settings.ECOCLAIM_REPORT_STALE_SECONDS)


# --- outcome of a clue -------------------------------------------------------------------

OUTCOMES = [
    ("open", "初步核查中"),
    ("case_opened", "启动索赔"),
    ("not_started", "不启动索赔"),
    ("referred", "移送"),
    ("excluded", "不纳入筛查"),
]
OUTCOME_LABELS = dict(OUTCOMES)


def outcome_expression():
    """Where screening left the clue (DOMAIN §3.1); a closed clue counts for the decision
    that closed it."""
    s = Clue.State
    referred = Exists(Referral.objects.filter(clue=OuterRef("pk")))
    return Case(
        When(state__in=[s.REGISTERED, s.VERIFYING, s.AWAITING_APPROVAL], then=Value("open")),
        When(state=s.CASE_OPENED, then=Value("case_opened")),
        When(Q(state=s.NOT_STARTED) | Q(state=s.CLOSED, decision=Clue.Decision.NOT_START),
             then=Value("not_started")),
        When(Q(state=s.REFERRED) | (Q(state=s.CLOSED) & Q(referred)), then=Value("referred")),
        default=Value("excluded"),
        output_field=CharField(),
    )


# --- scope -------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReportScope:
    """Whose list for which quarter: one department's clues, or (for the lead department) every
    clue of its jurisdiction and the jurisdictions below it."""

    department: Department
    year: int
    quarter: int
    whole_jurisdiction: bool = False

    @classmethod
    def of(cls, export: ReportExport) -> ReportScope:
        return cls(department=export.department, year=export.year, quarter=export.quarter,
                   whole_jurisdiction=export.scope == ReportExport.Scope.JURISDICTION)

    @property
    def jurisdiction(self) -> Jurisdiction:
        return self.department.jurisdiction

    @property
    def bounds(self) -> tuple[date, date]:
        return quarter_bounds(self.year, self.quarter)

    @property
    def period_label(self) -> str:
        return quarter_label(self.year, self.quarter)

    @property
    def label(self) -> str:
        if self.whole_jurisdiction:
            return f"{self.jurisdiction.name}（本级及下级各部门）"
        return self.department.name

    @property
    def filename(self) -> str:
        name = self.jurisdiction.name if self.whole_jurisdiction else self.department.name
        return f"线索筛查清单_{name}_{self.period_label}.xlsx"

    def clues(self):
        """The clues registered in the quarter (the list of what the quarter's screening
        found), by the indexes on (department | jurisdiction, registered_on)."""
        qs = Clue.objects.filter(registered_on__range=self.bounds)
        if self.whole_jurisdiction:
            return qs.filter(jurisdiction__path__startswith=self.jurisdiction.path)
        return qs.filter(department=self.department)

    def rounds(self):
        qs = ScreeningRound.objects.filter(year=self.year, quarter=self.quarter)
        if self.whole_jurisdiction:
            return qs.filter(department__jurisdiction__path__startswith=self.jurisdiction.path)
        return qs.filter(department=self.department)


# --- the rows of the list --------------------------------------------------------------------

# Read straight from the database as tuples: no Clue instances (AuditedModel snapshots every
# field of every instance it loads, wasted in a read-only export), no per-cell dispatch.
ROW_FIELDS = (
    "pk", "number", "channel__name", "channel__is_procuratorate_referral", "found_on",
    "registered_on", "summary", "place__name", "place_detail", "damage_type",
    "estimated_amount", "state", "decision", "decision_reason", "decision_note",
    "department__name", "in_protected_area", "source_organisation", "source_reference",
    "obligor_names", "referred", "fed_back",
)

# (key, column): the 线索筛查清单's columns after 序号, in order
LIST_COLUMNS = (
    ("number", Column("线索编号", 20)),
    ("channel", Column("线索渠道", 28)),
    ("found_on", Column("发现日期", 14, DATE)),
    ("registered_on", Column("登记日期", 14, DATE)),
    ("summary", Column("线索概要", 48)),
    ("parties", Column("涉嫌赔偿义务人", 28)),
    ("place", Column("发生地", 22)),
    ("damage_type", Column("损害类型", 11)),
    ("estimated_amount", Column("估算损害数额（元）", 16, AMOUNT)),
    ("verification", Column("初步核查结果", 13)),
    ("decision", Column("是否启动索赔", 14)),
    ("decision_reason", Column("启动或不启动理由", 40)),
    ("referral", Column("移送情况", 30)),
    ("department", Column("办理部门", 24)),
    ("remarks", Column("备注", 36)),
)
COLUMNS = (Column("序号", 6, NUMBER), *(column for _, column in LIST_COLUMNS))
OBLIGOR_SEPARATOR = "、"


def _obligor_names():
    """The clue's obligor names joined in the order they were added, by PostgreSQL's
    string_agg in the same query (elsewhere None, and they are read per chunk)."""
    if connection.vendor != "postgresql":
        return Value(None, output_field=TextField())
    through = Clue.suspected_obligors.through
    return Subquery(through.objects.filter(clue_id=OuterRef("pk")).values("clue_id").annotate(
        names=StringAgg("party__name", OBLIGOR_SEPARATOR, order_by="id")).values("names"))


def report_queryset(scope: ReportScope):
    """The rows of the list as ROW_FIELDS tuples, in order: the one-to-one rows joined, the
    obligor names aggregated, and whether the clue has referrals or feedback (5% have: those
    are read per chunk by `related_rows`, for the flagged clues only)."""
    order = ("jurisdiction__path", "department__name", "registered_on", "id") \
        if scope.whole_jurisdiction else ("registered_on", "id")
    return scope.clues().order_by(*order).annotate(
        obligor_names=_obligor_names(),
        referred=Exists(Referral.objects.filter(clue=OuterRef("pk"))),
        # only a procuratorate's referral is fed back (CQ 三; SX 第八条)
        fed_back=Exists(ProcuratorateFeedback.objects.filter(clue=OuterRef("pk"))),
    ).values_list(*ROW_FIELDS)


def related_rows(referred: list[int], fed_back: list[int], obligors: list[int] = ()):
    """Referral texts, feedback texts (and obligor names where the database did not aggregate
    them) of the flagged clues of a chunk, as {clue id: [text, …]}: one flat query each."""
    parties, referrals, feedbacks = defaultdict(list), defaultdict(list), defaultdict(list)
    if obligors:
        through = Clue.suspected_obligors.through
        for clue_id, name in through.objects.filter(clue_id__in=obligors).order_by("id") \
                .values_list("clue_id", "party__name"):
            parties[clue_id].append(name)
    if referred:
        for clue_id, sent_on, to, copy_to in Referral.objects.filter(clue_id__in=referred) \
                .order_by("sent_on", "id").values_list("clue_id", "sent_on",
                                                       "to_department__name", "copy_to__name"):
            referrals[clue_id].append(f"{cn_date(sent_on)}移送{to}"
                                      + (f"，抄送{copy_to}" if copy_to else ""))
    if fed_back:
        for clue_id, sent_on, procuratorate in ProcuratorateFeedback.objects.filter(
                clue_id__in=fed_back).order_by("sent_on", "id") \
                .values_list("clue_id", "sent_on", "procuratorate"):
            feedbacks[clue_id].append(f"{cn_date(sent_on)}已向{procuratorate}反馈")
    return parties, referrals, feedbacks


_STATE = dict(Clue.State.choices)
_DAMAGE = dict(Clue.DamageType.choices)
_DECISION = dict(Clue.Decision.choices)
_REASON = dict(Clue.NotStartReason.choices)
_DECIDED_NOT_START = (Clue.State.NOT_STARTED, Clue.State.CLOSED)
NO_FEEDBACK_YET = "尚未向移送的检察机关反馈（CQ 三；SX 第八条）"


def list_row(index: int, r: tuple, referrals=(), feedbacks=(), parties=None) -> list:
    """The cells of one clue (r: a ROW_FIELDS tuple), in COLUMNS order."""
    (_pk, number, channel, by_procuratorate, found_on, registered_on, summary, place,
     place_detail, damage_type, amount, state, decision, reason, note, department,
     protected, source_organisation, source_reference, obligor_names, _referred,
     _fed_back) = r
    s = Clue.State
    if state == s.CASE_OPENED:
        decided = "启动索赔"
    elif state == s.AWAITING_APPROVAL and decision:
        decided = f"待审批（拟{_DECISION.get(decision, decision)}）"
    elif decision == Clue.Decision.NOT_START and state in _DECIDED_NOT_START:
        decided = "不启动索赔"
    else:
        decided = ""
    why = ""
    if decision:
        why = "；".join(p for p in (_REASON.get(reason, reason) if reason else "", note) if p)
    remarks = []
    if protected:
        remarks.append("位于生态保护红线或自然保护地")
    source = " ".join(p for p in (source_organisation, source_reference) if p)
    if source:
        remarks.append(f"来源：{source}")
    remarks.extend(feedbacks)
    if (by_procuratorate and not feedbacks and decision == Clue.Decision.NOT_START
            and state in _DECIDED_NOT_START):
        remarks.append(NO_FEEDBACK_YET)
    return [
        index, number, channel, found_on, registered_on, summary,
        (obligor_names or "") if parties is None else OBLIGOR_SEPARATOR.join(parties),
        " ".join(p for p in (place or "", place_detail) if p), _DAMAGE.get(damage_type, ""),
        amount, _STATE.get(state, state), decided, why, "；".join(referrals), department,
        "；".join(remarks),
    ]


def iter_list_rows(queryset, chunk_size: int = CHUNK_SIZE):
    """The list's rows, read through a server-side cursor chunk by chunk, each chunk with its
    related rows: never the whole result in memory."""
    chunk: list[tuple] = []
    index = 0
    aggregated = connection.vendor == "postgresql"

    def flush():
        nonlocal index
        parties, referrals, feedbacks = related_rows(
            [r[0] for r in chunk if r[-2]], [r[0] for r in chunk if r[-1] and r[3]],
            () if aggregated else [r[0] for r in chunk])
        for r in chunk:
            index += 1
            pk = r[0]
            yield list_row(index, r, referrals.get(pk, ()), feedbacks.get(pk, ()),
                           None if aggregated else parties.get(pk, ()))

    for r in queryset.iterator(chunk_size=chunk_size):
        chunk.append(r)
        if len(chunk) == chunk_size:
            yield from flush()
            chunk = []
    if chunk:
        yield from flush()


def progress_every() -> int:
    """Rows written between two progress steps (and heartbeats) of a background export."""
    return getattr(settings, "ECOCLAIM_REPORT_PROGRESS_EVERY", PROGRESS_EVERY) or PROGRESS_EVERY


def _write_list(table, queryset, progress=None) -> int:
    written, every = 0, progress_every()
    for written, values in enumerate(iter_list_rows(queryset), start=1):
        table.add(values)
        if progress is not None and written % every == 0:
            progress(written)
    return written


@dataclass
class SummaryRow:
    label: str
    count: int = 0
    amount: Decimal | None = None
    rounds: int | None = None
    outcomes: dict | None = None


def _add(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    return b if a is None else a if b is None else a + b


def quarterly_summary(scope: ReportScope) -> dict[str, list[SummaryRow]]:
    """Counts and estimated amounts by channel, by outcome and by department: one GROUP BY
    query on the same rows as the list (by channel, department and outcome: a few hundred
    groups at most), added up here, and one for the rounds."""
    groups = list(scope.clues().annotate(outcome=outcome_expression())
                  .values_list("channel_id", "department_id", "outcome")
                  .annotate(n=Count("id"), amount=Sum("estimated_amount")).order_by())
    channels, outcomes, per_department = {}, {}, {}
    total = SummaryRow("合计")
    for channel_id, department_id, outcome, n, amount in groups:
        for row in (channels.setdefault(channel_id, SummaryRow("")),
                    outcomes.setdefault(outcome, SummaryRow("")),
                    per_department.setdefault(department_id, SummaryRow(
                        "", outcomes={code: 0 for code, _ in OUTCOMES})),
                    total):
            row.count += n
            row.amount = _add(row.amount, amount)
        per_department[department_id].outcomes[outcome] += n
    by_channel = []
    for pk, name in SourceChannel.objects.filter(pk__in=channels).order_by("order") \
            .values_list("pk", "name"):
        channels[pk].label = name
        by_channel.append(channels[pk])
    by_outcome = [SummaryRow(label, outcomes.get(code, SummaryRow("")).count,
                             outcomes.get(code, SummaryRow("")).amount)
                  for code, label in OUTCOMES]
    rounds = dict(scope.rounds().values("department_id").annotate(n=Count("id"))
                  .values_list("department_id", "n").order_by())
    departments = Department.objects.filter(pk__in=set(per_department) | set(rounds)) \
        .select_related("jurisdiction").order_by("jurisdiction__path", "-is_lead", "name")
    if not scope.whole_jurisdiction:
        departments = [scope.department]
    by_department = []
    for d in departments:
        r = per_department.get(d.pk) or SummaryRow("", outcomes={c: 0 for c, _ in OUTCOMES})
        by_department.append(SummaryRow(d.name, r.count, r.amount, rounds.get(d.pk, 0),
                                        r.outcomes))
    total.rounds = sum(rounds.values())
    return {"by_channel": by_channel, "by_outcome": by_outcome,
            "by_department": by_department, "total": [total]}


def _write_summary(ws, scope: ReportScope, summary) -> None:
    total = summary["total"][0]
    ws.row([f"{scope.period_label}线索筛查清单汇总"], bold=True)
    ws.row(["范围", scope.label])
    ws.row(["登记日期", f"{cn_date(scope.bounds[0])}至{cn_date(scope.bounds[1])}"])
    ws.row(["生成时间", timezone.localtime().strftime("%Y年%m月%d日 %H:%M")])
    ws.row(["筛查批次", total.rounds], [TEXT, COUNT])
    ws.row(["线索总数", total.count], [TEXT, COUNT])
    ws.row(["估算损害数额合计（元）", total.amount or Decimal("0")], [TEXT, AMOUNT])

    def table(title, rows, first="项目"):
        ws.blank()
        ws.row([title], bold=True)
        ws.row([first, "线索数", "估算损害数额（元）"], header=True)
        for r in rows:
            ws.row([r.label, r.count, r.amount or Decimal("0")], [TEXT, COUNT, AMOUNT])
        ws.row(["合计", sum(r.count for r in rows),
                sum((r.amount or Decimal("0") for r in rows), Decimal("0"))],
               [TEXT, COUNT, AMOUNT], bold=True)

    table("按线索渠道", summary["by_channel"], "线索渠道")
    table("按核查结果", summary["by_outcome"], "核查结果")

    ws.blank()
    ws.row(["按办理部门"], bold=True)
    ws.row(["办理部门", "筛查批次", "线索数", *[label for _, label in OUTCOMES],
            "估算损害数额（元）"], header=True)
    kinds = [TEXT, COUNT, COUNT, *[COUNT for _ in OUTCOMES], AMOUNT]
    for r in summary["by_department"]:
        ws.row([r.label, r.rounds, r.count, *[r.outcomes[code] for code, _ in OUTCOMES],
                r.amount or Decimal("0")], kinds)


def write_quarterly_report(scope: ReportScope, target,
                           progress: Callable[[int], object] | None = None) -> int:
    """Write the list and its summary to `target` (a path or a binary file); return the
    number of clue rows. `progress(rows_done)` is called every PROGRESS_EVERY rows."""
    with spreadsheets.Workbook(target) as book:
        table = book.table("线索筛查清单", COLUMNS)
        summary_sheet = book.sheet("汇总", [40, 12, 12, 12, 12, 12, 12, 12, 18])
        _write_summary(summary_sheet, scope, quarterly_summary(scope))
        return _write_list(table, report_queryset(scope), progress)


# --- the export record and its task ------------------------------------------------------------

def exports_visible_to(user):
    """The exports a user may open: their own, and those covering a scope they may see (the
    scoping rule); a jurisdiction-wide list needs the jurisdiction permission as well."""
    qs = ReportExport.objects.visible_to(user)
    if not user.has_perm("screening.export_jurisdiction_report"):
        qs = qs.filter(Q(scope=ReportExport.Scope.DEPARTMENT) | Q(requested_by=user))
    return qs


def create_export(scope: ReportScope, *, by, rows_total: int) -> ReportExport:
    return ReportExport.objects.create(
        requested_by=by, department=scope.department, jurisdiction=scope.jurisdiction,
        scope=ReportExport.Scope.JURISDICTION if scope.whole_jurisdiction
        else ReportExport.Scope.DEPARTMENT,
        year=scope.year, quarter=scope.quarter, rows_total=rows_total, filename=scope.filename,
        parameters={"registered_from": scope.bounds[0].isoformat(),
                    "registered_to": scope.bounds[1].isoformat()})


def request_export(scope: ReportScope, *, by, rows_total: int) -> ReportExport:
    """Record a background export and enqueue its task once the row is committed."""
    from .tasks import build_report_export_task

    with transaction.atomic():
        export = create_export(scope, by=by, rows_total=rows_total)
        # a broker that is down never turns the committed request into an error; the export
        # stays 排队中 and the sweep (workflow/jobs.py) queues it again
        enqueue_after_commit(build_report_export_task, export.pk)
    return export


def silent_since(stale) -> Q:
    """A running export whose last heartbeat (or start, for a run from before heartbeats) is
    older than `stale`: its worker is taken to be dead."""
    return Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True, started_at__lt=stale)


def fail_exhausted(exports, now) -> int:
    """Mark failed, with the reason on the page, the exports among `exports` whose worker went
    silent on their last allowed run (ECOCLAIM_JOB_MAX_ATTEMPTS); a compare-and-set."""
    limit = settings.ECOCLAIM_JOB_MAX_ATTEMPTS
    return exports.filter(status=ReportExport.Status.RUNNING, attempts__gte=limit).filter(
        silent_since(now - stale_after())).update(
        status=ReportExport.Status.FAILED, finished_at=now,
        error=f"报表生成已中断{limit}次，系统已停止重试。请重新申请导出；仍然失败的，请联系系统管理员。")


def claim_export(export_id: int, now=None):
    """Take one run of the export, a compare-and-set: a queued export, or a running one whose
    worker went silent (heartbeat older than ECOCLAIM_REPORT_STALE_SECONDS) while it has runs
    left; its `started_at` (now) names the run. None when there is nothing to run: done,
    failed, running with a fresh heartbeat (a redelivered task does nothing), or out of runs
    (then marked failed in Chinese)."""
    now = now or timezone.now()
    S = ReportExport.Status
    run = {"status": S.RUNNING, "started_at": now, "heartbeat_at": now, "rows_done": 0,
           "error": "", "attempts": F("attempts") + 1}
    exports = ReportExport.objects.filter(pk=export_id)
    if exports.filter(status=S.PENDING).update(**run) or exports.filter(
            status=S.RUNNING, attempts__lt=settings.ECOCLAIM_JOB_MAX_ATTEMPTS).filter(
            silent_since(now - stale_after())).update(**run):
        return now
    fail_exhausted(exports, now)
    return None


def _heartbeat(run, done: int) -> None:
    """A progress step of a running export: rows written, and a sign of life."""
    from workflow.jobs import test_step_delay

    run.update(rows_done=done, heartbeat_at=timezone.now())
    test_step_delay()


def build_export(export_id: int) -> ReportExport | None:
    """Build one export's file. Claimed with a compare-and-set (claim_export), so a task
    delivered twice builds it once; an export left running by a killed worker is taken over
    once its heartbeat is stale. Only its own run writes its row: a run taken over (its worker
    only slow) writes nothing more."""
    started = claim_export(export_id)
    if started is None:
        return None
    export = ReportExport.objects.select_related("department__jurisdiction").get(pk=export_id)
    mine = ReportExport.objects.filter(pk=export_id, status=ReportExport.Status.RUNNING,
                                       started_at=started)
    try:
        with tempfile.TemporaryFile() as tmp:
            rows = write_quarterly_report(ReportScope.of(export), tmp,
                                          progress=lambda done: _heartbeat(mine, done))
            tmp.seek(0)
            export.file.save(export.filename, File(tmp), save=False)
    except Exception:
        logger.exception("report export %s failed", export_id)
        mine.update(status=ReportExport.Status.FAILED, finished_at=timezone.now(),
                    error="生成报表时发生错误，请稍后重试；如仍失败请联系系统管理员。")
    else:
        if not mine.update(status=ReportExport.Status.DONE, file=export.file.name,
                           rows_done=rows, rows_total=rows, finished_at=timezone.now()):
            export.file.delete(save=False)  # another run took over: its file is the one
    return ReportExport.objects.get(pk=export_id)


# --- half-year aggregation (CQ 二) -----------------------------------------------------------

@dataclass
class AggregateRow:
    label: str
    departments: int = 0
    screened_departments: int = 0
    rounds: int = 0
    clues: int = 0
    outcomes: dict | None = None
    amount: Decimal = Decimal("0")

    @property
    def outcome_list(self) -> list[int]:
        return [(self.outcomes or {}).get(code, 0) for code, _ in OUTCOMES]

    def cells(self) -> list:
        return [self.label, self.departments, self.screened_departments, self.rounds,
                self.clues, *self.outcome_list, self.amount]


@dataclass
class HalfYearAggregation:
    jurisdiction: Jurisdiction
    year: int
    half: int
    by_kind: list[AggregateRow]
    by_jurisdiction: list[AggregateRow]
    total: AggregateRow

    @property
    def label(self) -> str:
        return half_label(self.year, self.half)

    @property
    def filename(self) -> str:
        return f"线索筛查半年汇总_{self.jurisdiction.name}_{self.label}.xlsx"


def half_year_aggregation(lead: Department, year: int, half: int) -> HalfYearAggregation:
    """Rounds and clues of the lead department's jurisdiction and those below it, per system
    (department kind) and per jurisdiction, for one half-year: GROUP BY queries only."""
    path = lead.jurisdiction.path
    first, last = half_bounds(year, half)
    quarters = [1, 2] if half == 1 else [3, 4]
    departments = Department.objects.filter(jurisdiction__path__startswith=path).exclude(
        kind__in=[Department.Kind.PROCURATORATE, Department.Kind.FINANCE])
    clues = Clue.objects.filter(jurisdiction__path__startswith=path,
                                registered_on__range=(first, last)) \
        .annotate(outcome=outcome_expression())
    rounds = ScreeningRound.objects.filter(
        department__jurisdiction__path__startswith=path, year=year, quarter__in=quarters)
    outcome_counts = {code: Count("id", filter=Q(outcome=code)) for code, _ in OUTCOMES}

    def grouped(key: str, dept_key: str):
        dept = {r[dept_key]: r["n"] for r in departments.values(dept_key)
                .annotate(n=Count("id")).order_by()}
        rnd = {r[f"department__{dept_key}"]: r for r in rounds.values(f"department__{dept_key}")
               .annotate(n=Count("id"), screened=Count("department", distinct=True)).order_by()}
        clue = {r[key]: r for r in clues.values(key).annotate(
            n=Count("id"), amount=Sum("estimated_amount"), **outcome_counts).order_by()}
        return dept, rnd, clue

    def row(label, d, r, c) -> AggregateRow:
        return AggregateRow(
            label=label, departments=d or 0, screened_departments=(r or {}).get("screened", 0),
            rounds=(r or {}).get("n", 0), clues=(c or {}).get("n", 0),
            outcomes={code: (c or {}).get(code, 0) for code, _ in OUTCOMES},
            amount=(c or {}).get("amount") or Decimal("0"))

    dept, rnd, clue = grouped("department__kind", "kind")
    by_kind = [row(label, dept.get(kind), rnd.get(kind), clue.get(kind))
               for kind, label in Department.Kind.choices
               if kind in dept or kind in clue]
    dept, rnd, clue = grouped("department__jurisdiction", "jurisdiction")
    names = dict(Jurisdiction.objects.filter(path__startswith=path).order_by("path")
                 .values_list("pk", "name"))
    by_jurisdiction = [row(name, dept.get(pk), rnd.get(pk), clue.get(pk))
                       for pk, name in names.items() if pk in dept or pk in clue]
    total = AggregateRow(
        label="合计", departments=sum(r.departments for r in by_kind),
        screened_departments=sum(r.screened_departments for r in by_kind),
        rounds=sum(r.rounds for r in by_kind), clues=sum(r.clues for r in by_kind),
        outcomes={code: sum(r.outcomes[code] for r in by_kind) for code, _ in OUTCOMES},
        amount=sum((r.amount for r in by_kind), Decimal("0")))
    return HalfYearAggregation(lead.jurisdiction, year, half, by_kind, by_jurisdiction, total)


AGGREGATE_HEADERS = ["部门数", "开展筛查的部门数", "筛查批次", "线索数",
                     *[label for _, label in OUTCOMES], "估算损害数额（元）"]


AGGREGATE_COLUMNS = [
    *[Column(h, w, COUNT) for h, w in zip(AGGREGATE_HEADERS[:-1],
                                          [10, 16, 10, 10, 12, 10, 12, 10, 12], strict=True)],
    Column(AGGREGATE_HEADERS[-1], 18, AMOUNT),
]


def write_half_year(aggregation: HalfYearAggregation, target) -> None:
    with spreadsheets.Workbook(target) as book:
        for title, first, rows in (("按系统", "系统（部门类别）", aggregation.by_kind),
                                   ("按行政区", "行政区", aggregation.by_jurisdiction)):
            table = book.table(title, [Column(first, 24), *AGGREGATE_COLUMNS], title_row=(
                f"{aggregation.jurisdiction.name}{aggregation.label}线索筛查情况汇总（{title}）"))
            for r in rows:
                table.add(r.cells())
            table.total(aggregation.total.cells())
