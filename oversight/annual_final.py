"""The final version of the annual work report (SX 第四十条): the coordinator submits the
report of a jurisdiction and year as it stands; its PDF (documents service) and Excel are
rendered once and archived as workflow Attachments of an AnnualReportFinal, which the
部门负责人 approves through the one approval mechanism (workflow.approvals, action
"annual_report_final"). What the head approves is what is archived: the files never change."""

from __future__ import annotations

import hashlib
import re
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
