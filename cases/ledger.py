"""The major-case ledger (重大案件台帐) and its periodic progress dispatch (SX 第十二条: 办案部门或机构
建立重大案件办理机制，对重大案件建立台帐，定期调度，推进案件办理).

- A case classified 重大 gets a dispatch deadline (DeadlineKind.MAJOR_CASE_DISPATCH) through
  the deadline engine, which sends its reminders, overdue alerts and escalations.
- Recording a progress note meets the open dispatch deadline and opens the next one, counted
  from the note's date.
- A case that is no longer 重大, or is terminated, has its open dispatch deadline cancelled.

The interval is the rule `major.progress_interval` ({"months": 1}). Dispatch is a recurring
duty of the department, like screening rounds, so it is read from the profile of the case's
jurisdiction **in force on the day the period starts** (then the case's own version, then the
base rule set). Where no profile sets it, no dispatch deadline is opened and the ledger says so.

The ledger lists the 重大 cases the user may see (Case.objects.visible_to) with stage, next
deadline and last progress note, keyset-paginated; `write_ledger` writes the same rows to an
Excel sheet with the shared writer (workflow.spreadsheets: every text written as text).
"""

from __future__ import annotations

import calendar
import contextlib
import tempfile
from dataclasses import dataclass
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import OuterRef, Prefetch, Subquery
from django.utils import timezone

from rules.calendar import cn_date
from rules.errors import NoProfileInForce, RuleNotDefined
from workflow import deadlines as engine
from workflow import spreadsheets
from workflow.audit import acting_as, current_actor
from workflow.models import Deadline, DeadlineKind
from workflow.spreadsheets import AMOUNT, DATE, NUMBER, Column

from .models import Case, CaseMajorCriterion, MajorCaseProgress

KEY = "major.progress_interval"
DISPATCH = DeadlineKind.MAJOR_CASE_DISPATCH
ACTIVE = (Deadline.Status.OPEN, Deadline.Status.OVERDUE)
NOT_SET = "适用规则未规定重大案件进展调度周期，未设调度期限"


class ProgressError(Exception):
    """A progress note that cannot be recorded; the message is for the user, in Chinese."""


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or that month's last day (1月31日 + 1个月 = 2月28日)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class DispatchRule:
    profile: object  # the local profile the rule was read through
    months: int
    citation: str
    source: str

    def describe(self) -> str:
        every = "每月" if self.months == 1 else f"每{self.months}个月"
        return f"{every}至少调度一次（{self.citation}，{self.source}）"


def dispatch_rule(case: Case, on: date) -> DispatchRule | None:
    """The dispatch interval for a period starting on `on`, or None where no profile sets it."""
    profiles = []
    try:
        profiles.append(case.jurisdiction.rule_profile_on(on))
    except NoProfileInForce:
        pass
    if case.rule_profile_id not in [p.pk for p in profiles]:
        profiles.append(case.rule_profile)
    for profile in profiles:
        try:
            rule = profile.rule(KEY, on=on)
        except RuleNotDefined:
            continue
        return DispatchRule(profile, rule.value["months"], rule.citation, rule.source)
    return None


def dispatch_deadlines(case: Case):
    return engine.deadlines_of(case).filter(kind=DISPATCH)


def active_dispatch(case: Case):
    return dispatch_deadlines(case).filter(status__in=ACTIVE)


def _acting(by):
    if by is not None and current_actor() is None:
        return acting_as(by)
    return contextlib.nullcontext()


def open_dispatch(case: Case, *, start: date, event: str, by) -> Deadline | None:
    """A dispatch deadline for the period starting on `start`; None where no interval is set."""
    rule = dispatch_rule(case, start)
    if rule is None:
        return None
    due = add_months(start, rule.months)
    every = "每月" if rule.months == 1 else f"每{rule.months}个月"
    try:
        return engine.open_deadline(
            case, DISPATCH, profile=rule.profile, rule_key=KEY, start_date=start,
            start_event=event, days=(due - start).days, calendar=Deadline.Calendar.NATURAL,
            responsible=case.created_by, department=case.department, by=by,
            title=f"案件 {case.number} 重大案件进展调度（{every}）")
    except engine.DeadlineError:
        return None


