"""The quarterly screening list (线索筛查清单, CQ 二) and the half-year aggregation per system
(CQ 二 每半年收集汇总本系统筛查情况), written to Excel.

The columns are a django-import-export ModelResource (one `dehydrate_*` per column), but the
library's `export()` builds a tablib Dataset and then a whole openpyxl workbook in memory. Here
rows are generated one at a time with the resource's `export_resource()` over
`queryset.iterator(chunk_size=…)` (related rows prefetched per chunk) and written to a
write-only workbook (`Workbook(write_only=True)`), which streams each sheet to a temporary file:
memory stays flat whatever the row count (bench/screening_export.py).

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
from django.core.files import File
from django.db import transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    Sum,
    Value,
    When,
)
from django.utils import timezone
from import_export import resources
from import_export.fields import Field
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from accounts.models import Department, Jurisdiction
from rules.calendar import cn_date

from .models import Clue, ProcuratorateFeedback, Referral, ReportExport, ScreeningRound
from .rounds import half_bounds, half_label, quarter_bounds, quarter_label

logger = logging.getLogger(__name__)

DATE_FORMAT = 'yyyy"年"m"月"d"日"'  # what a zh-CN Excel shows as 2026年9月1日
AMOUNT_FORMAT = '"¥"#,##0.00'
COUNT_FORMAT = "#,##0"
CHUNK_SIZE = 2000
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


def report_queryset(scope: ReportScope):
    """The rows of the list, in order, with the one-to-one rows joined. The many-side rows
    (obligors, referrals, feedback) are loaded per chunk by ClueReportResource.iter_rows."""
    order = ("jurisdiction__path", "department__name", "registered_on", "id") \
        if scope.whole_jurisdiction else ("registered_on", "id")
    return scope.clues().select_related("channel", "department", "place").order_by(*order)


def with_prefetch(queryset):
    """The same rows with Django's prefetch_related, for the library's own export(), which
    pages through the queryset instead of streaming it (bench/screening_export.py)."""
    return queryset.prefetch_related(
        # not .only("name"): AuditedModel.from_db snapshots every field, and a deferred one
        # would be loaded row by row (workflow/audit.py)
        "suspected_obligors",
        Prefetch("referrals", queryset=Referral.objects.select_related(
            "to_department", "copy_to").order_by("sent_on", "id")),
        "feedbacks",
    )


@dataclass(frozen=True)
class _Referral:
    sent_on: date
    to: str
    copy_to: str | None


@dataclass(frozen=True)
class _Feedback:
    sent_on: date
    procuratorate: str


def attach_related(clues: list[Clue]) -> None:
    """Obligor names, referrals and feedback of a chunk of clues in three flat queries (no
    model instances, no per-row querysets), set on each clue for the dehydrate methods."""
    ids = [c.pk for c in clues]
    parties, referrals, feedbacks = defaultdict(list), defaultdict(list), defaultdict(list)
    through = Clue.suspected_obligors.through
    for clue_id, name in through.objects.filter(clue_id__in=ids).order_by("id") \
            .values_list("clue_id", "party__name"):
        parties[clue_id].append(name)
    for clue_id, sent_on, to, copy_to in Referral.objects.filter(clue_id__in=ids) \
            .order_by("sent_on", "id").values_list("clue_id", "sent_on", "to_department__name",
                                                   "copy_to__name"):
        referrals[clue_id].append(_Referral(sent_on, to, copy_to))
    # only a procuratorate's referral is fed back (CQ 三; SX 第八条)
    referred_by_procuratorate = [c.pk for c in clues if c.channel.is_procuratorate_referral]
    if referred_by_procuratorate:
        for clue_id, sent_on, procuratorate in ProcuratorateFeedback.objects.filter(
                clue_id__in=referred_by_procuratorate).order_by("sent_on", "id") \
                .values_list("clue_id", "sent_on", "procuratorate"):
            feedbacks[clue_id].append(_Feedback(sent_on, procuratorate))
    for c in clues:
        c.report_parties = parties.get(c.pk, [])
        c.report_referrals = referrals.get(c.pk, [])
        c.report_feedbacks = feedbacks.get(c.pk, [])


# --- the columns ---------------------------------------------------------------------------

class ClueReportResource(resources.ModelResource):
    """One row per clue of the 线索筛查清单. Values stay native (date, Decimal) so that the
    writer can give them Excel formats; the library's own export renders them as they are."""

    number = Field(attribute="number", column_name="线索编号")
    channel = Field(column_name="线索渠道")
    found_on = Field(column_name="发现日期")
    registered_on = Field(column_name="登记日期")
    summary = Field(column_name="线索概要")
    parties = Field(column_name="涉嫌赔偿义务人")
    place = Field(column_name="发生地")
    damage_type = Field(column_name="损害类型")
    estimated_amount = Field(column_name="估算损害数额（元）")
    verification = Field(column_name="初步核查结果")
    decision = Field(column_name="是否启动索赔")
    decision_reason = Field(column_name="启动或不启动理由")
    referral = Field(column_name="移送情况")
    department = Field(column_name="办理部门")
    remarks = Field(column_name="备注")

    # column: (width in characters, kind) — kind "date" and "amount" get Excel formats
    LAYOUT = {
        "number": (20, "text"), "channel": (28, "text"), "found_on": (14, "date"),
        "registered_on": (14, "date"), "summary": (48, "text"), "parties": (28, "text"),
        "place": (22, "text"), "damage_type": (11, "text"), "estimated_amount": (16, "amount"),
        "verification": (13, "text"), "decision": (14, "text"), "decision_reason": (40, "text"),
        "referral": (30, "text"), "department": (24, "text"), "remarks": (36, "text"),
    }

    class Meta:
        model = Clue
        fields = ("number", "channel", "found_on", "registered_on", "summary", "parties",
                  "place", "damage_type", "estimated_amount", "verification", "decision",
                  "decision_reason", "referral", "department", "remarks")
        export_order = fields
        chunk_size = CHUNK_SIZE

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._export_fields = None
        self._exporters = None

    def get_export_fields(self, selected_fields=None):
        # The library recomputes the column order for every row; it does not change.
        if selected_fields:
            return super().get_export_fields(selected_fields)
        if self._export_fields is None:
            self._export_fields = super().get_export_fields()
        return self._export_fields

    def export_resource(self, instance, selected_fields=None, **kwargs):
        """The library's export_resource(), with each column's dehydrate method looked up once
        instead of once per cell (the same values; a third of the time on 100,000 rows)."""
        if selected_fields or kwargs:
            return super().export_resource(instance, selected_fields, **kwargs)
        if self._exporters is None:
            self._exporters = [
                getattr(self, f.get_dehydrate_method(self.get_field_name(f)), None) or f.export
                for f in self.get_export_fields()]
        return [export(instance) for export in self._exporters]

    def export_field_names(self) -> list[str]:
        return [self.get_field_name(f) for f in self.get_export_fields()]

    def dehydrate_channel(self, clue):
        return clue.channel.name

    def dehydrate_found_on(self, clue):
        return clue.found_on

    def dehydrate_registered_on(self, clue):
        return clue.registered_on

    def dehydrate_summary(self, clue):
        return clue.summary

    def dehydrate_parties(self, clue):
        names = getattr(clue, "report_parties", None)
        if names is None:
            names = [p.name for p in clue.suspected_obligors.all()]
        return "、".join(names)

    def dehydrate_place(self, clue):
        return " ".join(part for part in (clue.place.name if clue.place_id else "",
                                          clue.place_detail) if part)

    def dehydrate_damage_type(self, clue):
        return clue.get_damage_type_display()

    def dehydrate_estimated_amount(self, clue):
        return clue.estimated_amount

    def dehydrate_verification(self, clue):
        return clue.get_state_display()

    def dehydrate_decision(self, clue):
        s = Clue.State
        if clue.state == s.CASE_OPENED:
            return "启动索赔"
        if clue.state == s.AWAITING_APPROVAL and clue.decision:
            return f"待审批（拟{clue.get_decision_display()}）"
        if clue.decision == Clue.Decision.NOT_START and clue.state in (s.NOT_STARTED, s.CLOSED):
            return "不启动索赔"
        return ""

    def dehydrate_decision_reason(self, clue):
        if not clue.decision:
            return ""
        reason = clue.get_decision_reason_display() if clue.decision_reason else ""
        return "；".join(part for part in (reason, clue.decision_note) if part)

    def dehydrate_referral(self, clue):
        referrals = getattr(clue, "report_referrals", None)
        if referrals is None:
            referrals = [_Referral(r.sent_on, r.to_department.name,
                                   r.copy_to.name if r.copy_to_id else None)
                         for r in clue.referrals.all()]
        return "；".join(f"{cn_date(r.sent_on)}移送{r.to}" + (f"，抄送{r.copy_to}" if r.copy_to
                                                            else "") for r in referrals)

    def dehydrate_department(self, clue):
        return clue.department.name

    def dehydrate_remarks(self, clue):
        parts = []
        if clue.in_protected_area:
            parts.append("位于生态保护红线或自然保护地")
        source = " ".join(p for p in (clue.source_organisation, clue.source_reference) if p)
        if source:
            parts.append(f"来源：{source}")
        feedbacks = getattr(clue, "report_feedbacks", None)
        if feedbacks is None:
            feedbacks = list(clue.feedbacks.all())
        for f in feedbacks:
            parts.append(f"{cn_date(f.sent_on)}已向{f.procuratorate}反馈")
        if (clue.channel.is_procuratorate_referral and not feedbacks
                and clue.decision == Clue.Decision.NOT_START
                and clue.state in (Clue.State.NOT_STARTED, Clue.State.CLOSED)):
            parts.append("尚未向移送的检察机关反馈（CQ 三；SX 第八条）")
        return "；".join(parts)

    def iter_rows(self, queryset, chunk_size: int = CHUNK_SIZE):
        """export_resource() per clue, read through a server-side cursor chunk by chunk, each
        chunk with its related rows: never the whole result in memory."""
        chunk = []
        for clue in queryset.iterator(chunk_size=chunk_size):
            chunk.append(clue)
            if len(chunk) == chunk_size:
                yield from self._export_chunk(chunk)
                chunk = []
        if chunk:
            yield from self._export_chunk(chunk)

    def _export_chunk(self, clues):
        attach_related(clues)
        for clue in clues:
            yield self.export_resource(clue)


