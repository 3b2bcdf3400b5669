"""The case list as an Excel file (issue 15): the rows the list shows with the same filters
and order, written by the shared writer (workflow/spreadsheets.py: typed columns, formula-like
texts kept as text), in the request like the major-case ledger's export.

The screening exports' background job (screening.models.ReportExport) is the quarterly
clue list's own (year, quarter, scope); a case list bigger than ECOCLAIM_CASE_EXPORT_MAX_ROWS
is refused with a message asking to narrow the filters rather than built in a request."""

import tempfile

from django.conf import settings
from django.http import FileResponse

from workflow import spreadsheets
from workflow.spreadsheets import AMOUNT, DATE, NUMBER, Column

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

COLUMNS = [
    Column("序号", 6, NUMBER),
    Column("案件编号", 20),
    Column("赔偿权利人", 18),
    Column("办案部门", 20),
    Column("案由", 36),
    Column("案情简介及启动索赔理由", 48),
    Column("赔偿义务人", 30),
    Column("损害类型", 12),
    Column("案件类别", 10),
    Column("阶段", 12),
    Column("估算损害数额（元）", 16, AMOUNT),
    Column("鉴定评估损害数额（元）", 16, AMOUNT),
    Column("启动日期", 14, DATE),
    Column("经办人", 10),
]


class CaseListTooLarge(Exception):
    """More rows than one request may write; the message is for the user."""


def max_rows() -> int:
    return getattr(settings, "ECOCLAIM_CASE_EXPORT_MAX_ROWS", 50_000)


def case_row(index: int, case) -> list:
    obligors = "、".join(link.party.name for link in case.obligor_links.all())
    return [index, case.number, case.jurisdiction.name, case.department.name, case.cause,
            case.summary, obligors, case.get_damage_type_display(),
            case.get_classification_display(), case.get_stage_display(),
            case.estimated_amount, case.appraised_amount, case.opened_on,
            case.created_by.get_full_name()]


def write_case_list(queryset, target, *, order=("-opened_on", "-id")) -> int:
    """Write the cases of `queryset` (already scoped and filtered) to `target`; the number of
    cases written."""
    rows = (queryset.select_related("jurisdiction", "department", "created_by")
            .prefetch_related("obligor_links__party").order_by(*order)
            .iterator(chunk_size=500))
    with spreadsheets.Workbook(target) as book:
        table = book.table("案件清单", COLUMNS)
        for index, case in enumerate(rows, start=1):
            table.add(case_row(index, case))
    return table.data_rows


def case_list_file(queryset, sorting):
    """The list as an .xlsx in a rewound temporary file; CaseListTooLarge past max_rows()."""
    limit = max_rows()
    if queryset.order_by()[: limit + 1].count() > limit:
        raise CaseListTooLarge(f"符合条件的案件超过{limit:,}件，请缩小筛选范围后再导出。")
    sign = "-" if sorting.descending else ""
    handle = tempfile.TemporaryFile()
    write_case_list(queryset, handle, order=(f"{sign}{sorting.key}", f"{sign}id"))
    handle.seek(0)
    return handle


def xlsx_response(handle, filename: str) -> FileResponse:
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
