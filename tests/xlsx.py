"""Reading back what the app exports: every text that looks like a formula must come back as
the literal text in a string cell (OWASP "CSV injection"; issue 14.1)."""

HYPERLINK = '=HYPERLINK("http://x","y")'
CMD = "=cmd|' /C calc'!A0"
PAYLOADS = (HYPERLINK, CMD, "+1+1", "@SUM(1)", "-2+3", "\t=1")


def assert_literal_text(cell, text: str) -> None:
    """The cell holds `text` as a string, never a formula, with Excel's quote prefix so that
    editing it keeps it text."""
    assert cell.data_type == "s", (cell.coordinate, cell.data_type, cell.value)
    assert cell.value == text, (cell.coordinate, cell.value)
    assert cell.quotePrefix, cell.coordinate


def cells_by_header(sheet, header_row: int = 1) -> list[dict]:
    """The data rows of a table sheet as {header: cell}."""
    headers = [c.value for c in sheet[header_row]]
    return [dict(zip(headers, row, strict=False))
            for row in sheet.iter_rows(min_row=header_row + 1)]