# --- writing -------------------------------------------------------------------------------

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E2EFDA")
TITLE_FONT = Font(bold=True, size=14)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _header(ws, titles) -> list[WriteOnlyCell]:
    cells = []
    for title in titles:
        cell = WriteOnlyCell(ws, value=title)
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, CENTER
        cells.append(cell)
    return cells


def _cell(ws, value, number_format: str, bold: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    cell.number_format = number_format
    if bold:
        cell.font = HEADER_FONT
    return cell


def _widths(ws, widths) -> None:
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width


def _write_list(ws, resource: ClueReportResource, queryset, progress=None) -> int:
    names = resource.export_field_names()
    kinds = [resource.LAYOUT[n][1] for n in names]
    _widths(ws, [6] + [resource.LAYOUT[n][0] for n in names])
    ws.freeze_panes = "A2"  # header row stays in view; must be set before the first row
    ws.print_title_rows = "1:1"
    ws.append(_header(ws, ["序号", *resource.get_export_headers()]))
    written = 0
    for written, values in enumerate(resource.iter_rows(queryset), start=1):
        row = [written]
        for kind, value in zip(kinds, values, strict=True):
            if value is None or value == "":
                row.append(None)
            elif kind == "date":
                row.append(_cell(ws, value, DATE_FORMAT))
            elif kind == "amount":
                row.append(_cell(ws, value, AMOUNT_FORMAT))
            else:
                row.append(value)
        ws.append(row)
        if progress is not None and written % PROGRESS_EVERY == 0:
            progress(written)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(names) + 1)}{written + 1}"
    return written


