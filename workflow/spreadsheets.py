"""The one writer of every .xlsx the app produces (the quarterly screening list and its summary,
the half-year aggregation, the fund ledger, the major-case ledger): xlsxwriter in
`constant_memory` mode, so a sheet is streamed row by row to a temporary file and memory stays
flat whatever the row count (bench/screening_export.py).

A sheet is described by `Column`s (header, width in characters, kind): dates are real Excel
dates shown as 2026年9月1日, amounts `#,##0.00` under a header naming 元, counts `#,##0`; a table has its header row
frozen, repeated on every printed page, and an auto-filter over the rows written.

Formula injection (OWASP "CSV injection"): every text is written with `write_string`, never
`write()`, which would turn `=HYPERLINK(…)` into a live formula; a text beginning with
`= + - @`, a tab or a carriage return is also given Excel's quote prefix (the `'` of a typed
text), so that editing the cell in Excel keeps it text. The value itself is left as it was.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import xlsxwriter

TEXT, DATE, AMOUNT, COUNT, NUMBER = "text", "date", "amount", "count", "number"

DATE_FORMAT = 'yyyy"年"m"月"d"日"'  # what a zh-CN Excel shows as 2026年9月1日
AMOUNT_FORMAT = '#,##0.00'  # the header carries the unit: 金额（元） (docs/formatting.md)
COUNT_FORMAT = "#,##0"
HEADER_FILL = "#E2EFDA"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PIXELS_PER_CHARACTER = 7  # Calibri 11: a width of 48 characters is stored as 48
_EXCEL_EPOCH = date(1899, 12, 30).toordinal()  # serial 0 (1900 date system)
_FIRST_PLAIN_SERIAL = date(1900, 3, 1)  # from here on, no 1900-02-29 quirk


def is_formula_like(text: str) -> bool:
    """Text that Excel (or a CSV reader) would take for a formula (the OWASP rule)."""
    return text.startswith(FORMULA_TRIGGERS)


def _unchecked(worksheet, method: str):
    """xlsxwriter's write_string/number/datetime without the per-cell decorator that accepts
    "A1" notation (the methods its own write_row calls; xlsxwriter is pinned); the public
    method where a version lacks them."""
    return getattr(worksheet, f"_{method}", None) or getattr(worksheet, method)


@dataclass(frozen=True)
class Column:
    header: str
    width: float = 12
    kind: str = TEXT  # TEXT, DATE, AMOUNT, COUNT (#,##0) or NUMBER (no format)


class Workbook:
    """An .xlsx written to `target` (a path or a seekable binary file) on close().

        with Workbook(target) as book:
            table = book.table("清单", columns)
            for values in rows:
                table.add(values)
    """

    def __init__(self, target):
        self._book = xlsxwriter.Workbook(target, {
            "constant_memory": True,
            # never guess a type from a text: write() is not used, but be explicit
            "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
            "remove_timezone": True,
        })
        self._formats: dict = {}
        self._tables: list[Table] = []

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, kind, exc, tb) -> None:
        if kind is None:
            self.close()
            return
        # still remove the sheets' temporary files; the first error is the one raised
        with contextlib.suppress(Exception):
            self.close()

    def close(self) -> None:
        for table in self._tables:
            if not table.finished:
                table.finish()
        self._book.close()

    def format(self, kind: str = TEXT, *, bold: bool = False, quoted: bool = False,
               header: bool = False):
        """The cell format of a kind (None where Excel's default does)."""
        key = (kind, bold, quoted, header)
        if key not in self._formats:
            spec = {}
            if kind == DATE:
                spec["num_format"] = DATE_FORMAT
            elif kind == AMOUNT:
                spec["num_format"] = AMOUNT_FORMAT
            elif kind == COUNT:
                spec["num_format"] = COUNT_FORMAT
            if bold or header:
                spec["bold"] = True
            if quoted:
                spec["quote_prefix"] = True
            if header:
                spec.update(bg_color=HEADER_FILL, pattern=1, align="center", valign="vcenter",
                            text_wrap=True)
            self._formats[key] = self._book.add_format(spec) if spec else None
        return self._formats[key]

    def sheet(self, title: str, widths: Sequence[float] = ()) -> Sheet:
        return Sheet(self, self._book.add_worksheet(title), widths)

    def table(self, title: str, columns: Sequence[Column], *, title_row: str | None = None
              ) -> Table:
        """A sheet with one header row (below an optional bold title row) and typed columns."""
        table = Table(self, self._book.add_worksheet(title), columns, title_row)
        self._tables.append(table)
        return table


class Sheet:
    """Rows written top to bottom (constant_memory: a row cannot be gone back to)."""

    def __init__(self, book: Workbook, worksheet, widths: Sequence[float] = ()):
        self.book, self.ws, self.next_row = book, worksheet, 0
        for i, width in enumerate(widths):
            # by pixels, so that the file stores exactly `width` characters (as openpyxl did)
            worksheet.set_column_pixels(i, i, round(width * _PIXELS_PER_CHARACTER))
        self._writers: dict = {}

    def writer(self, kind: str, bold: bool = False) -> Callable[[int, int, object], object]:
        """write(row, col, value) for a value of `kind`; None and "" leave the cell empty."""
        key = (kind, bold)
        if key in self._writers:
            return self._writers[key]
        ws, book = self.ws, self.book
        fmt = book.format(kind, bold=bold)
        if kind == TEXT:
            quoted = book.format(TEXT, bold=bold, quoted=True)
            write_string = _unchecked(ws, "write_string")

            def write(row, col, value):
                if not isinstance(value, str):
                    value = str(value)
                # a formula-like text stays text (OWASP): write_string, with the quote prefix
                write_string(row, col, value, quoted if value.startswith(FORMULA_TRIGGERS)
                             else fmt)
        elif kind == DATE:
            write_datetime = _unchecked(ws, "write_datetime")
            write_serial = _unchecked(ws, "write_number")

            def write(row, col, value):
                if type(value) is date and value >= _FIRST_PLAIN_SERIAL:
                    # what write_datetime stores, computed without its conversions
                    write_serial(row, col, value.toordinal() - _EXCEL_EPOCH, fmt)
                elif isinstance(value, (date, datetime)):
                    write_datetime(row, col, value, fmt)
                else:
                    self.writer(TEXT, bold)(row, col, value)
        else:
            write_number = _unchecked(ws, "write_number")

            def write(row, col, value):
                if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
                    write_number(row, col, value if isinstance(value, int | float) else
                                 float(value), fmt)
                else:
                    self.writer(TEXT, bold)(row, col, value)
        self._writers[key] = write
        return write

    def row(self, values: Iterable, kinds: Sequence[str] | None = None, *, bold: bool = False,
            header: bool = False) -> int:
        """Write one row (kinds default to text); returns its 0-based index."""
        row = self.next_row
        self.next_row += 1
        if header:
            for col, value in enumerate(map(str, values)):
                self.ws.write_string(row, col, value, self.book.format(
                    TEXT, header=True, quoted=is_formula_like(value)))
            return row
        for col, value in enumerate(values):
            if value is None or value == "":
                continue
            self.writer(kinds[col] if kinds else TEXT, bold)(row, col, value)
        return row

    def blank(self) -> None:
        self.next_row += 1


class Table(Sheet):
    """A list: typed columns, header frozen and repeated on print, auto-filter on close."""

    def __init__(self, book: Workbook, worksheet, columns: Sequence[Column],
                 title_row: str | None = None):
        super().__init__(book, worksheet, [c.width for c in columns])
        self.columns = list(columns)
        self.kinds = [c.kind for c in self.columns]
        if title_row is not None:
            self.row([title_row], bold=True)
        self.header_row = self.next_row
        self.row([c.header for c in self.columns], header=True)
        worksheet.freeze_panes(self.next_row, 0)
        worksheet.repeat_rows(self.header_row)
        self._row_writers = [self.writer(kind) for kind in self.kinds]
        self.data_rows = 0
        self.finished = False

    def add(self, values: Sequence) -> None:
        """One data row, values in column order (the hot path: no per-cell lookups)."""
        row = self.next_row
        self.next_row += 1
        self.data_rows += 1
        for col, (write, value) in enumerate(zip(self._row_writers, values, strict=True)):
            if value is not None and value != "":
                write(row, col, value)

    def total(self, values: Sequence) -> None:
        """A bold totals row (not counted in the auto-filter's data range)."""
        self.finish()
        self.row(values, self.kinds, bold=True)

    def finish(self) -> None:
        """The auto-filter over the header and the data rows written so far."""
        self.finished = True
        self.ws.autofilter(self.header_row, 0, self.header_row + self.data_rows,
                           len(self.columns) - 1)
