"""What the 部门负责人 sees of an annual report's final version (issue 17): its year, version,
main figures and files."""

from django.urls import reverse

from workflow.approval_subjects import EvidenceItem, SubjectSummary, register_subject
from workflow.formatting import readable

from .models import AnnualReportFinal


@register_subject(AnnualReportFinal)
def annual_report_summary(report: AnnualReportFinal, request):
    files = [EvidenceItem(title=label, url=reverse("workflow:download_attachment", args=[pk]))
             for label, pk in (("PDF文件", report.pdf_id), ("Excel文件", report.xlsx_id)) if pk]
    return SubjectSummary(
        facts=[("年度", f"{report.year}年"), ("版本", f"第{report.version}版"),
               ("报送部门", str(report.department)), ("主要数据", readable(report.totals))],
        evidence=files,
    )