def sync_dispatch(case: Case, *, by) -> Deadline | None:
    """Follow the case's class: a 重大 case that is still handled has one active dispatch
    deadline; any other case none."""
    active = list(active_dispatch(case))
    if case.classification == Case.Classification.MAJOR and not case.is_read_only:
        if active:
            return active[0]
        return open_dispatch(case, start=timezone.localdate(), event="纳入重大案件管理", by=by)
    reason = ("案件已终止" if case.is_read_only else
              f"案件重新分类为{case.get_classification_display() or '未分类'}，不再属于重大案件")
    for deadline in active:
        engine.cancel(deadline, by=by, reason=reason)
    return None


def stop_dispatch(case: Case, *, by, reason: str) -> int:
    """Cancel the open dispatch deadline (the case is terminated or closed)."""
    active = list(active_dispatch(case))
    for deadline in active:
        engine.cancel(deadline, by=by, reason=reason)
    return len(active)


def last_progress(case: Case) -> MajorCaseProgress | None:
    return case.major_progress.select_related("by").order_by("-noted_on", "-id").first()


def check_progress(case: Case, noted_on: date) -> None:
    """ProgressError unless a note dated `noted_on` may be recorded for the case."""
    if case.classification != Case.Classification.MAJOR:
        raise ProgressError("该案件不属于重大案件，无需登记调度进展。")
    if case.is_read_only:
        raise ProgressError("案件已终止，不能再登记调度进展。")
    today = timezone.localdate()
    if noted_on > today:
        raise ProgressError("进展日期不能晚于今天。")
    if noted_on < case.opened_on:
        raise ProgressError(f"进展日期不能早于案件启动日期{cn_date(case.opened_on)}。")
    previous = last_progress(case)
    if previous is not None and noted_on < previous.noted_on:
        raise ProgressError(f"进展日期不能早于上一次登记的进展日期{cn_date(previous.noted_on)}。")


def record_progress(case: Case, *, noted_on: date, text: str, by
                    ) -> tuple[MajorCaseProgress, Deadline | None]:
    """Record a progress note; meet the open dispatch deadline and open the next one, counted
    from the note's date. Returns (note, next deadline or None)."""
    text = (text or "").strip()
    if not text:
        raise ProgressError("请填写进展情况。")
    with transaction.atomic(), _acting(by):
        locked = (Case.objects.select_for_update(of=("self",))
                  .select_related("jurisdiction", "department", "rule_profile__rule_set",
                                  "created_by").get(pk=case.pk))
        check_progress(locked, noted_on)
        active = list(active_dispatch(locked))
        note = MajorCaseProgress.objects.create(
            case=locked, noted_on=noted_on, text=text, by=by,
            deadline=active[0] if active else None)
        for deadline in active:
            engine.mark_met(deadline, by=by, note=f"已登记{cn_date(noted_on)}的进展情况")
        following = open_dispatch(locked, start=noted_on, event="登记调度进展", by=by)
    return note, following


# --- the ledger ----------------------------------------------------------------------------

def ledger_cases(user):
    """The 重大 cases `user` may see, with their next deadline, next dispatch due date and last
    progress note as subqueries (one query per page, whatever the scope)."""
    case_type = ContentType.objects.get_for_model(Case)
    deadlines = Deadline.objects.filter(content_type=case_type, object_id=OuterRef("pk"),
                                        status__in=ACTIVE).order_by("due", "id")
    dispatch = deadlines.filter(kind=DISPATCH)
    notes = MajorCaseProgress.objects.filter(case=OuterRef("pk")).order_by("-noted_on", "-id")
    return (
        Case.objects.visible_to(user)
        .filter(classification=Case.Classification.MAJOR)
        .select_related("department", "jurisdiction", "created_by")
        .annotate(
            next_deadline_title=Subquery(deadlines.values("title")[:1]),
            next_deadline_due=Subquery(deadlines.values("due")[:1]),
            dispatch_due=Subquery(dispatch.values("due")[:1]),
            dispatch_status=Subquery(dispatch.values("status")[:1]),
            last_note_on=Subquery(notes.values("noted_on")[:1]),
            last_note_text=Subquery(notes.values("text")[:1]),
        )
        .prefetch_related(Prefetch("major_criteria",
                                   queryset=CaseMajorCriterion.objects.order_by("id")))
    )


