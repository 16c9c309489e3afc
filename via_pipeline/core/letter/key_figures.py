"""The key-figure sentences of the letter, built from monitor.gaps and cbs.tables.

One row per statement and year quoted: the gap of that year (or NULL when the source read has
no figure: no figure is ever filled in) and the full Dutch sentence, the same on both rows. The gap's
sign is put in words, never as a minus in prose.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd

from via_pipeline.core.dutch import format_date, format_decimal, format_pp
from via_pipeline.core.letter.absence import (
    MissingYear,
    TableReading,
    absence_clause,
    later_years_note,
    table_periods,
)
from via_pipeline.core.letter.config import FigureSpec, KeyFigureConfig

KEY_FIGURE_COLUMNS = [
    "reporting_year",
    "figure_key",
    "indicator",
    "population_group",
    "reference_group",
    "year",
    "value",
    "text_nl",
    "source",
]
# A minus sign before a number in prose ("-0,4"); hyphens inside words ("buiten-Europese") are fine.
PROSE_MINUS = re.compile(r"(?<![\w])[-\u2212]\s?\d")
FAVOURABLE_NOTE = ", in het voordeel van de eerstgenoemde groep"


@dataclass(frozen=True)
class GapPoint:
    """A published gap: its value in percentage points and whether CBS marks the year provisional."""

    year: int
    gap_pp: float
    provisional: bool


@dataclass(frozen=True)
class SourceTable:
    """A CBS table as cbs.tables describes it."""

    table_id: str
    title: str | None
    modified: date | None
    source: str | None  # live | snapshot


@dataclass(frozen=True)
class KeyFigure:
    """One statement: the years quoted (baseline, then latest) with their gaps, and its text."""

    spec: FigureSpec
    points: tuple[tuple[int, GapPoint | None], ...]
    text_nl: str
    source: str


def year_label(point: GapPoint | None, year: int) -> str:
    """2022 -> "2022*" when the figure of that year is provisional."""
    return f"{year}*" if point is not None and point.provisional else str(year)


def is_favourable(gap_pp: float, disadvantage_sign: int) -> bool:
    """True when the group does better than the reference (e.g. lower unemployment)."""
    return round(gap_pp, 1) * disadvantage_sign < 0


def describe_gap(gap_pp: float, disadvantage_sign: int) -> str:
    """A gap as words: "3,2 procentpunten", or with its direction when the group is ahead."""
    note = FAVOURABLE_NOTE if is_favourable(gap_pp, disadvantage_sign) else ""
    return f"{format_pp(gap_pp)}{note}"


def describe_change(first_pp: float, last_pp: float, disadvantage_sign: int) -> str:
    """How a gap moved, in words: "0,3 procentpunt kleiner geworden", never a signed number.

    Works on the one-decimal values the sentence quotes, so the words agree with the figures
    printed beside them (3,2 -> 2,9 is 0,3 smaller even when the raw values differ slightly).
    """
    first = round(first_pp, 1)
    last = round(last_pp, 1)
    if first * last < 0:
        before = "in het nadeel" if is_favourable(last, disadvantage_sign) else "in het voordeel"
        after = "in het voordeel" if is_favourable(last, disadvantage_sign) else "in het nadeel"
        return (
            f"omgeslagen: van {format_pp(first)} {before} naar {format_pp(last)} {after} "
            "van de eerstgenoemde groep"
        )
    change = round(abs(last) - abs(first), 1)
    range_text = f"van {format_decimal(abs(first))} naar {format_pp(last)}"
    if change == 0:
        return f"gelijk gebleven: {format_pp(last)}"
    direction = "kleiner" if change < 0 else "groter"
    return f"{format_pp(change)} {direction} geworden: {range_text}"


def _subject(spec: FigureSpec, config: KeyFigureConfig) -> str:
    indicator = config.indicators[spec.indicator].sentence
    return (
        f"het verschil in {indicator} tussen {config.group_sentence(spec.population_group)} "
        f"en {config.group_sentence(spec.reference_group)}"
    )


def key_figure_sentence(
    spec: FigureSpec,
    config: KeyFigureConfig,
    baseline: GapPoint | None,
    latest_year: int | None,
    latest: GapPoint | None,
    reading: TableReading | None = None,
    reporting_year: int | None = None,
) -> str:
    """The statement's sentence; a year without a figure is said to be unavailable, in words
    true of the source read (core/letter/absence.py)."""
    reading = reading or TableReading(spec.source_table, None, frozenset())
    until = reporting_year if reporting_year is not None else (latest_year or spec.baseline_year)

    def _missing_clause(
        spec: FigureSpec, baseline_missing: bool, latest_missing: bool, latest_year: int | None
    ) -> str:
        missing = []
        if baseline_missing:
            missing.append(MissingYear(spec.baseline_year, False, spec.baseline_year))
        if latest_missing:
            missing.append(MissingYear(latest_year, True, spec.baseline_year))
        return absence_clause(reading, missing, until)

    sign = config.indicators[spec.indicator].disadvantage_sign
    subject = _subject(spec, config)
    y0 = year_label(baseline, spec.baseline_year)
    y1 = year_label(latest, latest_year) if latest_year is not None else ""
    if spec.kind == "change":
        if baseline is not None and latest is not None:
            change = describe_change(baseline.gap_pp, latest.gap_pp, sign)
            return f"Tussen {y0} en {y1} is {subject} {change}."
        return (
            f"Hoe {subject} zich sinds {spec.baseline_year} heeft ontwikkeld, is niet bekend: "
            f"{_missing_clause(spec, baseline is None, latest is None, latest_year)}."
        )
    if baseline is not None and latest is not None:
        return (
            f"In {y0} was {subject} {describe_gap(baseline.gap_pp, sign)}; "
            f"anno {y1} is dat {describe_gap(latest.gap_pp, sign)}."
        )
    if baseline is None and latest is not None:
        return (
            f"Anno {y1} is {subject} {describe_gap(latest.gap_pp, sign)}; voor "
            f"{spec.baseline_year} is geen vergelijkbaar cijfer beschikbaar: "
            f"{_missing_clause(spec, True, False, latest_year)}."
        )
    if baseline is not None:
        return (
            f"In {y0} was {subject} {describe_gap(baseline.gap_pp, sign)}; een recenter "
            f"cijfer is niet beschikbaar: {_missing_clause(spec, False, True, latest_year)}."
        )
    missing = _missing_clause(spec, True, True, latest_year)
    return f"{subject[0].upper()}{subject[1:]} is niet beschikbaar: {missing}."


def source_text(table_id: str, table: SourceTable | None, provisional_years: Sequence[int]) -> str:
    """The footnote: CBS table id, title and Modified date; the snapshot named when it was used."""
    if table is None:
        text = f"Bron: CBS StatLine, tabel {table_id} (titel en wijzigingsdatum niet bekend)."
    else:
        title = f" ‘{table.title}’" if table.title else ""
        if table.modified is not None:
            modified = f", gewijzigd op {format_date(table.modified)}"
        elif table.source == "snapshot":
            # The bundled snapshot recorded no Modified date (snapshots/cbs/README.md).
            modified = ", wijzigingsdatum niet vastgelegd in de momentopname"
        else:
            modified = ", wijzigingsdatum onbekend"
        text = f"Bron: CBS StatLine, tabel {table_id}{title}{modified}."
        if table.source == "snapshot":
            text += (
                " De cijfers komen uit de met de pipeline meegeleverde momentopname van deze "
                "tabel, niet rechtstreeks van CBS."
            )
    if provisional_years:
        years = ", ".join(str(year) for year in sorted(set(provisional_years)))
        noun = "voorlopig cijfer" if len(set(provisional_years)) == 1 else "voorlopige cijfers"
        text += f" * {years}: {noun}."
    return text


def _as_date(value: Any) -> date | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    parsed: date = pd.Timestamp(value).date()
    return parsed


def source_tables_from_frame(tables: pd.DataFrame) -> dict[str, SourceTable]:
    """cbs.tables rows (table_id, title, modified, source) as records by table id."""
    result: dict[str, SourceTable] = {}
    for row in tables.to_dict("records"):
        result[str(row["table_id"])] = SourceTable(
            table_id=str(row["table_id"]),
            title=None if pd.isna(row.get("title")) else str(row["title"]),
            modified=_as_date(row.get("modified")),
            source=None if pd.isna(row.get("source")) else str(row["source"]),
        )
    return result


def _gap_points(gaps: pd.DataFrame, spec: FigureSpec) -> dict[int, GapPoint]:
    if gaps.empty:
        return {}
    rows = gaps[
        (gaps["source_table"] == spec.source_table)
        & (gaps["indicator"] == spec.indicator)
        & (gaps["population_group"] == spec.population_group)
        & (gaps["reference_group"] == spec.reference_group)
    ]
    return {
        int(row["year"]): GapPoint(int(row["year"]), float(row["gap_pp"]), bool(row["provisional"]))
        for row in rows.to_dict("records")
        if row["gap_pp"] is not None and not pd.isna(row["gap_pp"])
    }


def latest_year_for(spec: FigureSpec, published: Iterable[int], reporting_year: int) -> int | None:
    """The fixed latest year, or the last year CBS published this statement's gap (its group
    and reference in its table), up to the reporting year; None when none comes after the
    baseline. The baseline year is never moved."""
    if spec.latest_year is not None:
        return spec.latest_year
    years = [year for year in published if spec.baseline_year < year <= reporting_year]
    return max(years) if years else None


def later_table_years(
    spec: FigureSpec, table_years: pd.DataFrame, after: int, reporting_year: int
) -> list[int]:
    """Years after `after` (up to the reporting year) that the source table has for the
    indicator (any group; `table_years` has source_table, indicator, year)."""
    if table_years.empty:
        return []
    years = table_years.loc[
        (table_years["source_table"] == spec.source_table)
        & (table_years["indicator"] == spec.indicator)
        & (table_years["year"] > after)
        & (table_years["year"] <= reporting_year),
        "year",
    ]
    return sorted({int(year) for year in years})


def build_key_figures(
    config: KeyFigureConfig,
    gaps: pd.DataFrame,
    tables: dict[str, SourceTable],
    reporting_year: int,
    table_years: pd.DataFrame | None = None,
    table_periods_frame: pd.DataFrame | None = None,
) -> list[KeyFigure]:
    """Every configured statement for the reporting year, in config order.

    "latest" is the last year with a gap for the statement's own group and reference (the
    most recent published figure), up to the reporting year. When the table has later years
    (`table_years`: source_table, indicator, year from monitor.indicators; every year with a
    gap counts as well), the sentence says that those years have no figure for these groups.
    `table_periods_frame` (source_table, year: every year each table has, empty cells
    included) tells a year the table lacks from one with an empty cell.
    """
    year_columns = ["source_table", "indicator", "year"]
    years = gaps[year_columns] if not gaps.empty else pd.DataFrame(columns=year_columns)
    if table_years is not None and not table_years.empty:
        years = pd.concat([years, table_years[year_columns]], ignore_index=True)
    periods = table_periods([years, table_periods_frame])
    figures: list[KeyFigure] = []
    for spec in config.figures:
        points = _gap_points(gaps, spec)
        latest_year = latest_year_for(spec, points, reporting_year)
        baseline = points.get(spec.baseline_year)
        latest = points.get(latest_year) if latest_year is not None else None
        table = tables.get(spec.source_table)
        reading = TableReading(
            spec.source_table,
            table.source if table is not None else None,
            periods.get(spec.source_table, frozenset()),
        )
        text = key_figure_sentence(
            spec, config, baseline, latest_year, latest, reading, reporting_year
        )
        if spec.latest_year is None and latest_year is not None:
            text += later_years_note(
                reading, later_table_years(spec, years, latest_year, reporting_year)
            )
        quoted: list[tuple[int, GapPoint | None]] = [(spec.baseline_year, baseline)]
        if latest_year is not None:
            quoted.append((latest_year, latest))
        provisional = [year for year, point in quoted if point is not None and point.provisional]
        figures.append(
            KeyFigure(
                spec=spec,
                points=tuple(quoted),
                text_nl=text,
                source=source_text(spec.source_table, tables.get(spec.source_table), provisional),
            )
        )
    return figures


def key_figures_frame(figures: Sequence[KeyFigure], reporting_year: int) -> pd.DataFrame:
    """The rows of letter.key_figures: one per statement and year quoted."""
    rows = [
        {
            "reporting_year": reporting_year,
            "figure_key": figure.spec.figure_key,
            "indicator": figure.spec.indicator,
            "population_group": figure.spec.population_group,
            "reference_group": figure.spec.reference_group,
            "year": year,
            "value": None if point is None else point.gap_pp,
            "text_nl": figure.text_nl,
            "source": figure.source,
        }
        for figure in figures
        for year, point in figure.points
    ]
    frame = pd.DataFrame(rows, columns=KEY_FIGURE_COLUMNS)
    frame["value"] = frame["value"].astype("float64")
    return frame


def prose_minus_signs(sentences: Iterable[str]) -> list[str]:
    """The sentences that show a signed number, which the letter must put in words instead."""
    return sorted({sentence for sentence in sentences if PROSE_MINUS.search(sentence)})
