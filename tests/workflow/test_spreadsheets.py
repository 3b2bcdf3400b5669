"""The shared .xlsx writer (workflow/spreadsheets.py) read back with openpyxl: typed columns,
the frozen header, widths, the auto-filter, and formula-like text kept as text (OWASP)."""

import zipfile
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from tests.xlsx import PAYLOADS, assert_literal_text
from workflow import spreadsheets
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


# --- the streaming writer itself: what its XML reads back as ------------------------------

def book_bytes(write) -> bytes:
    target = BytesIO()
    with Workbook(target) as book:
        write(book)
    return target.getvalue()


def test_chinese_special_and_control_characters_read_back_unchanged():
    texts = ["晋阳化工有限公司、太原某某厂", "A & B <c> \"d\" 'e'", " 前后有空格 ", "第一行\n第二行",
             "制表\t中间"]
    ws = written([[i, text, None, None, None] for i, text in enumerate(texts, start=1)])
    assert [ws.cell(row=r, column=2).value for r in range(2, 2 + len(texts))] == texts
    assert all(ws.cell(row=r, column=2).data_type == "s" for r in range(2, 2 + len(texts)))


def test_control_characters_are_written_as_excel_escapes():
    data = book_bytes(lambda book: book.table("清单", COLUMNS).add(
        [1, "a\x01b\rc _x0041_", None, None, None]))
    with zipfile.ZipFile(BytesIO(data)) as package:
        sheet = package.read("xl/worksheets/sheet1.xml").decode()
    # XML 1.0 cannot carry \x01, and a raw \r would be read back as \n: Excel's _xHHHH_
    # and a literal _xHHHH_ has its underscore escaped, so that Excel shows it as typed
    assert "a_x0001_b_x000D_c _x005F_x0041_" in sheet and "\x01" not in sheet and "\r" not in sheet


def test_number_kinds_and_values_of_other_types():
    from datetime import UTC, datetime

    moment = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
    ws = written([[7, 12345, moment, 0.1 + 0.2, True],
                  ["第二", 3.0, "不详", "待定", -4]])
    assert ws["A2"].value == 7 and ws["A2"].data_type == "n"
    assert ws["B2"].value == "12345" and ws["B2"].data_type == "s"  # a text column
    assert ws["C2"].value == moment.replace(tzinfo=None)  # the timezone dropped, as before
    assert ws["D2"].value == 0.3 and ws["D2"].number_format == "#,##0.00"
    assert ws["E2"].value == "True" and ws["E2"].data_type == "s"  # a bool is no count
    assert ws["A3"].value == "第二" and ws["A3"].data_type == "s"
    assert ws["C3"].value == "不详" and ws["D3"].value == "待定" and ws["E3"].value == -4
    assert ws["E3"].number_format == "#,##0" and ws["E3"].data_type == "n"


def test_a_number_excel_cannot_hold_is_refused():
    with pytest.raises(ValueError):
        book_bytes(lambda book: book.table("清单", COLUMNS).add(
            [1, "", None, float("nan"), None]))


def test_many_rows_across_the_flush_chunks_read_back_in_order():
    n = 2 * spreadsheets._FLUSH_EVERY + 37
    rows = [[i, f"线索{i}" if i % 3 else None, date(2026, 7, 1 + i % 28), Decimal(i) / 4, None]
            for i in range(1, n + 1)]

    def write(book):
        table = book.table("清单", COLUMNS, title_row="二〇二六年第三季度")
        for row in rows:
            table.add(row)

    data = book_bytes(write)
    for read_only in (False, True):  # read_only: openpyxl's streaming reader, by <dimension>
        ws = load_workbook(BytesIO(data), read_only=read_only)["清单"]
        got = list(ws.iter_rows(min_row=3, values_only=True))
        assert len(got) == n
        for (i, text, day, amount, count), values in zip(rows, got, strict=True):
            assert values[0] == i and values[1] == text and values[2].date() == day
            assert values[3] == float(amount) and values[4] is count is None
    ws = load_workbook(BytesIO(data))["清单"]
    assert ws.max_row == n + 2 and ws.max_column == 5
    assert ws.auto_filter.ref == f"A2:E{n + 2}" and ws.freeze_panes == "A3"
    assert ws.print_title_rows == "$2:$2" and ws["A1"].font.bold


def test_the_package_is_well_formed_xml_with_one_selected_sheet():
    from xml.etree import ElementTree

    def write(book):
        book.table("清单", COLUMNS).add([1, "=1", date(2026, 9, 1), 1, 1])
        book.sheet("汇总", [40, 12]).row(["合计", 1], ["text", COUNT], bold=True)

    with zipfile.ZipFile(BytesIO(book_bytes(write))) as package:
        assert package.testzip() is None
        names = package.namelist()
        assert {"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/styles.xml",
                "xl/_rels/workbook.xml.rels", "xl/worksheets/sheet1.xml",
                "xl/worksheets/sheet2.xml"} <= set(names)
        for name in names:  # a strict parser: what LibreOffice and Excel also need
            ElementTree.fromstring(package.read(name))
        types = package.read("[Content_Types].xml").decode()
        assert all(f"/xl/worksheets/sheet{i}.xml" in types for i in (1, 2))
        first = package.read("xl/worksheets/sheet1.xml").decode()
        second = package.read("xl/worksheets/sheet2.xml").decode()
    assert 'tabSelected="1"' in first and "tabSelected" not in second
    book = load_workbook(BytesIO(book_bytes(write)))
    assert book.sheetnames == ["清单", "汇总"]
    assert book["汇总"].column_dimensions["A"].width == 40 and book["汇总"]["A1"].font.bold


def test_a_failed_export_writes_nothing_and_bad_sheet_names_are_refused():
    target = BytesIO()
    with pytest.raises(RuntimeError), Workbook(target) as book:
        book.table("清单", COLUMNS).add([1, "a", None, None, None])
        raise RuntimeError
    assert target.getvalue() == b""
    with pytest.raises(ValueError), Workbook(BytesIO()) as book:
        book.sheet("清单/汇总")
    with pytest.raises(ValueError), Workbook(BytesIO()) as book:
        book.sheet("清单")
        book.sheet("清单")
