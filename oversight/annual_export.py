"""The annual work report (SX 第四十条) as Excel, through the shared writer
(workflow/spreadsheets.py: every text written as text, a formula-like one quote-prefixed)."""

from __future__ import annotations

from io import BytesIO

from django.utils import timezone

from workflow.spreadsheets import AMOUNT, COUNT, DATE, TEXT, Workbook

from .annual import AnnualReport


def rows(report: AnnualReport):
    """(values, kinds, bold) of the summary sheet, top to bottom: the same sections, in the
    same order, as the PDF."""
    T, C, A = TEXT, COUNT, AMOUNT
    yield [report.title], [T], True
    yield [f"统计期间：{report.sel.period.label}（{report.year}年1月1日至{report.year}年12月31日）"
           f"；范围：{report.jurisdiction.name}及下级"], [T], False
    yield [], [], False
    yield ["一、线索筛查"], [T], True
    yield ["开展筛查批次", report.rounds], [T, C], False
    for r in report.rounds_by_quarter:
        yield [f"　其中{r.label}", r.count], [T, C], False
    labels = report.clues.outcome_labels
    yield ["线索来源渠道", *[label for _, label in labels], "合计"], [T] * (len(labels) + 2), True
    for r in report.clues.rows:
        yield [r.label, *[r.outcomes[code] for code, _ in labels], r.total], \
            [T, *[C] * (len(labels) + 1)], False
    yield ["合计", *[report.clues.outcome_totals.get(code, 0) for code, _ in labels],
           report.clues.total], [T, *[C] * (len(labels) + 1)], True
    yield [], [], False
    yield ["二、案件办理"], [T], True
    yield ["启动索赔案件", report.started], [T, C], False
    for r in report.by_classification:
        yield [f"　其中{r.label}", r.count], [T, C], False
    yield ["终止索赔案件", report.terminated], [T, C], False
    yield ["结案案件", report.concluded], [T, C], False
    if report.terminations:
        yield ["终止案件", "终止日期", "终止理由"], [T, T, T], True
        for case, closed_at, reason in report.terminations:
            yield [case.number, timezone.localtime(closed_at).date(), reason], [T, DATE, T], False
    yield [], [], False
    yield ["三、磋商与司法"], [T], True
    yield ["签署赔偿协议", report.agreements], [T, C], False
    yield ["磋商不成", report.negotiations_failed], [T, C], False
    for r in report.failures:
        yield [f"　{r.label}", r.count], [T, C], False
    yield ["申请司法确认", report.confirmations_applied], [T, C], False
    yield ["司法确认", report.confirmations], [T, C], False
    yield ["不予司法确认", report.confirmations_refused], [T, C], False
    yield ["提起诉讼", report.litigations_filed], [T, C], False
    yield ["作出判决", report.litigations_judged], [T, C], False
    yield ["申请强制执行", report.enforcements_applied], [T, C], False
    yield ["执行终结", report.enforcements_concluded], [T, C], False
    yield [], [], False
    yield ["四、赔偿资金（截至统计期末累计）"], [T], True
    for (_, label), value in zip(report.money.fields, report.money.total.values(),
                                    strict=True):
        yield [label, value], [T, A], False
    yield [], [], False
    yield ["本年度资金使用（已支付）", "笔数", "金额"], [T, T, T], True
    for r in report.fund_use:
        yield [r.label, r.count, r.amount], [T, C, A], False
    yield ["资金使用合计", sum(r.count for r in report.fund_use),
           sum((r.amount for r in report.fund_use), 0)], [T, C, A], True
    yield [], [], False
    if report.side is not None:
        yield ["各行政区情况", "登记线索", "启动案件", "在办案件", "索赔金额", "已缴纳", "欠缴"], \
            [T] * 7, True
        kinds = [T, C, C, C, A, A, A]
        for r in [*report.side.rows, report.side.total]:
            yield [r.label, r.clues, r.cases_opened, r.cases_active, r.claimed, r.paid,
                   r.outstanding], kinds, r is report.side.total
        yield [], [], False
    yield ["五、生态环境修复"], [T], True
    for _, label, n in report.restoration.by_state:
        yield [f"修复项目：{label}", n], [T, C], False
    yield ["修复项目合计", report.restoration.total], [T, C], False
    yield ["修复效果评估通过", report.restoration.assessments["passed"]], [T, C], False
    yield ["修复效果评估未通过", report.restoration.assessments["failed"]], [T, C], False
    yield [], [], False
    yield ["六、重大案件"], [T], True
    yield ["重大案件", report.majors.total], [T, C], False
    yield ["其中在办", report.majors.open], [T, C], False
    for case in report.majors.rows:
        yield [case.number, case.get_stage_display(), case.last_progress or "暂无调度记录"], \
            [T, T, T], False
    yield [], [], False
    yield ["七、工作情况综述"], [T], True
    yield [report.text.text if report.text and report.text.text else "（尚未填写）"], [T], False


def write(report: AnnualReport, target) -> None:
    with Workbook(target) as book:
        sheet = book.sheet("年度工作情况", widths=[40, 16, 40, 14, 14, 14, 12])
        for values, kinds, bold in rows(report):
            if not values:
                sheet.blank()
                continue
            sheet.row(values, kinds, bold=bold)


def workbook_bytes(report: AnnualReport) -> bytes:
    buffer = BytesIO()
    write(report, buffer)
    return buffer.getvalue()
