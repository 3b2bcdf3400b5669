"""The one writer of every .xlsx the app produces (the quarterly screening list and its summary,
the half-year aggregation, the fund ledger, the major-case ledger, the case list): a small
streaming writer of our own. Each sheet's rows are assembled as XML in bulk (one string per row,
flushed to a temporary file every few hundred rows), then zipped with the workbook's parts on
close, so memory stays flat whatever the row count. xlsxwriter, which wrote them before, spent
about 9 µs a cell on its per-cell bookkeeping (1.4 million cells for the 100,000-clue screening
list: bench/screening_export.py); the XML written here is what xlsxwriter's `constant_memory`
mode wrote (inline strings, the same escapes, styles and defined names).

A sheet is described by `Column`s (header, width in characters, kind): dates are real Excel
dates shown as 2026年9月1日, amounts `#,##0.00` under a header naming 元, counts `#,##0`; a table
has its header row frozen, repeated on every printed page, and an auto-filter over the rows
written.

Formula injection (OWASP "CSV injection"): every text is written as a string cell, never a
formula; a text beginning with `= + - @`, a tab or a carriage return is also given Excel's quote
prefix (the `'` of a typed text), so that editing the cell in Excel keeps it text. The value
itself is left as it was.
"""

from __future__ import annotations

import math
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

TEXT, DATE, AMOUNT, COUNT, NUMBER = "text", "date", "amount", "count", "number"

DATE_FORMAT = 'yyyy"年"m"月"d"日"'  # what a zh-CN Excel shows as 2026年9月1日
AMOUNT_FORMAT = '#,##0.00'  # the header carries the unit: 金额（元） (docs/formatting.md)
COUNT_FORMAT = "#,##0"
HEADER_FILL = "E2EFDA"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_FORMATS = {DATE: DATE_FORMAT, AMOUNT: AMOUNT_FORMAT, COUNT: COUNT_FORMAT}
_EXCEL_EPOCH = date(1899, 12, 30).toordinal()  # serial 0 from 1900-03-01 on (1900 date system)
_FIRST_PLAIN_SERIAL = date(1900, 3, 1)  # before it, Excel's phantom 1900-02-29 shifts by one
_FLUSH_EVERY = 500  # rows assembled before they are written to the sheet's temporary file
COMPRESS_LEVEL = 1  # zlib 6: the screening list 22% smaller for 45% more CPU in the writer
_MAX_TITLE = 31

# what needs escaping in a text: XML's & < >, the control characters XML cannot carry (Excel's
# _xHHHH_), a literal _xHHHH_ (its underscore escaped), and the two non-characters
_NEEDS_ESCAPE = re.compile("[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_LITERAL_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")
# a text needing more than the plain inline string: formula-like, blank at either end, escapes
_NOT_PLAIN = re.compile(r"^[=+\-@\s]|\s\Z|" + _NEEDS_ESCAPE.pattern)
_CACHE_LIMIT = 2048  # cell bodies kept per column kind
_CONTROL = re.compile("([\x00-\x08\x0b-\x1f])")
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")

_NS = ('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def is_formula_like(text: str) -> bool:
    """Text that Excel (or a CSV reader) would take for a formula (the OWASP rule)."""
    return text.startswith(FORMULA_TRIGGERS)


def _escape(text: str) -> str:
    """A text as XML character data, control characters as Excel's _xHHHH_."""
    text = _LITERAL_ESCAPE.sub(r"_x005F\1", text)
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_", text)
    text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attribute(text: str) -> str:
    return (text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
            .replace(">", "&gt;"))


def column_letter(index: int) -> str:
    """A (0) … Z, AA …"""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def serial(value: date | datetime) -> float | int:
    """Excel's serial of a date or a (naive, or its timezone dropped) datetime."""
    if type(value) is date:
        days = value.toordinal() - _EXCEL_EPOCH
        return days if value >= _FIRST_PLAIN_SERIAL else days - 1
    days = value.toordinal() - _EXCEL_EPOCH
    if value.date() < _FIRST_PLAIN_SERIAL:
        days -= 1
    seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
    return days + seconds / 86400 if seconds else days


def _number(value) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"Excel cannot hold the number {value}")
    return f"{value:.16G}"


@dataclass(frozen=True)
class Column:
    header: str
    width: float = 12
    kind: str = TEXT  # TEXT, DATE, AMOUNT, COUNT (#,##0) or NUMBER (no format)