COLUMNS = [
    Column("序号", 6, NUMBER),
    Column("案件编号", 20),
    Column("赔偿权利人", 18),
    Column("办案部门", 20),
    Column("案由", 36),
    Column("阶段", 12),
    Column("重大案件情形", 48),
    Column("损害数额（元）", 16, AMOUNT),
    Column("启动日期", 14, DATE),
    Column("下一期限", 30),
    Column("期限届满日", 14, DATE),
    Column("调度届满日", 14, DATE),
    Column("最近进展日期", 14, DATE),
    Column("最近进展情况", 48),
    Column("经办人", 10),
]
HEADERS = [c.header for c in COLUMNS]


def ledger_row(index: int, case: Case) -> list:
    criteria = "；".join(f"{c.label}（{c.citation}）" for c in case.major_criteria.all())
    return [
        index, case.number, case.jurisdiction.name, str(case.department), case.cause,
        case.get_stage_display(), criteria, case.damage_amount, case.opened_on,
        case.next_deadline_title or "", case.next_deadline_due, case.dispatch_due,
        case.last_note_on, case.last_note_text or "",
        case.created_by.get_full_name() if case.created_by_id else "",
    ]


def write_ledger(queryset, target) -> int:
    """Write the ledger rows of `queryset` (from ledger_cases) to `target` (a path or a binary
    file) with the shared writer; returns the number of cases written."""
    with spreadsheets.Workbook(target) as book:
        table = book.table("重大案件台帐", COLUMNS)
        rows = queryset.order_by("-opened_on", "-id").iterator(chunk_size=500)
        for index, case in enumerate(rows, start=1):
            table.add(ledger_row(index, case))
    return table.data_rows


def ledger_file(user):
    """The user's ledger as an .xlsx in a temporary file, rewound (for a FileResponse)."""
    handle = tempfile.TemporaryFile()
    write_ledger(ledger_cases(user), handle)
    handle.seek(0)
    return handle


# --- the case-handling ledger (案件办理台账, NAT 二: 建立案件办理台账，实行跟踪管理) --------------

ENDING_APPROVALS = ("case_termination", "case_closing")


def handling_cases(cases, start: date, end: date):
    """Of `cases` (a `Case.objects.visible_to(user)` queryset, perhaps narrowed by the
    dashboard's filters), those handled during [start, end]: started on or before
    `end` and not ended (索赔终止 / 结案 approved, Beijing day, as on the dashboard) before
    `start`; with the ending day, the next deadline and the last stage change as subqueries."""
    from django.db.models import CharField, Q
    from django.db.models.functions import Cast, TruncDate

    from workflow.models import ApprovalRequest, AuditEvent

    case_type = ContentType.objects.get_for_model(Case)
    ending = (ApprovalRequest.objects
              .filter(content_type=case_type, object_id=OuterRef("pk"),
                      action__in=ENDING_APPROVALS, status=ApprovalRequest.Status.APPROVED)
              .order_by("-closed_at").annotate(day=TruncDate("closed_at")))
    deadlines = Deadline.objects.filter(content_type=case_type, object_id=OuterRef("pk"),
                                        status__in=ACTIVE).order_by("due", "id")
    moves = (AuditEvent.objects
             .filter(content_type=case_type, object_id=Cast(OuterRef("pk"), CharField()),
                     action=AuditEvent.Action.TRANSITION).order_by("-at")
             .annotate(day=TruncDate("at")))
    return (
        cases
        .filter(opened_on__lte=end)
        .select_related("department", "jurisdiction", "created_by")
        .prefetch_related("obligor_links__party")
        .annotate(
            ended_on=Subquery(ending.values("day")[:1]),
            next_deadline_title=Subquery(deadlines.values("title")[:1]),
            next_deadline_due=Subquery(deadlines.values("due")[:1]),
            last_move_on=Subquery(moves.values("day")[:1]),
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start))
    )


