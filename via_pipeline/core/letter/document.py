"""The annex as one document model, rendered alike to Word, Markdown and Excel.

Sections hold paragraphs (a sentence with an optional source note), tables and figures; the
renderers only decide how each block looks. Cell values stay typed (numbers, dates, booleans)
so the workbook keeps numbers as numbers and the prose renderers format them the Dutch way.
The letter's tables are built in tables.py, the annex itself in annex.py.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pandas as pd

from via_pipeline.core.dutch import format_date, format_decimal, format_integer
from via_pipeline.core.files.ooxml import PackageProperties

# How a cell reads in prose when it has no value: "niet beschikbaar".
MISSING_CELL = "n.b."
# "year" is a whole number without a thousands separator (2008, not 2.008).
CELL_KINDS = ("text", "integer", "year", "decimal", "date", "boolean")


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"


@dataclass(frozen=True)
class LetterTable:
    """A table of the letter: its sheet name in the workbook, its caption, columns and rows."""

    sheet: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]


@dataclass(frozen=True)
class Paragraph:
    text: str
    note: str | None = None  # the source, as a footnote


@dataclass(frozen=True)
class TableBlock:
    table: LetterTable


@dataclass(frozen=True)
class FigureBlock:
    path: Path
    caption: str


Block = Paragraph | TableBlock | FigureBlock


@dataclass(frozen=True)
class Section:
    heading: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Annex:
    reporting_year: int
    title: str
    introduction: str
    sections: tuple[Section, ...]
    workbook: tuple[LetterTable, ...] = field(default=())
    # The day of the build's newest input (core.letter.build.inputs_date), never the clock: a
    # rebuild from the same inputs gives the same files. Shown in the Word file only (the
    # Markdown twin is for review diffs) and in both packages' document properties.
    generated_on: date | None = None
    # Its programme's letter files: <prefix><year>_bijlage.docx, ... (config/programmes.yaml).
    file_prefix: str = "voortgang_via_"
    programme_title: str = "Werkagenda VIA"

    def generated_line(self) -> str | None:
        if self.generated_on is None:
            return None
        return f"Stand van de gegevens: {format_date(self.generated_on)}."

    def dated(self) -> datetime:
        """The created and modified time of the annex's Word and Excel files: midnight (UTC) of
        generated_on, or 1 January after the reporting year when no input date is known."""
        return datetime.combine(self.generated_on or date(self.reporting_year + 1, 1, 1), time())

    def package_properties(self, subject: str) -> PackageProperties:
        return PackageProperties(title=self.title, dated=self.dated(), subject=subject)


def name_sort_key(name: Any) -> str:
    """How readers expect names sorted: case and accents ignored ("AWVN" after "Algemene Bond",
    "Ö" with "O")."""
    decomposed = unicodedata.normalize("NFKD", "" if name is None else str(name))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def sort_by_name(frame: pd.DataFrame, name_column: str, tie_breaker: str) -> pd.DataFrame:
    """The rows in reader's order of `name_column` (name_sort_key), then `tie_breaker`."""
    if frame.empty:
        return frame.reset_index(drop=True)
    keys = frame[name_column].map(name_sort_key)
    order = sorted(
        range(len(frame)),
        key=lambda i: (keys.iloc[i], str(frame[tie_breaker].iloc[i])),
    )
    return frame.iloc[order].reset_index(drop=True)


def format_cell(value: Any, kind: str) -> str:
    """A cell as the annex's prose shows it: 3,2 / 1.234 / 27 november 2023 / ja."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return MISSING_CELL
    if kind == "decimal":
        return format_decimal(float(value))
    if kind == "integer":
        return format_integer(int(value))
    if kind == "year":
        return str(int(value))
    if kind == "date":
        if isinstance(value, datetime):
            return format_date(value.date())
        if isinstance(value, date):
            return format_date(value)
        return format_date(pd.Timestamp(value).date())
    if kind == "boolean":
        return "ja" if bool(value) else "nee"
    return str(value)


def plain_value(value: Any) -> Any:
    """pandas' missing values and timestamps as plain Python values."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item"):
        return value.item()
    return value
