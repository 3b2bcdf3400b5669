"""The annual work report (SX 第四十条) rendered: its charts (the dashboard's server-side SVG,
oversight/charts.py, without links) and its PDF through the documents service (WeasyPrint with
the static-only fetcher, forms.css page and page numbers, compacted fonts)."""

from __future__ import annotations

from django.utils import timezone

from . import charts
from .annual import AnnualReport


def report_charts(report) -> dict:
    """The report's charts, the dashboard's SVG (oversight/charts.py), without links, and the
    rows the templates show as they are."""
    Item = charts.Item
    for row in report.clues.rows:
        row.counts = [row.outcomes[code] for code, _ in report.clues.outcome_labels]
    for row in report.fund_use:
        row.amount_text = f"{row.amount:,.2f}"
    return {
        "fund_use_total": {"count": sum(r.count for r in report.fund_use),
                           "amount": f"{sum(r.amount for r in report.fund_use):,.2f}"},
        "clue_totals": [report.clues.outcome_totals.get(code, 0) for code, _ in
                        report.clues.outcome_labels],
        "money_rows": [(label, f"{v:,.2f}") for (_, label), v in
                       zip(report.money.fields, report.money.total.values(), strict=True)],
        "clue_chart": charts.donut_chart(
            [Item(label, report.clues.outcome_totals.get(code, 0)) for code, label in
             report.clues.outcome_labels], title=f"{report.year}年线索筛查结果"),
        "trend_chart": charts.line_chart(
            ["一季", "二季", "三季", "四季"],
            [charts.Series("启动", [q.started for q in report.trend], [], "#2e7d32"),
             charts.Series("终止", [q.terminated for q in report.trend], [], "#c62828"),
             charts.Series("结案", [q.closed for q in report.trend], [], "#1565c0")],
            title=f"{report.year}年各季度案件启动、终止、结案"),
        "money_chart": charts.bar_chart(
            [Item(label.split("（")[0], float(v), text=f"{v:,.2f} 元") for (_, label), v in
             zip(report.money.fields, report.money.total.values(), strict=True)],
            title="赔偿资金合计", label_width=120, width=600),
    }


def pdf_bytes(report: AnnualReport, *, draft: bool, version: int | None = None) -> bytes:
    from documents.rendering import render_pdf

    return render_pdf("oversight/annual_pdf.html", {
        "report": report, "generated_at": timezone.localtime(), "draft": draft,
        "version": version, **report_charts(report)})
