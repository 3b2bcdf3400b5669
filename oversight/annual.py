"""年度生态环境损害赔偿工作情况 (SX 第四十条: 每年12月底前将本年度生态环境损害赔偿工作情况报送省生态环境厅):
the annual work report of a jurisdiction (with the ones below it) for a calendar year, within
the user's scope.

The report is the dashboard's figures (oversight/figures.py) for the Selection "that year,
that jurisdiction", so its totals are the dashboard's for the same period and scope; what the
dashboard does not show (screening rounds, cases by classification, terminations with their
reasons, negotiation and court outcomes) is counted here the same way: GROUP BY queries over
the selection's querysets, which start from the one scoping rule (`visible_to`).

Who may generate it: the 牵头部门协调员 and the 部门负责人 (REPORT_ROLES); the coordinator
writes the free-text part (AnnualReportText). Everyone else is refused (403).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, Sum

from accounts.models import Jurisdiction
from accounts.roles import Role, has_role
from cases.models import Case
from negotiation.models import Enforcement, JudicialConfirmation, Litigation, Negotiation
from negotiation.models.agreement import Agreement
from restoration.models import SpendingRequest
from screening.models import ScreeningRound
from workflow.models import ApprovalRequest

from . import figures, periods
from .models import AnnualReportText
from .selection import Selection

REPORT_ROLES = (Role.COORDINATOR, Role.DEPARTMENT_HEAD)
TEXT_ROLES = (Role.COORDINATOR,)
TERMINATION_LIST_LIMIT = 100


def may_generate(user) -> bool:
    """协调员 and 部门负责人 of a department (SX 第四十条: the report goes out under the department)."""
    return (user.is_authenticated and getattr(user, "department", None) is not None
            and has_role(user, *REPORT_ROLES))


def may_write_text(user) -> bool:
    return may_generate(user) and has_role(user, *TEXT_ROLES)


def jurisdictions_for(user):
    """The user's own jurisdiction and the ones below it (the report's possible subjects)."""
    if not may_generate(user):
        return Jurisdiction.objects.none()
    return Jurisdiction.objects.filter(
        path__startswith=user.department.jurisdiction.path).order_by("path")


def selection(user, jurisdiction: Jurisdiction, year: int, today: date) -> Selection:
    return Selection(user=user, period=periods.year(year), today=today, jurisdiction=jurisdiction)


@dataclass
class Row:
    label: str
    count: int
    code: str = ""


@dataclass
class FundUseRow:
    label: str
    count: int
    amount: object
    code: str = ""


@dataclass
class AnnualReport:
    sel: Selection
    year: int
    jurisdiction: Jurisdiction
    rounds: int
    rounds_by_quarter: list[Row]
    clues: figures.ClueFigures
    started: int
    by_classification: list[Row]
    terminated: int
    terminations: list  # (case, approved day, reason)
    concluded: int
    trend: list[figures.QuarterRow]
    agreements: int
    negotiations_failed: int
    failures: list[Row]
    confirmations_applied: int
    confirmations: int
    confirmations_refused: int
    litigations_filed: int
    litigations_judged: int
    enforcements_applied: int
    enforcements_concluded: int
    money: figures.MoneyFigures
    fund_use: list[FundUseRow]
    restoration: figures.RestorationFigures
    majors: figures.MajorCases
    side: figures.Breakdown | None = None
    text: AnnualReportText | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{self.jurisdiction.name}{self.year}年度生态环境损害赔偿工作情况"


def _between(prefix: str, sel: Selection) -> dict:
    return {f"{prefix}__range": (sel.period.start, sel.period.end)}


def build(sel: Selection) -> AnnualReport:
    """Every figure of the report for one selection (a year, a jurisdiction, a user)."""
    year = sel.period.start.year
    cases = sel.cases()
    case_ids = cases.values("pk")

    # screening (SX 第八条 每季度不少于1次; CQ 二)
    rounds = ScreeningRound.objects.visible_to(sel.user).filter(year=year)
    if sel.jurisdiction is not None:
        rounds = rounds.filter(department__jurisdiction__path__startswith=sel.jurisdiction.path)
    per_quarter = dict(rounds.values_list("quarter").annotate(n=Count("id")).order_by())
    rounds_by_quarter = [Row(f"{periods.QUARTER_NAMES[q]}", per_quarter.get(q, 0), str(q))
                         for q in (1, 2, 3, 4)]

    # cases: started in the year by classification; terminated and concluded in the year, as
    # the dashboard's trend counts them (the year's four quarters)
    trend = figures.case_trend(sel, 4)
    opened = cases.filter(**_between("opened_on", sel))
    counts = dict(opened.values_list("classification").annotate(n=Count("id")).order_by())
    by_classification = [Row(label, counts.get(code, 0), code)
                         for code, label in Case.Classification.choices]
    if counts.get("") or counts.get(None):
        by_classification.append(Row("未分类", (counts.get("") or 0) + (counts.get(None) or 0)))
    ended = (ApprovalRequest.objects
             .filter(content_type=ContentType.objects.get_for_model(Case),
                     action="case_termination", status=ApprovalRequest.Status.APPROVED,
                     closed_at__date__range=(sel.period.start, sel.period.end),
                     object_id__in=case_ids)
             .order_by("closed_at", "pk").values_list("object_id", "closed_at"))
    ended = list(ended[:TERMINATION_LIST_LIMIT])
    by_pk = Case.objects.in_bulk([pk for pk, _ in ended])
    terminations = [(by_pk[pk], closed_at, by_pk[pk].termination_reason)
                    for pk, closed_at in ended if pk in by_pk]

    # negotiation and the courts (SX 第十八–二十二条)
    negotiations = Negotiation.objects.filter(case__in=case_ids, **_between("ended_on", sel))
    failed = negotiations.filter(state=Negotiation.State.FAILED)
    fail_counts = dict(failed.values_list("failure_reason").annotate(n=Count("id")).order_by())
    failures = [Row(label, fail_counts[code], code) for code, label in
                Negotiation.Failure.choices if fail_counts.get(code)]
    if fail_counts.get(""):
        failures.append(Row("未注明情形", fail_counts[""]))
    agreements = Agreement.objects.filter(case__in=case_ids, state=Agreement.State.SIGNED,
                                          **_between("signed_on", sel)).count()
    jc = JudicialConfirmation.objects.filter(case__in=case_ids).aggregate(
        applied=Count("id", filter=Q(**_between("applied_on", sel))),
        confirmed=Count("id", filter=Q(state=JudicialConfirmation.State.CONFIRMED,
                                       **_between("ruling_date", sel))),
        refused=Count("id", filter=Q(state=JudicialConfirmation.State.REFUSED,
                                     **_between("ruling_date", sel))))
    lit = Litigation.objects.filter(case__in=case_ids).aggregate(
        filed=Count("id", filter=Q(**_between("filed_on", sel))),
        judged=Count("id", filter=Q(**_between("judgment_date", sel))))

    enf = Enforcement.objects.filter(case__in=case_ids).aggregate(
        applied=Count("id", filter=Q(**_between("applied_on", sel))),
        concluded=Count("id", filter=Q(**_between("concluded_on", sel))))
    money = figures.money(sel)
    # 资金使用: spending paid in the year, by purpose (CQ 十五; NT 三(十一); SX 第三十七条)
    spent = dict((k, (n, a)) for k, n, a in SpendingRequest.objects.filter(
        case__in=case_ids, state=SpendingRequest.State.PAID, **_between("paid_on", sel))
        .values_list("purpose_kind").annotate(n=Count("id"), a=Sum("approved_amount"))
        .order_by())
    fund_use = [FundUseRow(label, spent[code][0], spent[code][1] or figures.ZERO, code)
                for code, label in SpendingRequest.Purpose.choices if code in spent]

    text = None
    if sel.jurisdiction is not None:
        text = AnnualReportText.objects.filter(jurisdiction=sel.jurisdiction, year=year).first()

    return AnnualReport(
        sel=sel, year=year, jurisdiction=sel.jurisdiction, rounds=sum(per_quarter.values()),
        rounds_by_quarter=rounds_by_quarter,
        clues=figures.clues_by_channel_and_outcome(sel),
        started=sum(q.started for q in trend), by_classification=by_classification,
        terminated=sum(q.terminated for q in trend), terminations=terminations,
        concluded=sum(q.closed for q in trend), trend=trend,
        agreements=agreements, negotiations_failed=sum(fail_counts.values()), failures=failures,
        confirmations_applied=jc["applied"], confirmations=jc["confirmed"],
        confirmations_refused=jc["refused"],
        litigations_filed=lit["filed"], litigations_judged=lit["judged"],
        enforcements_applied=enf["applied"], enforcements_concluded=enf["concluded"],
        money=money, fund_use=fund_use, side=figures.breakdown(sel), restoration=figures.restoration(sel),
        majors=figures.major_cases(sel, limit=50), text=text,
    )


# --- the December reminder -------------------------------------------------------------------

@dataclass(frozen=True)
class AnnualDuty:
    year: int
    due: date
    citation: str
    note: str = ""

    def sentence(self) -> str:
        return (f"{self.year}年度生态环境损害赔偿工作情况须于{self.due.year}年{self.due.month}月"
                f"{self.due.day}日前报送")

    def explanation(self) -> str:
        return f"{self.note or '每年报送本年度生态环境损害赔偿工作情况'}（{self.citation}）"


def annual_report_due(department, today: date) -> AnnualDuty | None:
    """The annual report's duty in the month it falls due, under the profile of the
    department's jurisdiction in force today: the rule `screening.aggregation` with a yearly
    period and a due day (SX 第四十条: 每年12月底前报送省生态环境厅 → {"period": "year",
    "due": "12-31"}). None outside that month, after the day, or where the profile fixes no
    yearly report (CQ 二 aggregates every half-year; NAT and NT fix none), and once a final
    version of the department's jurisdiction for the year is approved and reported up."""
    from rules.errors import RuleError
    from workflow.deadlines import cycle_end

    if department is None:
        return None
    try:
        rule = department.jurisdiction.rule_profile_on(today).rule("screening.aggregation",
                                                                   on=today)
    except RuleError:
        return None
    value = rule.value or {}
    if value.get("period") != "year" or not value.get("due"):
        return None
    due = cycle_end(value, today)
    if (due.year, due.month) != (today.year, today.month) or today > due:
        return None
    from .models import AnnualReportFinal

    # done once approved, and, where there is a jurisdiction above, reported to it
    done = (AnnualReportFinal.State.SUBMITTED,) if department.jurisdiction.parent_id else \
        AnnualReportFinal.APPROVED_STATES
    if AnnualReportFinal.objects.filter(jurisdiction=department.jurisdiction, year=today.year,
                                        state__in=done).exists():
        return None
    return AnnualDuty(today.year, due, rule.citation, rule.note)
