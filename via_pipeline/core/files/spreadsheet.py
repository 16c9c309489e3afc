"""Writing untrusted text into spreadsheets without it ever running as a formula.

Partner files are untrusted; their text reaches feedback files and the letter's workbook. A cell
starting with = + - @ (or a tab/CR that some programs strip first) would run as a formula.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def csv_safe(value: object) -> object:
    """For CSV exports: text that a spreadsheet would run gets a leading apostrophe (OWASP advice)."""
    return f"'{value}" if is_formula_like(value) else value


# Control characters XML (and so XLSX) cannot hold; openpyxl raises on them.
ILLEGAL_XLSX_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def set_cell(cell: Any, value: object) -> None:
    """Put a value in an openpyxl cell; text is always stored as text, never as a formula.

    A control character a partner's file carried (ESC, BEL, ...) is written visibly as \\x1b:
    the workbook stays valid and the partner still sees where it was.
    """
    if isinstance(value, str):
        value = ILLEGAL_XLSX_CHARACTERS.sub(lambda found: f"\\x{ord(found.group()):02x}", value)
    cell.value = value
    if isinstance(value, str):
        # openpyxl turns any string starting with "=" into a formula; force the string type.
        cell.data_type = "s"


def fill_table_sheet(
    sheet: Any,
    headers: Sequence[str],
    widths: Sequence[float],
    rows: Iterable[Sequence[object]],
) -> None:
    """A bold header row with its column widths, then the rows (every cell through set_cell),
    the header frozen: the shape of every sheet sent back to a partner."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    for column, (title, width) in enumerate(zip(headers, widths, strict=True), start=1):
        set_cell(sheet.cell(row=1, column=column), title)
        sheet.cell(row=1, column=column).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(column)].width = width
    for row_number, values in enumerate(rows, start=2):
        for column, value in enumerate(values, start=1):
            set_cell(sheet.cell(row=row_number, column=column), value)
    sheet.freeze_panes = "A2"
