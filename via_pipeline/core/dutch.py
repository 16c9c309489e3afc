"""Dutch number and date formatting for the letter: decimal comma, thousands dot, Dutch month names.

Written by hand rather than through locale: the machine's locales are not guaranteed, and the
letter's conventions (one decimal, "procentpunt" singular at exactly 1) are ours.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

MONTHS_NL = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)


def round_half_up(value: float, decimals: int) -> Decimal:
    """The value at `decimals` places, half up (2.85 -> 2.9), as a reader rounds by hand."""
    # Decimal from repr: 2.85 stays 2.85 and rounds to 2.9, as a reader rounding by hand would.
    quantum = Decimal(1).scaleb(-decimals)
    # float() first: numpy's float64 (what pandas hands out) has repr "np.float64(3.2)".
    return Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP)


def _group_thousands(digits: str) -> str:
    groups: list[str] = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return ".".join(groups)


def format_decimal(value: float, decimals: int = 1) -> str:
    """3.2 -> "3,2"; 1234.56 -> "1.234,6"; -0.44 -> "-0,4"; rounding half up."""
    rounded = round_half_up(value, decimals)
    if rounded == 0:
        rounded = abs(rounded)  # no "-0,0"
    sign = "-" if rounded < 0 else ""
    text = f"{abs(rounded):.{decimals}f}"
    whole, _, fraction = text.partition(".")
    result = _group_thousands(whole)
    return f"{sign}{result},{fraction}" if decimals > 0 else f"{sign}{result}"


def format_integer(value: int) -> str:
    """1234 -> "1.234"; -1234567 -> "-1.234.567"."""
    sign = "-" if value < 0 else ""
    return f"{sign}{_group_thousands(str(abs(int(value))))}"


def format_date(value: date) -> str:
    """date(2023, 11, 27) -> "27 november 2023"."""
    return f"{value.day} {MONTHS_NL[value.month - 1]} {value.year}"


def format_year_span(first: int, last: int) -> str:
    """(2022, 2024) -> "2022-2024"; one year is that year: (2023, 2023) -> "2023"."""
    return str(first) if first == last else f"{first}-{last}"


def format_pp(value: float, decimals: int = 1) -> str:
    """A size in percentage points, without sign: 3.2 -> "3,2 procentpunten"; 1.0 -> "1,0 procentpunt".

    The sign is for the sentence to put in words (groter / kleiner), never a minus in prose.
    """
    magnitude = format_decimal(abs(value), decimals)
    unit = "procentpunt" if round_half_up(abs(value), decimals) == 1 else "procentpunten"
    return f"{magnitude} {unit}"
