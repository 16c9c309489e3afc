"""Reading one cell of a partner file as its type: whole numbers (Dutch thousands, decimal comma),
dates (ISO, Dutch, Excel date cells), text and codes. A cell that cannot be read gives the rule
code partners see, not an exception: every problem of a file is reported at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from via_pipeline.core.partners.fileformat import normalise_code
from via_pipeline.core.partners.problems import display_value
from via_pipeline.core.partners.reading import is_blank

WHOLE = re.compile(r"^-?\d+$")
THOUSANDS = re.compile(r"^-?\d{1,3}(\.\d{3})+$")
DECIMAL = re.compile(r"^-?\d+[.,]\d+$")
# Excel's Dutch number format: `3.000,00`, thousands with a point and a decimal comma.
DUTCH_DECIMAL = re.compile(r"^-?\d{1,3}(\.\d{3})+,\d+$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
DUTCH_DATE = re.compile(r"^(\d{1,2})[-/](\d{1,2})[-/](\d{4})$")


@dataclass(frozen=True)
class Parsed:
    value: object
    problem: str | None = None  # rule code when the cell cannot be read as its type


# The warehouse's INTEGER (PostgreSQL and DuckDB alike); a larger count is a typo or an attack.
LARGEST_INTEGER = 2_147_483_647


def parse_integer(cell: object) -> Parsed:
    """Whole numbers: 12, 12.0, '12', '1.234' (Dutch thousands), '12,0', '3.000,00' (Excel's Dutch
    number format); '12,5' and '1.234,5' are decimals."""
    parsed = _parse_integer(cell)
    if isinstance(parsed.value, int) and abs(parsed.value) > LARGEST_INTEGER:
        return Parsed(None, "number_too_large")
    return parsed


def _parse_integer(cell: object) -> Parsed:
    if is_blank(cell):
        return Parsed(None)
    if isinstance(cell, bool):
        return Parsed(None, "not_a_whole_number")
    if isinstance(cell, int):
        return Parsed(cell)
    if isinstance(cell, float):
        return Parsed(int(cell)) if cell.is_integer() else Parsed(None, "decimal_in_count")
    text = str(cell).strip().replace(" ", "").replace("\u00a0", "")
    if WHOLE.match(text):
        return Parsed(int(text))
    if THOUSANDS.match(text):
        return Parsed(int(text.replace(".", "")))
    if DECIMAL.match(text):
        whole, fraction = re.split(r"[.,]", text)
        return Parsed(int(whole)) if set(fraction) == {"0"} else Parsed(None, "decimal_in_count")
    if DUTCH_DECIMAL.match(text):
        whole, fraction = text.split(",")
        if set(fraction) == {"0"}:
            return Parsed(int(whole.replace(".", "")))
        return Parsed(None, "decimal_in_count")
    return Parsed(None, "not_a_whole_number")


def parse_date(cell: object) -> Parsed:
    """ISO (2023-03-01) or Dutch (01-03-2023, 1/3/2023) dates; Excel date cells as they are."""
    if is_blank(cell):
        return Parsed(None)
    if isinstance(cell, datetime):
        return Parsed(cell.date())
    if isinstance(cell, date):
        return Parsed(cell)
    text = str(cell).strip()
    iso, dutch = ISO_DATE.match(text), DUTCH_DATE.match(text)
    try:
        if iso:
            return Parsed(date(int(iso[1]), int(iso[2]), int(iso[3])))
        if dutch:
            return Parsed(date(int(dutch[3]), int(dutch[2]), int(dutch[1])))
    except ValueError:
        pass
    return Parsed(None, "not_a_date")


def parse_text(cell: object) -> Parsed:
    if is_blank(cell):
        return Parsed(None)
    return Parsed(display_value(cell).strip())


def parse_code(cell: object, aliases: dict[str, str] | None = None) -> Parsed:
    """A code compared without case or extra spaces; aliases map e.g. a theme's title to its code."""
    if is_blank(cell):
        return Parsed(None)
    text = normalise_code(display_value(cell))
    return Parsed(aliases.get(text, text) if aliases else text)