@dataclass
class SummaryRow:
    label: str
    count: int = 0
    amount: Decimal | None = None
    rounds: int | None = None
    outcomes: dict | None = None


def quarterly_summary(scope: ReportScope) -> dict[str, list[SummaryRow]]:
    """Counts and estimated amounts by channel, by outcome and by department, from GROUP BY
    queries on the same rows as the list."""
    clues = scope.clues()
    by_channel = [
        SummaryRow(r["channel__name"], r["n"], r["amount"])
        for r in clues.values("channel__name", "channel__order")
        .annotate(n=Count("id"), amount=Sum("estimated_amount")).order_by("channel__order")
    ]
    counted = {r["outcome"]: r for r in clues.annotate(outcome=outcome_expression())
               .values("outcome").annotate(n=Count("id"), amount=Sum("estimated_amount"))
               .order_by()}
    by_outcome = [SummaryRow(label, counted.get(code, {}).get("n", 0),
                             counted.get(code, {}).get("amount")) for code, label in OUTCOMES]
    outcome_counts = {code: Count("id", filter=Q(outcome=code)) for code, _ in OUTCOMES}
    per_department = {
        r["department_id"]: r for r in clues.annotate(outcome=outcome_expression())
        .values("department_id").annotate(n=Count("id"), amount=Sum("estimated_amount"),
                                          **outcome_counts).order_by()
    }
    rounds = dict(scope.rounds().values("department_id").annotate(n=Count("id"))
                  .values_list("department_id", "n").order_by())
    departments = Department.objects.filter(pk__in=set(per_department) | set(rounds)) \
        .select_related("jurisdiction").order_by("jurisdiction__path", "-is_lead", "name")
    if not scope.whole_jurisdiction:
        departments = [scope.department]
    by_department = []
    for d in departments:
        r = per_department.get(d.pk, {})
        by_department.append(SummaryRow(
            d.name, r.get("n", 0), r.get("amount"), rounds.get(d.pk, 0),
            {code: r.get(code, 0) for code, _ in OUTCOMES}))
    total = clues.aggregate(n=Count("id"), amount=Sum("estimated_amount"))
    return {"by_channel": by_channel, "by_outcome": by_outcome,
            "by_department": by_department,
            "total": [SummaryRow("合计", total["n"], total["amount"],
                                 sum(rounds.values()))]}


