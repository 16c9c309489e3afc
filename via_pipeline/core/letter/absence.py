"""Why a key figure is missing, in words that are true of the source that was read.

A figure missing from the bundled snapshot says nothing about CBS: the snapshot holds only the
published figures found for it (snapshots/cbs/README.md). So the sentence names the snapshot
("de meegeleverde momentopname van tabel 85456NED bevat geen cijfer over 2013"). "CBS heeft
... geen cijfer ... gepubliceerd" is said only of a table read live from CBS whose periods (its
Perioden code list, as the ingest kept it) lack the year; a live year that is there with an
empty cell is "tabel ... bevat geen cijfer ... voor deze groepen".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

SNAPSHOT_SOURCE = "snapshot"


@dataclass(frozen=True)
class TableReading:
    """How a statement's table was read: live or from the snapshot, and the years it has."""

    table_id: str
    source: str | None  # live | snapshot | None (not in cbs.tables)
    periods: frozenset[int]

    @property
    def from_snapshot(self) -> bool:
        return self.source == SNAPSHOT_SOURCE

    def snapshot_name(self) -> str:
        return f"de meegeleverde momentopname van tabel {self.table_id}"


@dataclass(frozen=True)
class MissingYear:
    """A year quoted without a figure; year None = "any year after `after`"."""

    year: int | None
    latest: bool
    after: int


def _year_words(item: MissingYear, prefix: str = "") -> str:
    if item.year is None:
        return f"{prefix}geen cijfer over een later jaar"
    return f"{prefix}geen cijfer over {item.year}"


def _in_table(reading: TableReading, item: MissingYear, reporting_year: int) -> bool:
    if item.year is not None:
        return item.year in reading.periods
    return any(item.after < year <= reporting_year for year in reading.periods)


def absence_clause(
    reading: TableReading, missing: Sequence[MissingYear], reporting_year: int
) -> str:
    """The clause after "niet beschikbaar:", true of the source read."""
    if reading.from_snapshot:
        return f"{reading.snapshot_name()} bevat {' en '.join(_year_words(m) for m in missing)}"
    unpublished = [m for m in missing if not _in_table(reading, m, reporting_year)]
    empty = [m for m in missing if _in_table(reading, m, reporting_year)]
    parts = []
    if unpublished:
        years = " en ".join(_year_words(m, "(nog) " if m.latest else "") for m in unpublished)
        parts.append(f"CBS heeft in tabel {reading.table_id} {years} gepubliceerd")
    if empty:
        words = [
            f"geen cijfer over {m.year}" if m.year is not None else f"na {m.after} geen cijfer"
            for m in empty
        ]
        parts.append(f"tabel {reading.table_id} bevat {' en '.join(words)} voor deze groepen")
    return " en ".join(parts)


def years_text(years: Sequence[int]) -> str:
    """2020 / 2020 en 2021 / 2020 tot en met 2022."""
    if len(years) == 1:
        return str(years[0])
    if len(years) == 2:
        return f"{years[0]} en {years[1]}"
    return f"{years[0]} tot en met {years[-1]}"


def later_years_note(reading: TableReading, later_years: Sequence[int]) -> str:
    """Why the quoted year is not the table's last: these years hold no gap for these groups
    (the table has figures for them, so CBS did publish the years)."""
    if not later_years:
        return ""
    where = reading.snapshot_name() if reading.from_snapshot else f"tabel {reading.table_id}"
    return f" Over {years_text(later_years)} bevat {where} voor deze groepen geen cijfer."


def table_periods(frames: Iterable[pd.DataFrame | None]) -> dict[str, frozenset[int]]:
    """The years each table has, from frames with source_table and year columns (rows of
    monitor.indicators, empty cells included, and rows with figures)."""
    years: dict[str, set[int]] = {}
    for frame in frames:
        if frame is None or frame.empty:
            continue
        for table_id, year in zip(frame["source_table"], frame["year"], strict=True):
            years.setdefault(str(table_id), set()).add(int(year))
    return {table_id: frozenset(found) for table_id, found in years.items()}
