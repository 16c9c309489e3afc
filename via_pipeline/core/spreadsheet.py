"""Writing untrusted text into spreadsheets without it ever running as a formula.

Partner files are untrusted; their text reaches feedback files and the letter's workbook. A cell
starting with = + - @ (or a tab/CR that some programs strip first) would run as a formula.
"""

from __future__ import annotations

from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def csv_safe(value: object) -> object:
    """For CSV exports: text that a spreadsheet would run gets a leading apostrophe (OWASP advice)."""
    return f"'{value}" if is_formula_like(value) else value


def set_cell(cell: Any, value: object) -> None:
    """Put a value in an openpyxl cell; text is always stored as text, never as a formula."""
    cell.value = value
    if isinstance(value, str):
        # openpyxl turns any string starting with "=" into a formula; force the string type.
        cell.data_type = "s"