def _write_summary(ws, scope: ReportScope, summary) -> None:
    _widths(ws, [40, 12, 12, 12, 12, 12, 12, 12, 18])
    total = summary["total"][0]
    ws.append([_cell(ws, f"{scope.period_label}线索筛查清单汇总", "General", bold=True)])
    ws.append(["范围", scope.label])
    ws.append(["登记日期", f"{cn_date(scope.bounds[0])}至{cn_date(scope.bounds[1])}"])
    ws.append(["生成时间", timezone.localtime().strftime("%Y年%m月%d日 %H:%M")])
    ws.append(["筛查批次", _cell(ws, total.rounds, COUNT_FORMAT)])
    ws.append(["线索总数", _cell(ws, total.count, COUNT_FORMAT)])
    ws.append(["估算损害数额合计（元）", _cell(ws, total.amount or Decimal("0"), AMOUNT_FORMAT)])

    def table(title, rows, first="项目"):
        ws.append([])
        ws.append([_cell(ws, title, "General", bold=True)])
        ws.append(_header(ws, [first, "线索数", "估算损害数额（元）"]))
        for r in rows:
            ws.append([r.label, _cell(ws, r.count, COUNT_FORMAT),
                       _cell(ws, r.amount or Decimal("0"), AMOUNT_FORMAT)])
        ws.append([_cell(ws, "合计", "General", bold=True),
                   _cell(ws, sum(r.count for r in rows), COUNT_FORMAT, bold=True),
                   _cell(ws, sum((r.amount or Decimal("0") for r in rows), Decimal("0")),
                         AMOUNT_FORMAT, bold=True)])

    table("按线索渠道", summary["by_channel"], "线索渠道")
    table("按核查结果", summary["by_outcome"], "核查结果")

    ws.append([])
    ws.append([_cell(ws, "按办理部门", "General", bold=True)])
    ws.append(_header(ws, ["办理部门", "筛查批次", "线索数", *[label for _, label in OUTCOMES],
                           "估算损害数额（元）"]))
    for r in summary["by_department"]:
        ws.append([r.label, _cell(ws, r.rounds, COUNT_FORMAT), _cell(ws, r.count, COUNT_FORMAT),
                   *[_cell(ws, r.outcomes[code], COUNT_FORMAT) for code, _ in OUTCOMES],
                   _cell(ws, r.amount or Decimal("0"), AMOUNT_FORMAT)])