class _Styles:
    """The cell formats used, numbered as they are first asked for (the XML's `s`)."""

    def __init__(self):
        self._ids: dict[tuple, int] = {(TEXT, False, False, False): 0}

    def __call__(self, kind: str = TEXT, *, bold: bool = False, quoted: bool = False,
                 header: bool = False) -> str:
        """The ` s="n"` attribute of a cell of that kind ("" for the default format)."""
        key = (kind if kind in _NUMBER_FORMATS else TEXT, bold or header, quoted, header)
        index = self._ids.setdefault(key, len(self._ids))
        return f' s="{index}"' if index else ""

    def xml(self) -> str:
        formats = {code: 164 + i for i, code in enumerate(_NUMBER_FORMATS.values())}
        xfs = []
        for kind, bold, quoted, header in self._ids:
            code = formats.get(_NUMBER_FORMATS.get(kind), 0)
            attrs = (f'numFmtId="{code}" fontId="{int(bold)}" fillId="{2 if header else 0}" '
                     'borderId="0" xfId="0"')
            attrs += ' quotePrefix="1"' if quoted else ""
            attrs += ' applyNumberFormat="1"' if code else ""
            attrs += ' applyFont="1"' if bold else ""
            if header:
                xfs.append(f'<xf {attrs} applyFill="1" applyAlignment="1"><alignment '
                           'horizontal="center" vertical="center" wrapText="1"/></xf>')
            else:
                xfs.append(f"<xf {attrs}/>")
        font = '<sz val="11"/><name val="Calibri"/><family val="2"/><scheme val="minor"/>'
        number_formats = "".join(f'<numFmt numFmtId="{n}" formatCode="{_attribute(code)}"/>'
                                 for code, n in formats.items())
        return (
            f'{_XML}<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
            f'main"><numFmts count="{len(formats)}">{number_formats}</numFmts>'
            f'<fonts count="2"><font>{font}</font><font><b/>{font}</font></fonts>'
            '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill '
            'patternType="gray125"/></fill><fill><patternFill patternType="solid"><fgColor '
            f'rgb="FF{HEADER_FILL}"/><bgColor indexed="64"/></patternFill></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
            '</borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
            f'borderId="0"/></cellStyleXfs><cellXfs count="{len(xfs)}">{"".join(xfs)}'
            '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
            '</cellStyles><dxfs count="0"/><tableStyles count="0"/></styleSheet>')


