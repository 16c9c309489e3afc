"""Writing untrusted text into spreadsheets without it ever running as a formula.

Partner files are untrusted; their text reaches feedback files and the letter's workbook. A cell
starting with = + - @ (or a tab/CR that some programs strip first) would run as a formula.
"""

from __future__ import annotations

import re
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
