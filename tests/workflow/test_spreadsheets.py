"""The shared .xlsx writer (workflow/spreadsheets.py) read back with openpyxl: typed columns,
the frozen header, widths, the auto-filter, and formula-like text kept as text (OWASP)."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from tests.xlsx import PAYLOADS, assert_literal_text
from workflow.spreadsheets import AMOUNT, COUNT, DATE, NUMBER, Column, Workbook, is_formula_like

COLUMNS = [Column("序号", 6, NUMBER), Column("概要", 48), Column("日期", 14, DATE),
           Column("金额", 16, AMOUNT), Column("件数", 8, COUNT)]


def written(rows, total=None):
    target = BytesIO()
    with Workbook(target) as book:
        table = book.table("清单", COLUMNS)
        for row in rows:
            table.add(row)
        if total is not None:
            table.total(total)
    return load_workbook(BytesIO(target.getvalue()))["清单"]


def test_formula_like_text_is_written_as_literal_text():
    ws = written([[i, text, None, None, None] for i, text in enumerate(PAYLOADS, start=1)])
    for i, text in enumerate(PAYLOADS, start=2):
        assert_literal_text(ws.cell(row=i, column=2), text)


@pytest.mark.parametrize("text", ["晋阳化工有限公司", "1+1", "a=b", " =1", "＝1", "-"])
def test_only_the_owasp_first_characters_count(text):
    assert is_formula_like(text) == (text == "-")
    cell = written([[1, text, None, None, None]]).cell(row=2, column=2)
    assert cell.data_type == "s" and cell.value == text
    assert bool(cell.quotePrefix) == (text == "-")


def test_numbers_and_dates_stay_typed_and_a_number_like_text_stays_text():
    ws = written([[1, "00123", date(2026, 9, 1), Decimal("2800.50"), 3]],
                 total=["合计", None, None, Decimal("2800.50"), 3])
    number, text, day, amount, count = ws[2]
    assert number.value == 1 and number.data_type == "n"
    assert text.value == "00123" and text.data_type == "s"
    assert day.value.date() == date(2026, 9, 1) and day.number_format == 'yyyy"年"m"月"d"日"'
    assert amount.value == 2800.5 and amount.number_format == '#,##0.00'
    assert count.value == 3 and count.number_format == "#,##0"
    assert ws["A3"].value == "合计" and ws["A3"].font.bold and ws["D3"].font.bold
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:E2"  # the total left out
    assert ws.column_dimensions["B"].width == 48
    assert ws["A1"].font.bold and ws["A1"].fill.fgColor.rgb.endswith("E2EFDA")
    assert ws.print_title_rows == "$1:$1"


def test_empty_values_leave_the_cell_empty():
    ws = written([[1, "", None, None, None]])
    assert [c.value for c in ws[2]] == [1, None, None, None, None]


def test_the_library_path_escapes_formulae_too():
    # a remaining django-import-export export (admin, Resource.export) strips the leading "="
    import tablib
    from import_export.formats.base_formats import XLSX

    data = XLSX().export_data(tablib.Dataset(["=HYPERLINK(\"http://x\",\"y\")"],
                                             headers=["概要"]))
    cell = load_workbook(BytesIO(data)).active["A2"]
    assert cell.data_type == "s" and cell.value == 'HYPERLINK("http://x","y")'


def test_dates_are_the_serials_excel_expects():
    from datetime import datetime, time

    days = (date(1900, 3, 1), date(2026, 9, 1), date(2026, 12, 31))
    moment = datetime.combine(date(2026, 9, 1), time(8, 30))  # naive, as Excel stores it
    ws = written([[1, "", day, None, None] for day in (*days, moment)])
    cells = [ws.cell(row=r, column=3) for r in range(2, 6)]
    assert all(c.is_date for c in cells)
    assert [c.value.date() for c in cells[:3]] == list(days)
    assert cells[0].value.time() == time(0) and cells[3].value.time() == time(8, 30)