def write_quarterly_report(scope: ReportScope, target,
                           progress: Callable[[int], object] | None = None) -> int:
    """Write the list and its summary to `target` (a path or a binary file); return the
    number of clue rows. `progress(rows_done)` is called every PROGRESS_EVERY rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("线索筛查清单")
    summary_sheet = workbook.create_sheet("汇总")
    _write_summary(summary_sheet, scope, quarterly_summary(scope))
    rows = _write_list(sheet, ClueReportResource(), report_queryset(scope), progress)
    workbook.save(target)
    return rows


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
        # robust: a broker that is down must not turn the committed request into an error;
        # the export then stays 排队中 and can be requested again
        transaction.on_commit(lambda: build_report_export_task.delay(export.pk), robust=True)
    return export


def build_export(export_id: int) -> ReportExport | None:
    """Build one export's file. Claimed with a compare-and-set, so a task delivered twice builds
    it once; an export left running by a killed worker is taken over once it is stale."""
    now = timezone.now()
    claimed = ReportExport.objects.filter(pk=export_id).filter(
        Q(status=ReportExport.Status.PENDING)
        | Q(status=ReportExport.Status.RUNNING, started_at__lt=now - stale_after())
    ).update(status=ReportExport.Status.RUNNING, started_at=now, rows_done=0, error="")
    if claimed != 1:
        return None
    export = ReportExport.objects.select_related("department__jurisdiction").get(pk=export_id)
    mine = ReportExport.objects.filter(pk=export_id, status=ReportExport.Status.RUNNING)
    try:
        with tempfile.TemporaryFile() as tmp:
            rows = write_quarterly_report(ReportScope.of(export), tmp,
                                          progress=lambda done: mine.update(rows_done=done))
            tmp.seek(0)
            export.file.save(export.filename, File(tmp), save=False)
    except Exception:
        logger.exception("report export %s failed", export_id)
        mine.update(status=ReportExport.Status.FAILED, finished_at=timezone.now(),
                    error="生成报表时发生错误，请稍后重试；如仍失败请联系系统管理员。")
    else:
        mine.update(status=ReportExport.Status.DONE, file=export.file.name, rows_done=rows,
                    rows_total=rows, finished_at=timezone.now())
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


def write_half_year(aggregation: HalfYearAggregation, target) -> None:
    workbook = Workbook(write_only=True)
    for title, first, rows in (("按系统", "系统（部门类别）", aggregation.by_kind),
                               ("按行政区", "行政区", aggregation.by_jurisdiction)):
        ws = workbook.create_sheet(title)
        _widths(ws, [24, 10, 16, 10, 10, 12, 10, 12, 10, 12, 18])
        ws.freeze_panes = "A3"
        ws.append([_cell(ws, f"{aggregation.jurisdiction.name}{aggregation.label}线索筛查情况汇总"
                                f"（{title}）", "General", bold=True)])
        ws.append(_header(ws, [first, *AGGREGATE_HEADERS]))
        for r in [*rows, aggregation.total]:
            bold = r is aggregation.total
            ws.append([_cell(ws, r.label, "General", bold),
                       *[_cell(ws, v, COUNT_FORMAT, bold) for v in (
                           r.departments, r.screened_departments, r.rounds, r.clues,
                           *[r.outcomes[code] for code, _ in OUTCOMES])],
                       _cell(ws, r.amount, AMOUNT_FORMAT, bold)])
    workbook.save(target)
