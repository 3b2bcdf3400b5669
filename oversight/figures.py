"""The dashboard's figures (issue 15), one function per group, each from GROUP BY queries
over a `Selection` (oversight/selection.py: the user's scope and the filters). No function
loops over records: Python only adds up the few groups a query returns (channels × outcomes,
stages, quarters, jurisdictions). The results are plain data, without URLs or markup, so the
annual report (SX 第四十条) can reuse them; oversight/links.py and the views add the links.

Where each fact lives:
- clues: screening.Clue (registered_on, channel, outcome = screening.reports.outcome_expression);
- cases: cases.Case (stage, opened_on, classification, damage_type, appraised_amount);
  索赔终止 and 结案 dates: the approved workflow.ApprovalRequest (case_termination,
  case_closing) and its closed_at, when the case reached the stage;
- deadlines: workflow.Deadline (status overdue, or open and due within 7 days);
- approvals: workflow.ApprovalRequest pending, aged from requested_at;
- money: restoration.FundObligation (agreed = source 赔偿协议, judged = source 生效判决, paid,
  outstanding), restoration.Deposit (held; applied), restoration.SpendingRequest paid for
  restoration purposes, and the case's appraised damage (claimed);
- restoration: restoration.RestorationProject (state), restoration.EffectAssessment (result);
- major cases: cases.Case classification 重大 with the last cases.MajorCaseProgress.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Min, OuterRef, Q, Subquery
from django.db.models.functions import TruncQuarter
from django.utils import timezone

from accounts.models import Department
from cases.forms import ENDING_APPROVALS
from cases.models import Case, MajorCaseProgress
from restoration.models import (
    EffectAssessment,
    RestorationProject,
    SpendingRequest,
)
from screening.models import Clue, SourceChannel
from screening.reports import OUTCOMES
from workflow.models import ApprovalRequest, Deadline, DeadlineKind

from . import summary
from .periods import Period, quarter_of, quarters_ending
from .selection import OUTSIDE, Selection

ZERO = Decimal("0.00")
SOON_DAYS = 7  # issue 15: 7日内到期


# --- clues ------------------------------------------------------------------------------------

@dataclass
class ChannelRow:
    channel_id: int
    label: str
    outcomes: dict[str, int]
    total: int = 0


@dataclass
class ClueFigures:
    rows: list[ChannelRow]
    outcome_totals: dict[str, int]
    total: int

    @property
    def outcome_labels(self):
        return OUTCOMES


def _clue_groups(sel: Selection) -> list[tuple[int, int, str, int]]:
    """(jurisdiction, channel, outcome, count) of the clues registered in the period: one
    GROUP BY, shared by the clue figure and the side-by-side table; read from the clue summary
    (oversight/summary.py) where it exists."""
    return sel.once("clue_groups", lambda: summary.clue_groups(sel))


def clues_by_channel_and_outcome(sel: Selection) -> ClueFigures:
    """Clues registered in the period, by source channel and by where screening left them
    (CQ 二 线索筛查清单; SX 第八条): one GROUP BY (channel, outcome)."""
    per_channel: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    totals = {code: 0 for code, _ in OUTCOMES}
    for _, channel_id, outcome, n in _clue_groups(sel):
        per_channel[channel_id][outcome] += n
        totals[outcome] = totals.get(outcome, 0) + n
    rows = []
    for pk, name in SourceChannel.objects.filter(pk__in=per_channel).order_by("order", "pk") \
            .values_list("pk", "name"):
        outcomes = {code: per_channel[pk].get(code, 0) for code, _ in OUTCOMES}
        rows.append(ChannelRow(pk, name, outcomes, sum(outcomes.values())))
    return ClueFigures(rows, totals, sum(totals.values()))


# --- cases ------------------------------------------------------------------------------------

@dataclass
class StageRow:
    stage: str
    label: str
    count: int


def _case_groups(sel: Selection) -> list[tuple]:
    """(jurisdiction, damage_type, stage, count, opened in the period, appraised damage) of the
    scope's cases: one GROUP BY, shared by the stage figure, the money figures and the
    side-by-side table; read from the case summary (oversight/summary.py) where it exists."""
    return sel.once("case_groups", lambda: summary.case_groups(sel))


def cases_by_stage(sel: Selection) -> list[StageRow]:
    """Where the cases of the scope are now (every case, whatever its period)."""
    counts: dict[str, int] = defaultdict(int)
    for _, _, stage, n, _, _ in _case_groups(sel):
        counts[stage] += n
    return [StageRow(code, label, counts[code]) for code, label in Case.Stage.choices
            if counts.get(code)]


@dataclass
class QuarterRow:
    period: Period
    started: int = 0
    terminated: int = 0
    closed: int = 0


def _quarter_start(value) -> date:
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date()
    return value


def case_trend(sel: Selection, count: int = 8) -> list[QuarterRow]:
    """Cases started (opened_on), terminated (索赔终止 approved) and concluded (结案 approved) per
    quarter, the last `count` quarters up to the end of the selected period (Beijing time)."""
    quarters = quarters_ending(sel.period.end, count)
    rows = {q.start: QuarterRow(q) for q in quarters}
    first, last = quarters[0].start, quarters[-1].end
    cases = sel.cases()
    for month, n in summary.cases_started(sel, first, last):  # whole months: whole quarters
        rows[quarter_of(month).start].started += n
    ended = (ApprovalRequest.objects
             .filter(content_type=ContentType.objects.get_for_model(Case),
                     action__in=ENDING_APPROVALS, status=ApprovalRequest.Status.APPROVED,
                     closed_at__date__range=(first, last),
                     object_id__in=cases.values("pk"))
             .annotate(q=TruncQuarter("closed_at")).values_list("action", "q")
             .annotate(n=Count("id")).order_by())
    for action, q, n in ended:
        row = rows[_quarter_start(q)]
        if action == "case_termination":
            row.terminated += n
        else:
            row.closed += n
    return [rows[q.start] for q in quarters]


# --- deadlines --------------------------------------------------------------------------------

@dataclass
class DeadlineRow:
    kind: str
    kind_label: str
    department_id: int
    department: str
    overdue: int
    soon: int


@dataclass
class DeadlineFigures:
    rows: list[DeadlineRow]
    overdue: int
    soon: int
    by_kind: list[tuple[str, str, int, int]] = field(default_factory=list)


def _deadline_groups(sel: Selection) -> list[tuple]:
    """(kind, department, department's jurisdiction, overdue, due soon) of the scope's
    deadlines overdue (marked by the scan) and open ones due today or in the next 7 days: one
    GROUP BY each, both index-only range scans of the partial index on the overdue and open
    deadlines (oversight/summary_sql.DEADLINE_INDEX), shared by the deadline figure and the
    side-by-side table's overdue column."""
    def compute():
        key = ("kind", "department_id", "department__jurisdiction_id")
        groups: dict[tuple, list[int]] = {}
        overdue = sel.deadlines().filter(status=Deadline.Status.OVERDUE)
        soon = sel.deadlines().filter(status=Deadline.Status.OPEN, due__range=(
            sel.today, sel.today + timedelta(days=SOON_DAYS)))
        for position, qs in enumerate((overdue, soon)):
            # COUNT(*): no column outside the index, so an index-only scan
            for *k, n in qs.values_list(*key).annotate(n=Count("*")).order_by():
                groups.setdefault(tuple(k), [0, 0])[position] = n
        return [(*k, o, s) for k, (o, s) in groups.items()]
    return sel.once("deadline_groups", compute)


def deadlines_due(sel: Selection) -> DeadlineFigures:
    """Deadlines overdue (marked by the scan) and open ones due today or in the next 7 days,
    by kind and department."""
    groups = _deadline_groups(sel)
    names = dict(Department.objects.filter(pk__in={d for _, d, *_ in groups})
                 .values_list("pk", "name").order_by())
    labels = dict(DeadlineKind.choices)
    rows = sorted((DeadlineRow(k, labels.get(k, k), d, names.get(d, ""), o, s)
                   for k, d, _, o, s in groups), key=lambda r: (r.department, r.kind))
    by_kind: dict[str, list[int]] = {}
    for r in rows:
        pair = by_kind.setdefault(r.kind, [0, 0])
        pair[0] += r.overdue
        pair[1] += r.soon
    return DeadlineFigures(rows, sum(r.overdue for r in rows), sum(r.soon for r in rows),
                           [(k, labels.get(k, k), o, s) for k, (o, s) in sorted(by_kind.items())])


# --- approvals --------------------------------------------------------------------------------

AGE_BUCKETS = [  # (code, label, older than days, up to days)
    ("d3", "3日以内", None, 3),
    ("d7", "4至7日", 3, 7),
    ("d15", "8至15日", 7, 15),
    ("older", "15日以上", 15, None),
]


def age_q(code: str, now: datetime) -> Q:
    _, _, older, upto = next(b for b in AGE_BUCKETS if b[0] == code)
    q = Q()
    if older is not None:
        q &= Q(requested_at__lte=now - timedelta(days=older))
    if upto is not None:
        q &= Q(requested_at__gt=now - timedelta(days=upto))
    return q


@dataclass
class ApprovalRow:
    action: str
    title: str
    ages: dict[str, int]
    total: int
    oldest: datetime | None


@dataclass
class ApprovalFigures:
    rows: list[ApprovalRow]
    ages: dict[str, int]
    total: int


def approvals_waiting(sel: Selection, now: datetime) -> ApprovalFigures:
    """Approval requests still pending, by what is asked and by how long they have waited."""
    groups = (sel.approvals().filter(status=ApprovalRequest.Status.PENDING)
              .values_list("action", "title")
              .annotate(total=Count("id"), oldest=Min("requested_at"),
                        **{code: Count("id", filter=age_q(code, now))
                           for code, *_ in AGE_BUCKETS})
              .order_by("action"))
    rows, ages = [], {code: 0 for code, *_ in AGE_BUCKETS}
    for action, title, total, oldest, *buckets in groups:
        bucket_counts = dict(zip([b[0] for b in AGE_BUCKETS], buckets, strict=True))
        rows.append(ApprovalRow(action, title, bucket_counts, total, oldest))
        for code, n in bucket_counts.items():
            ages[code] += n
    return ApprovalFigures(rows, ages, sum(r.total for r in rows))


# --- money ------------------------------------------------------------------------------------

RESTORATION_PURPOSES = (SpendingRequest.Purpose.RESTORATION, SpendingRequest.Purpose.ALTERNATIVE,
                        SpendingRequest.Purpose.OTHER)
MONEY_FIELDS = [
    ("claimed", "索赔金额（鉴定评估损害数额）"),
    ("agreed", "协议约定赔偿"),
    ("judged", "判决确定赔偿"),
    ("paid", "已缴纳"),
    ("outstanding", "欠缴"),
    ("deposit_held", "在管修复保证金"),
    ("spent", "修复支出"),
]


@dataclass
class MoneyRow:
    key: object
    label: str = ""
    claimed: Decimal = ZERO
    agreed: Decimal = ZERO
    judged: Decimal = ZERO
    paid: Decimal = ZERO
    outstanding: Decimal = ZERO
    deposit_held: Decimal = ZERO
    spent: Decimal = ZERO
    cases: int = 0

    def add(self, other: MoneyRow) -> None:
        for name, _ in MONEY_FIELDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.cases += other.cases

    def values(self) -> list[Decimal]:
        return [getattr(self, name) for name, _ in MONEY_FIELDS]


def _money_by(sel: Selection, key: str) -> dict[object, MoneyRow]:
    """Money of the selection's cases grouped by jurisdiction or by damage type, added up from
    the (jurisdiction, damage type) groups of _money_pairs."""
    position = {"jurisdiction": 0, "damage_type": 1}[key]
    rows: dict[object, MoneyRow] = {}
    for pair, r in _money_pairs(sel).items():
        rows.setdefault(pair[position], MoneyRow(pair[position])).add(r)
    return rows


def _money_pairs(sel: Selection) -> dict[tuple, MoneyRow]:
    """Money per (jurisdiction, damage type) of the cases: one GROUP BY per table the figures
    live in, once per page."""
    return sel.once("money_pairs", lambda: _money_query(sel))


def _money_query(sel: Selection) -> dict[tuple, MoneyRow]:
    rows: dict[tuple, MoneyRow] = {}

    def row(*k) -> MoneyRow:
        return rows.setdefault(k, MoneyRow(k))

    for j, d, _, n, _, claimed in _case_groups(sel):
        r = row(j, d)
        r.cases += n
        r.claimed += claimed or ZERO
    # the obligations, deposits and spending, from the money summary where it exists
    for j, d, agreed, judged, paid, outstanding, held, spent in summary.money_groups(sel):
        r = row(j, d)
        r.agreed += agreed
        r.judged += judged
        r.paid += paid
        r.outstanding += outstanding
        r.deposit_held += held
        r.spent += spent
    return rows


@dataclass
class MoneyFigures:
    by_jurisdiction: list[MoneyRow]
    by_damage_type: list[MoneyRow]
    total: MoneyRow
    fields: list = field(default_factory=lambda: MONEY_FIELDS)


def money(sel: Selection) -> MoneyFigures:
    """Cumulative money of the cases in scope (every case, whatever its period): per
    jurisdiction (the root's subordinate ones side by side, or each jurisdiction) and per damage
    type (CQ 十五; NAT 十一; NT 三(十一); SX 第三十七条)."""
    total = MoneyRow("total", "合计")
    damage_labels = dict(Clue.DamageType.choices)
    by_damage = []
    for k, r in sorted(_money_by(sel, "damage_type").items(), key=lambda kv: kv[0] or "~"):
        r.label = damage_labels.get(k) or "未填写"
        by_damage.append(r)
        total.add(r)
    by_jurisdiction = roll_up(sel, dict(_money_by(sel, "jurisdiction")), MoneyRow)
    return MoneyFigures(by_jurisdiction, by_damage, total)


def roll_up(sel: Selection, rows: dict, make) -> list:
    """Rows keyed by jurisdiction id, added up into the breakdown's columns (the root's own
    level and each jurisdiction below it); without a breakdown, one row per jurisdiction."""
    from accounts.models import Jurisdiction

    units = sel.units()
    if not units:
        names = dict(Jurisdiction.objects.filter(pk__in=list(rows)).values_list("pk", "name"))
        out = []
        for k in sorted(rows, key=lambda k: names.get(k, "")):
            rows[k].label = names.get(k, "")
            out.append(rows[k])
        return out
    unit_of = sel.unit_of()
    merged = {key: make(key, label) for key, label in units}
    for k, r in rows.items():
        key = unit_of.get(k, OUTSIDE)
        if key not in merged:
            merged[key] = make(OUTSIDE, "其他（参与办理的外地案件）")
        merged[key].add(r)
    return list(merged.values())


# --- restoration ------------------------------------------------------------------------------

@dataclass
class RestorationFigures:
    by_state: list[tuple[str, str, int]]
    assessments: dict[str, int]
    total: int


def restoration(sel: Selection) -> RestorationFigures:
    """Restoration projects of the cases in scope by state (now), and effect assessments
    concluded in the period, passed or failed (CQ 十四; SX 第二十七、二十八条)."""
    ids = sel.cases().values("pk")
    counts = dict(RestorationProject.objects.filter(case__in=ids).values_list("state")
                  .annotate(n=Count("id")).order_by())
    states = [(code, label, counts[code]) for code, label in RestorationProject.State.choices
              if counts.get(code)]
    results = dict(EffectAssessment.objects
                   .filter(project__case__in=ids,
                           concluded_on__range=(sel.period.start, sel.period.end))
                   .values_list("result").annotate(n=Count("id")).order_by())
    R = EffectAssessment.Result
    return RestorationFigures(states, {"passed": results.get(R.PASSED, 0),
                                       "failed": results.get(R.FAILED, 0)},
                              sum(n for *_, n in states))


# --- major cases ------------------------------------------------------------------------------

@dataclass
class MajorCases:
    total: int
    open: int
    rows: list  # Case instances with last_noted_on, last_progress


def major_cases(sel: Selection, limit: int = 10) -> MajorCases:
    """重大 cases of the scope (SX 第十二条 台帐、定期调度) with their last progress note."""
    majors = sel.cases().filter(classification=Case.Classification.MAJOR)
    total, still_open = summary.major_counts(sel, [Case.Stage.TERMINATED, Case.Stage.CLOSED])
    last = MajorCaseProgress.objects.filter(case=OuterRef("pk")).order_by("-noted_on", "-id")
    rows = list(majors.exclude(stage__in=[Case.Stage.TERMINATED, Case.Stage.CLOSED])
                .annotate(last_noted_on=Subquery(last.values("noted_on")[:1]),
                          last_progress=Subquery(last.values("text")[:1]))
                .select_related("department").order_by("-opened_on", "-id")[:limit])
    return MajorCases(total, still_open, rows)


# --- side by side -----------------------------------------------------------------------------

@dataclass
class UnitRow:
    key: int
    label: str
    clues: int = 0
    cases_opened: int = 0
    cases_active: int = 0
    overdue: int = 0
    claimed: Decimal = ZERO
    paid: Decimal = ZERO
    outstanding: Decimal = ZERO

    COUNTED = ("clues", "cases_opened", "cases_active", "overdue", "claimed", "paid",
               "outstanding")

    def add(self, other) -> None:
        for name in self.COUNTED:
            setattr(self, name, getattr(self, name) + getattr(other, name, 0))


ENDED = (Case.Stage.TERMINATED, Case.Stage.CLOSED)


@dataclass
class Breakdown:
    rows: list[UnitRow]
    total: UnitRow


def breakdown(sel: Selection) -> Breakdown | None:
    """The subordinate jurisdictions side by side (a provincial department: its cities; a
    city's coordinator: the city's own level and its counties), each column a GROUP BY
    jurisdiction rolled up; the columns add up to the total."""
    if not sel.units():
        return None
    per: dict[int, UnitRow] = defaultdict(lambda: UnitRow(0, ""))
    for k, _, _, n in _clue_groups(sel):
        per[k].clues += n
    for k, _, stage, n, opened, _ in _case_groups(sel):
        per[k].cases_opened += opened
        if stage not in ENDED:
            per[k].cases_active += n
    for _, _, k, overdue, _ in _deadline_groups(sel):
        per[k].overdue += overdue
    for k, r in _money_by(sel, "jurisdiction").items():
        per[k].claimed, per[k].paid, per[k].outstanding = r.claimed, r.paid, r.outstanding
    rows = roll_up(sel, dict(per), UnitRow)
    total = UnitRow(-1, "合计")
    for r in rows:
        total.add(r)
    return Breakdown(rows, total)
