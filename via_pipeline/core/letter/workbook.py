"""The letter's tables as one Excel workbook: a sheet per table, Dutch headers, number formats.

Text from partner files is untrusted: every text cell goes through core.files.spreadsheet.set_cell,
so nothing starting with = + - @ ever runs as a formula. openpyxl is imported inside the writer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from via_pipeline.core.files.spreadsheet import set_cell
from via_pipeline.core.letter.document import LetterTable

# Excel number formats; Dutch Excel shows them with a decimal comma and thousands dot.
NUMBER_FORMATS = {"decimal": "0.0", "integer": "#,##0", "year": "0", "date": "dd-mm-yyyy"}
MAX_COLUMN_WIDTH = 60
INVALID_SHEET_CHARACTERS = re.compile(r"[\[\]:*?/\\]")


def sheet_name(name: str, taken: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = INVALID_SHEET_CHARACTERS.sub(" ", name).strip()[:31] or "Tabel"
    candidate, number = base, 2
    while candidate.lower() in taken:
        suffix = f" ({number})"
        candidate, number = base[: 31 - len(suffix)] + suffix, number + 1
    taken.add(candidate.lower())
    return candidate


def _excel_value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "boolean":
        return "ja" if value else "nee"
    if kind == "date":
        return value.date() if isinstance(value, datetime) else value
    if kind in ("integer", "year"):
        return int(value)
    if kind == "decimal":
        return float(value)
    return value if isinstance(value, date | str) else str(value)


def write_workbook(tables: Sequence[LetterTable], path: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: set[str] = set()
    for table in tables:
        sheet = workbook.create_sheet(sheet_name(table.sheet, taken))
        widths = [len(column.header) for column in table.columns]
        for index, column in enumerate(table.columns, start=1):
            cell = sheet.cell(row=1, column=index)
            set_cell(cell, column.header)
            cell.font = Font(bold=True)
        for row_number, row in enumerate(table.rows, start=2):
            for index, (value, column) in enumerate(zip(row, table.columns, strict=True), start=1):
                cell = sheet.cell(row=row_number, column=index)
                set_cell(cell, _excel_value(value, column.kind))
                if column.kind in NUMBER_FORMATS:
                    cell.number_format = NUMBER_FORMATS[column.kind]
                widths[index - 1] = max(widths[index - 1], len(str(cell.value or "")))
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = min(
                width + 2, MAX_COLUMN_WIDTH
            )
        sheet.freeze_panes = "A2"
        if table.rows:
            sheet.auto_filter.ref = sheet.dimensions
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(str(path))
    return path