class Workbook:
    """An .xlsx written to `target` (a path or a seekable binary file) on close().

        with Workbook(target) as book:
            table = book.table("清单", columns)
            for values in rows:
                table.add(values)
    """

    def __init__(self, target):
        self._target = target
        self.style = _Styles()
        self._sheets: list[Sheet] = []
        self.closed = False

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, kind, exc, tb) -> None:
        if kind is None:
            self.close()
        else:  # nothing written; the sheets' temporary files removed
            self._discard()

    def _discard(self) -> None:
        self.closed = True
        for sheet in self._sheets:
            sheet.discard()

    def _add(self, sheet: Sheet) -> None:
        title = sheet.title
        if (not title or len(title) > _MAX_TITLE or _BAD_TITLE.search(title)
                or title.startswith("'") or title.endswith("'")):
            raise ValueError(f"invalid sheet name: {title!r}")
        if any(s.title.lower() == title.lower() for s in self._sheets):
            raise ValueError(f"duplicate sheet name: {title!r}")
        self._sheets.append(sheet)

    def sheet(self, title: str, widths: Sequence[float] = ()) -> Sheet:
        sheet = Sheet(self, title, widths)
        self._add(sheet)
        return sheet

    def table(self, title: str, columns: Sequence[Column], *, title_row: str | None = None
              ) -> Table:
        """A sheet with one header row (below an optional bold title row) and typed columns."""
        table = Table(self, title, columns, title_row)
        self._add(table)
        return table

    def close(self) -> None:
        if self.closed:
            return
        try:
            with zipfile.ZipFile(self._target, "w", zipfile.ZIP_DEFLATED,
                                 compresslevel=COMPRESS_LEVEL) as package:
                self._write(package)
        finally:
            self._discard()

    def _write(self, package: zipfile.ZipFile) -> None:
        sheets = self._sheets
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            f'ContentType="{_CT}.worksheet+xml"/>' for i in range(1, len(sheets) + 1))
        package.writestr("[Content_Types].xml", (
            f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/>'
            f'{overrides}</Types>'))
        package.writestr("_rels/.rels", (
            f'{_XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'relationships"><Relationship Id="rId1" Type="{_REL}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'))
        rels = "".join(f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" '
                       f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(sheets) + 1))
        package.writestr("xl/_rels/workbook.xml.rels", (
            f'{_XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'relationships">{rels}<Relationship Id="rId{len(sheets) + 1}" Type="{_REL}/styles" '
            'Target="styles.xml"/></Relationships>'))
        names = "".join(sheet.defined_names(i) for i, sheet in enumerate(sheets))
        package.writestr("xl/workbook.xml", (
            f'{_XML}<workbook {_NS}><workbookPr/><bookViews><workbookView/></bookViews><sheets>'
            + "".join(f'<sheet name="{_attribute(s.title)}" sheetId="{i}" r:id="rId{i}"/>'
                      for i, s in enumerate(sheets, start=1))
            + "</sheets>" + (f"<definedNames>{names}</definedNames>" if names else "")
            + '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'))
        package.writestr("xl/styles.xml", self.style.xml())
        for i, sheet in enumerate(sheets, start=1):
            sheet.save(package, f"xl/worksheets/sheet{i}.xml", selected=i == 1)


class Sheet:
    """Rows written top to bottom (streamed: a row cannot be gone back to)."""

    def __init__(self, book: Workbook, title: str, widths: Sequence[float] = ()):
        self.book, self.title, self.next_row = book, title, 0
        self.widths = list(widths)
        self.frozen_rows = 0
        self.repeated_row: int | None = None
        self.filter_range: tuple[int, int, int, int] | None = None
        self._rows: list[str] = []
        self._file = tempfile.TemporaryFile()
        self._last_row = self._last_col = -1
        self._writers: dict = {}

    # -- cells ------------------------------------------------------------------------------

    def text_cell(self, bold: bool = False) -> Callable[[object], str]:
        """body(value) -> a string cell's XML after its reference (`<c r="B2"` + body)."""
        key = (TEXT, bold)
        if key in self._writers:
            return self._writers[key]
        style = self.book.style(TEXT, bold=bold)
        quoted = self.book.style(TEXT, bold=bold, quoted=True)
        slow = _NOT_PLAIN.search
        cache: dict[str, str] = {}  # channel, department, labels: the same few texts again

        def body(value):
            key = text = value if type(value) is str else str(value)
            out = cache.get(key)
            if out is not None:
                return out
            if not text:
                out = f"{style}/>"
            elif not slow(text):
                out = f'{style} t="inlineStr"><is><t>{text}</t></is></c>'
            else:
                s = quoted if text.startswith(FORMULA_TRIGGERS) else style
                if _NEEDS_ESCAPE.search(text):
                    text = _escape(text)
                space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() \
                    else ""
                out = f'{s} t="inlineStr"><is><t{space}>{text}</t></is></c>'
            if len(cache) < _CACHE_LIMIT:
                cache[key] = out
            return out

        self._writers[key] = body
        return body

    def cell_writer(self, kind: str, bold: bool = False) -> Callable[[object], str]:
        """body(value) -> the XML of a cell of `kind` holding a non-empty value, after its
        reference; a value of another type is written as text."""
        if kind not in (DATE, AMOUNT, COUNT, NUMBER):
            return self.text_cell(bold)
        key = (kind, bold)
        if key in self._writers:
            return self._writers[key]
        style = self.book.style(kind, bold=bold)
        text = self.text_cell(bold)
        if kind == DATE:
            days: dict[date, str] = {}

            def body(value):
                if type(value) is date:
                    out = days.get(value)
                    if out is None:
                        out = f"{style}><v>{serial(value)}</v></c>"
                        if len(days) < _CACHE_LIMIT:
                            days[value] = out
                    return out
                if isinstance(value, datetime):
                    if value.tzinfo is not None:  # as xlsxwriter's remove_timezone did
                        value = value.replace(tzinfo=None)
                    return f"{style}><v>{_number(serial(value))}</v></c>"
                return text(value)
        else:
            def body(value):
                if type(value) is int:
                    return f"{style}><v>{value}</v></c>"
                if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
                    return f"{style}><v>{_number(float(value))}</v></c>"
                return text(value)
        self._writers[key] = body
        return body

    def _append(self, row: int, cells: list[str], last_col: int) -> None:
        if cells:
            self._rows.append(f'<row r="{row + 1}">{"".join(cells)}</row>')
            self._last_row = row
            if last_col > self._last_col:
                self._last_col = last_col
            if len(self._rows) >= _FLUSH_EVERY:
                self._flush()

    def _flush(self) -> None:
        if self._rows:
            self._file.write("".join(self._rows).encode())
            self._rows = []

    def row(self, values: Iterable, kinds: Sequence[str] | None = None, *, bold: bool = False,
            header: bool = False) -> int:
        """Write one row (kinds default to text); returns its 0-based index."""
        row = self.next_row
        self.next_row += 1
        number = row + 1
        cells, last = [], -1
        for col, value in enumerate(values):
            ref = f"{column_letter(col)}{number}"
            if header:
                value = str(value)
                style = self.book.style(TEXT, header=True, quoted=is_formula_like(value))
                cells.append(_header_cell(ref, value, style))
            elif value is None or value == "":
                continue
            else:
                cells.append(f'<c r="{ref}"'
                             + self.cell_writer(kinds[col] if kinds else TEXT, bold)(value))
            last = col
        self._append(row, cells, last)
        return row

    def blank(self) -> None:
        self.next_row += 1

    # -- the sheet's XML ----------------------------------------------------------------------

    def defined_names(self, index: int) -> str:
        quoted = self.title if re.fullmatch(r"\w+", self.title) else \
            "'" + self.title.replace("'", "''") + "'"
        names = ""
        if self.filter_range is not None:
            first_row, first_col, last_row, last_col = self.filter_range
            names += (f'<definedName name="_xlnm._FilterDatabase" localSheetId="{index}" '
                      f'hidden="1">{_attribute(quoted)}!${column_letter(first_col)}${first_row + 1}'
                      f':${column_letter(last_col)}${last_row + 1}</definedName>')
        if self.repeated_row is not None:
            n = self.repeated_row + 1
            names += (f'<definedName name="_xlnm.Print_Titles" localSheetId="{index}">'
                      f'{_attribute(quoted)}!${n}:${n}</definedName>')
        return names

    def save(self, package: zipfile.ZipFile, name: str, *, selected: bool) -> None:
        self._flush()
        if self._last_row < 0:
            dimension = "A1"
        else:
            dimension = f"A1:{column_letter(self._last_col)}{self._last_row + 1}"
        view = '<sheetView tabSelected="1" workbookViewId="0"' if selected else \
            '<sheetView workbookViewId="0"'
        if self.frozen_rows:
            top = f"A{self.frozen_rows + 1}"
            view += (f'><pane ySplit="{self.frozen_rows}" topLeftCell="{top}" '
                     'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" '
                     f'activeCell="{top}" sqref="{top}"/></sheetView>')
        else:
            view += "/>"
        cols = "".join(f'<col min="{i}" max="{i}" width="{width:g}" customWidth="1"/>'
                       for i, width in enumerate(self.widths, start=1))
        head = (f'{_XML}<worksheet {_NS}><dimension ref="{dimension}"/><sheetViews>{view}'
                '</sheetViews><sheetFormatPr defaultRowHeight="15"/>'
                + (f"<cols>{cols}</cols>" if cols else "") + "<sheetData>")
        tail = "</sheetData>"
        if self.filter_range is not None:
            first_row, first_col, last_row, last_col = self.filter_range
            tail += (f'<autoFilter ref="{column_letter(first_col)}{first_row + 1}:'
                     f'{column_letter(last_col)}{last_row + 1}"/>')
        tail += ('<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
                 'footer="0.3"/></worksheet>')
        size = self._file.tell()
        self._file.seek(0)
        with package.open(name, "w", force_zip64=size > 2**30) as part:
            part.write(head.encode())
            shutil.copyfileobj(self._file, part, 1 << 20)
            part.write(tail.encode())
        self.discard()

    def discard(self) -> None:
        self._rows = []
        if not self._file.closed:
            self._file.close()


def _header_cell(ref: str, value: str, style: str) -> str:
    if value == "":
        return f'<c r="{ref}"{style}/>'
    if _NEEDS_ESCAPE.search(value):
        value = _escape(value)
    space = ' xml:space="preserve"' if value[0].isspace() or value[-1].isspace() else ""
    return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{value}</t></is></c>'


class Table(Sheet):
    """A list: typed columns, header frozen and repeated on print, auto-filter on close."""

    def __init__(self, book: Workbook, title: str, columns: Sequence[Column],
                 title_row: str | None = None):
        super().__init__(book, title, [c.width for c in columns])
        self.columns = list(columns)
        self.kinds = [c.kind for c in self.columns]
        if title_row is not None:
            self.row([title_row], bold=True)
        self.header_row = self.next_row
        self.row([c.header for c in self.columns], header=True)
        self.frozen_rows = self.next_row
        self.repeated_row = self.header_row
        self._bodies = [(column_letter(i), self.cell_writer(kind))
                       for i, kind in enumerate(self.kinds)]
        self.data_rows = 0
        self.finished = False

    def add(self, values: Sequence) -> None:
        """One data row, values in column order (the hot path: one string per row)."""
        row = self.next_row
        self.next_row += 1
        self.data_rows += 1
        number = str(row + 1)
        cells, last = [], -1
        for col, ((letter, body), value) in enumerate(zip(self._bodies, values, strict=True)):
            if value is not None and value != "":
                cells.append(f'<c r="{letter}{number}"{body(value)}')
                last = col
        self._append(row, cells, last)

    def total(self, values: Sequence) -> None:
        """A bold totals row (not counted in the auto-filter's data range)."""
        self.finish()
        self.row(values, self.kinds, bold=True)

    def finish(self) -> None:
        """The auto-filter over the header and the data rows written so far."""
        self.finished = True
        self.filter_range = (self.header_row, 0, self.header_row + self.data_rows,
                             len(self.columns) - 1)

    def save(self, package, name, *, selected):
        if not self.finished:
            self.finish()
        super().save(package, name, selected=selected)
