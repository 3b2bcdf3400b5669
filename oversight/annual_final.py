"""The final version of the annual work report (SX 第四十条): the coordinator submits the
report of a jurisdiction and year as it stands; its PDF (documents service) and Excel are
rendered once and archived as workflow Attachments of an AnnualReportFinal, which the
部门负责人 approves through the one approval mechanism (workflow.approvals, action
"annual_report_final"). What the head approves is what is archived: the files never change."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max

from accounts.models import Jurisdiction
from workflow import approvals
from workflow.approvals import ApprovalError
from workflow.attachments import attach

from . import annual, annual_export
from .annual_render import pdf_bytes
from .models import AnnualReportFinal


def totals(report: annual.AnnualReport) -> dict:
    """The headline figures kept beside the files, frozen with them when the version is
    submitted (what the archive list shows, and, once approved, what /public/figures/ publishes:
    SX 第三十八条、第四十条). Counts and sums only, never a name; amounts as strings."""
    money = report.money.total
    return {"clues": report.clues.total, "started": report.started,
            "terminated": report.terminated, "concluded": report.concluded,
            "agreements": report.agreements, "claimed": str(money.claimed),
            "paid": str(money.paid), "majors": report.majors.total,
            "rounds": report.rounds, "negotiations_failed": report.negotiations_failed,
            "confirmations": report.confirmations, "litigations_filed": report.litigations_filed,
            "litigations_judged": report.litigations_judged,
            "enforcements_concluded": report.enforcements_concluded,
            "agreed": str(money.agreed), "judged": str(money.judged),
            "outstanding": str(money.outstanding), "spent": str(money.spent),
            "fund_used": str(sum((r.amount for r in report.fund_use), start=Decimal("0.00"))),
            "restoration_projects": report.restoration.total,
            "assessments_passed": report.restoration.assessments.get("passed", 0),
            "assessments_failed": report.restoration.assessments.get("failed", 0)}


def _name(report, version: int, suffix: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "", f"{report.title}-第{version}版") + suffix


def submit_final(user, jurisdiction: Jurisdiction, year: int, *, summary: str,
                 today) -> AnnualReportFinal:
    """Render the report now, archive its PDF and Excel as the next version, and ask the
    部门负责人 of the user's department to approve it."""
    if not annual.may_write_text(user):
        raise PermissionDenied("年度工作情况报告定稿由牵头部门协调员提交。")
    if not annual.jurisdictions_for(user).filter(pk=jurisdiction.pk).exists():
        raise PermissionDenied("所选行政区不在您的数据范围内。")
    if AnnualReportFinal.objects.filter(jurisdiction=jurisdiction, year=year,
                                        state=AnnualReportFinal.State.PENDING).exists():
        raise ApprovalError("该年度报告已有定稿在审批中。")
    report = annual.build(annual.selection(user, jurisdiction, year, today))
    with transaction.atomic():
        Jurisdiction.objects.select_for_update().only("pk").get(pk=jurisdiction.pk)
        version = (AnnualReportFinal.objects.filter(jurisdiction=jurisdiction, year=year)
                   .aggregate(v=Max("version"))["v"] or 0) + 1
        pdf = pdf_bytes(report, draft=False, version=version)
        final = AnnualReportFinal.objects.create(
            jurisdiction=jurisdiction, year=year, version=version, department=user.department,
            sha256=hashlib.sha256(pdf).hexdigest(), totals=totals(report), created_by=user)
        final.pdf = attach(final, ContentFile(pdf, name=_name(report, version, ".pdf")), by=user,
                           kind="年度工作情况报告", description=str(final)[:200])
        final.xlsx = attach(final, ContentFile(annual_export.workbook_bytes(report),
                                               name=_name(report, version, ".xlsx")),
                            by=user, kind="年度工作情况报告", description=str(final)[:200])
        final.save()
        approvals.request_approval(final, "annual_report_final", by=user, summary=summary)
    final.refresh_from_db()
    return final


# --- reporting up (报送; SX 第四十条: 12月底前报送省生态环境厅) -----------------------------------

def report_up(final: AnnualReportFinal, *, by, expected_state: str | None = None
              ) -> AnnualReportFinal:
    """Report an approved final version to the jurisdiction above: a transition of the
    version (audited), by the coordinator of its own jurisdiction. From then on the
    jurisdiction above sees it (AnnualReportFinal.objects.visible_to)."""
    from workflow.transitions import perform

    return perform(final, "report_up", by=by, expected_state=expected_state)


UNIT_FIELDS = (("clues", "登记线索"), ("started", "启动索赔"), ("terminated", "终止索赔"),
               ("concluded", "结案"), ("claimed", "索赔金额"), ("paid", "已缴纳"),
               ("outstanding", "欠缴"))
AMOUNTS = {"claimed", "paid", "outstanding"}
# the same figures in the side-by-side breakdown (figures.breakdown), where it has them
LIVE = {"clues": "clues", "started": "cases_opened", "claimed": "claimed", "paid": "paid",
        "outstanding": "outstanding"}


@dataclass
class ReportedRow:
    jurisdiction: Jurisdiction
    final: AnnualReportFinal | None  # the latest reported version, None if not reported
    values: dict  # field -> int or Decimal, from the frozen totals
    live: dict  # field -> the same figure counted now (breakdown), where it has it

    @property
    def cells(self) -> list:
        return cells(self.values)


def cells(values: dict) -> list[tuple[object, bool]]:
    """(value or None, is an amount) in UNIT_FIELDS order, for a table row."""
    return [(values.get(f), f in AMOUNTS) for f, _ in UNIT_FIELDS]


def _value(totals: dict, key: str):
    raw = totals.get(key, 0)
    return Decimal(str(raw)) if key in AMOUNTS else int(raw or 0)


def reported_below(user, year: int, today) -> tuple[list[ReportedRow], dict, dict] | None:
    """For a report maker of a jurisdiction with others below it: each jurisdiction directly
    below with its latest version reported for the year (only reported ones: visible_to), the
    sum of the reported figures, and the same figures counted now for the user's jurisdiction
    (the dashboard's breakdown over the year, whose rows add up to the province's); None where
    nothing is below."""
    from . import figures

    if not annual.may_generate(user):
        return None
    root = user.department.jurisdiction
    children = list(Jurisdiction.objects.filter(parent=root).order_by("path"))
    if not children:
        return None
    latest: dict[int, AnnualReportFinal] = {}
    for final in (AnnualReportFinal.objects.visible_to(user)
                  .filter(year=year, state=AnnualReportFinal.State.SUBMITTED,
                          jurisdiction__parent=root)
                  .select_related("submitted_by").order_by("jurisdiction_id", "-version")):
        latest.setdefault(final.jurisdiction_id, final)
    side = figures.breakdown(annual.selection(user, root, year, today))
    live_rows = {r.key: r for r in side.rows} if side is not None else {}

    def live_of(row) -> dict:
        return {f: getattr(row, attr) for f, attr in LIVE.items()} if row is not None else {}

    rows = []
    for child in children:
        final = latest.get(child.pk)
        values = {f: _value(final.totals, f) for f, _ in UNIT_FIELDS} if final else {}
        rows.append(ReportedRow(child, final, values, live_of(live_rows.get(child.pk))))
    total = {f: sum((r.values[f] for r in rows if r.final), Decimal("0.00") if f in AMOUNTS
                    else 0) for f, _ in UNIT_FIELDS}
    live_total = live_of(side.total) if side is not None else {}
    return rows, total, live_total