@dataclass(frozen=True)
class HandlingFigures:
    total: int
    started: int       # started in the period
    terminated: int    # 索赔终止 approved in the period
    closed: int        # 结案 approved in the period
    open_at_end: int   # not ended by the period's last day


def handling_figures(queryset, start: date, end: date) -> HandlingFigures:
    """The ledger's counts for the period, in one aggregate query."""
    from django.db.models import Count, Q

    ended = Q(ended_on__gte=start, ended_on__lte=end)
    counts = queryset.order_by().aggregate(
        total=Count("pk"),
        started=Count("pk", filter=Q(opened_on__gte=start)),
        terminated=Count("pk", filter=ended & Q(stage=Case.Stage.TERMINATED)),
        closed=Count("pk", filter=ended & Q(stage=Case.Stage.CLOSED)),
        open_at_end=Count("pk", filter=Q(ended_on__isnull=True) | Q(ended_on__gt=end)),
    )
    return HandlingFigures(**counts)


HANDLING_COLUMNS = [
    Column("序号", 6, NUMBER),
    Column("案件编号", 20),
    Column("赔偿权利人", 18),
    Column("办案部门", 20),
    Column("案由", 36),
    Column("赔偿义务人", 30),
    Column("损害类型", 12),
    Column("案件类别", 10),
    Column("阶段", 12),
    Column("启动日期", 14, DATE),
    Column("终止或结案日期", 14, DATE),
    Column("估算损害数额（元）", 16, AMOUNT),
    Column("鉴定评估损害数额（元）", 16, AMOUNT),
    Column("下一期限", 30),
    Column("期限届满日", 14, DATE),
    Column("最近状态变更日期", 14, DATE),
    Column("经办人", 10),
]


def handling_row(index: int, case: Case) -> list:
    obligors = "、".join(link.party.name for link in case.obligor_links.all())
    return [
        index, case.number, case.jurisdiction.name, case.department.name, case.cause, obligors,
        case.get_damage_type_display(), case.get_classification_display(),
        case.get_stage_display(), case.opened_on, case.ended_on, case.estimated_amount,
        case.appraised_amount, case.next_deadline_title or "", case.next_deadline_due,
        case.last_move_on, case.created_by.get_full_name() if case.created_by_id else "",
    ]


def write_handling_ledger(queryset, target, *, title: str) -> int:
    """Write the ledger rows of `queryset` (from handling_cases) with the shared writer, under
    a title row naming the period; returns the number of cases written."""
    with spreadsheets.Workbook(target) as book:
        table = book.table("案件办理台账", HANDLING_COLUMNS, title_row=title)
        rows = queryset.order_by("-opened_on", "-id").iterator(chunk_size=500)
        for index, case in enumerate(rows, start=1):
            table.add(handling_row(index, case))
    return table.data_rows


def handling_ledger_file(queryset, *, title: str):
    """The ledger as an .xlsx in a rewound temporary file; `exports.CaseListTooLarge` past the
    case export's row limit (ECOCLAIM_CASE_EXPORT_MAX_ROWS), as for the case list."""
    from .exports import CaseListTooLarge, max_rows

    limit = max_rows()
    if queryset.order_by()[: limit + 1].count() > limit:
        raise CaseListTooLarge(f"台账中的案件超过{limit:,}件，请缩小统计期间或范围后再导出。")
    handle = tempfile.TemporaryFile()
    write_handling_ledger(queryset, handle, title=title)
    handle.seek(0)
    return handle
