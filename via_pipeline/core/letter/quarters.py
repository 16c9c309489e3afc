"""The annex's quarterly figures (issue 24): when the reporting year has published quarters but
no yearly figure, a key sentence comparing its quarters with the same quarters a year earlier
(marked provisional), a chart of the quarterly gap over the last three years and a workbook
sheet of the quarters. The yearly sentences stay as they are; this part comes after them.

The gap over several quarters is the mean of the group's quarterly figures minus the mean of
the reference's (CBS's year is the mean of its quarters), rounded to the published precision.
It is only compared with a year earlier when that year has every one of the same quarters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from via_pipeline.core.dutch import format_decimal, round_half_up
from via_pipeline.core.letter.config import FigureSpec, KeyFigureConfig
from via_pipeline.core.letter.document import Column, LetterTable
from via_pipeline.core.letter.key_figures import describe_gap, is_favourable

ORDINALS = {1: "eerste", 2: "tweede", 3: "derde", 4: "vierde"}
COUNTS = {2: "twee", 3: "drie", 4: "vier"}
TITLE_ORDINALS = {1: "1e", 2: "2e", 3: "3e", 4: "4e"}
CHART_YEARS = 3  # the chart shows the reporting year and the two before it
PROVISIONAL_NOTE = " (voorlopige cijfers)"
SHEET = "Kwartalen"


@dataclass(frozen=True)
class QuarterSpan:
    """The mean gap over some quarters of one year."""

    year: int
    quarters: tuple[int, ...]
    gap_pp: float
    provisional: bool


@dataclass(frozen=True)
class QuarterlyStatement:
    spec: FigureSpec
    current: QuarterSpan
    earlier: QuarterSpan | None
    text_nl: str


def quarters_phrase(quarters: Sequence[int], year: str) -> str:
    """(1, 2, 3) -> "de eerste drie kwartalen van 2023"; (1,) -> "het eerste kwartaal van 2023";
    (2, 3) -> "het tweede en derde kwartaal van 2023"."""
    ordered = sorted(quarters)
    if len(ordered) == 1:
        return f"het {ORDINALS[ordered[0]]} kwartaal van {year}"
    if ordered == list(range(1, len(ordered) + 1)):
        return f"de eerste {COUNTS[len(ordered)]} kwartalen van {year}"
    names = [ORDINALS[q] for q in ordered]
    return f"het {', '.join(names[:-1])} en {names[-1]} kwartaal van {year}"


def quarter_title(period: str) -> str:
    """`2023KW03` -> "2023 3e kwartaal" (the title CBS prints, without its stars)."""
    return f"{period[:4]} {TITLE_ORDINALS[int(period[-1])]} kwartaal"


def _series(quarterly_gaps: pd.DataFrame, spec: FigureSpec) -> pd.DataFrame:
    if quarterly_gaps.empty:
        return quarterly_gaps
    return quarterly_gaps[
        (quarterly_gaps["source_table"] == spec.source_table)
        & (quarterly_gaps["indicator"] == spec.indicator)
        & (quarterly_gaps["population_group"] == spec.population_group)
        & (quarterly_gaps["reference_group"] == spec.reference_group)
    ]


def span(rows: pd.DataFrame, year: int, quarters: Sequence[int]) -> QuarterSpan | None:
    """The mean gap over `quarters` of `year`; None unless every one of them has a gap."""
    chosen = rows[(rows["year"] == year) & rows["quarter"].isin(list(quarters))]
    if sorted(int(q) for q in chosen["quarter"]) != sorted(quarters):
        return None
    decimals = chosen["decimals"].dropna()
    places = int(decimals.iloc[0]) if not decimals.empty else 1
    gap = float(chosen["value"].mean()) - float(chosen["reference_value"].mean())
    return QuarterSpan(
        year,
        tuple(sorted(int(q) for q in chosen["quarter"])),
        float(round_half_up(gap, places)),
        bool(chosen["provisional"].astype(bool).any()),
    )


def _earlier_note(earlier: QuarterSpan, current: QuarterSpan, sign: int) -> str:
    """The year-earlier gap's direction, said only when it differs from the current one's."""
    if is_favourable(earlier.gap_pp, sign) == is_favourable(current.gap_pp, sign):
        return ""
    side = "voordeel" if is_favourable(earlier.gap_pp, sign) else "nadeel"
    return f", toen in het {side} van de eerstgenoemde groep"


def quarterly_sentence(
    spec: FigureSpec, config: KeyFigureConfig, current: QuarterSpan, earlier: QuarterSpan | None
) -> str:
    """ "In de eerste drie kwartalen van 2023* was het verschil in ... 3,3 procentpunten, tegen
    2,9 in dezelfde kwartalen van 2022 (voorlopige cijfers)." """
    sign = config.indicators[spec.indicator].disadvantage_sign
    subject = (
        f"het verschil in {config.indicators[spec.indicator].sentence} tussen "
        f"{config.group_sentence(spec.population_group)} en "
        f"{config.group_sentence(spec.reference_group)}"
    )
    label = f"{current.year}*" if current.provisional else str(current.year)
    text = f"In {quarters_phrase(current.quarters, label)} was {subject} "
    text += describe_gap(current.gap_pp, sign)
    same = "hetzelfde kwartaal" if len(current.quarters) == 1 else "dezelfde kwartalen"
    if earlier is not None:
        earlier_label = f"{earlier.year}*" if earlier.provisional else str(earlier.year)
        text += (
            f", tegen {format_decimal(abs(earlier.gap_pp))} in {same} van {earlier_label}"
            + _earlier_note(earlier, current, sign)
        )
    else:
        text += f"; voor {same} van {current.year - 1} is geen vergelijkbaar cijfer beschikbaar"
    provisional = current.provisional or (earlier is not None and earlier.provisional)
    return text + (PROVISIONAL_NOTE if provisional else "") + "."


def _unique_series(config: KeyFigureConfig) -> list[FigureSpec]:
    seen: set[tuple[str, str, str, str]] = set()
    specs = []
    for spec in config.figures:
        key = (spec.source_table, spec.indicator, spec.population_group, spec.reference_group)
        if key not in seen:
            seen.add(key)
            specs.append(spec)
    return specs


def _has_yearly_gap(gaps: pd.DataFrame, spec: FigureSpec, year: int) -> bool:
    if gaps.empty:
        return False
    rows = gaps[
        (gaps["source_table"] == spec.source_table)
        & (gaps["indicator"] == spec.indicator)
        & (gaps["population_group"] == spec.population_group)
        & (gaps["reference_group"] == spec.reference_group)
        & (gaps["year"] == year)
    ]
    return bool(rows["gap_pp"].notna().any())


def quarterly_statements(
    config: KeyFigureConfig,
    quarterly_gaps: pd.DataFrame,
    gaps: pd.DataFrame,
    reporting_year: int,
) -> list[QuarterlyStatement]:
    """One statement per series of the key figures (source table, indicator, group, reference)
    whose reporting year has quarterly gaps and no yearly gap, in config order."""
    statements = []
    for spec in _unique_series(config):
        if _has_yearly_gap(gaps, spec, reporting_year):
            continue
        rows = _series(quarterly_gaps, spec)
        quarters = sorted(int(q) for q in rows.loc[rows["year"] == reporting_year, "quarter"])
        if not quarters:
            continue
        current = span(rows, reporting_year, quarters)
        if current is None:
            continue
        earlier = span(rows, reporting_year - 1, quarters)
        text = quarterly_sentence(spec, config, current, earlier)
        statements.append(QuarterlyStatement(spec, current, earlier, text))
    return statements


def chart_rows(
    quarterly_gaps: pd.DataFrame, statements: Sequence[QuarterlyStatement], reporting_year: int
) -> pd.DataFrame:
    """The quarterly gaps of the statements' series over the last CHART_YEARS years."""
    if not statements or quarterly_gaps.empty:
        return quarterly_gaps.iloc[0:0]
    parts = [_series(quarterly_gaps, s.spec) for s in statements]
    rows = pd.concat(parts, ignore_index=True)
    rows = rows[(rows["year"] > reporting_year - CHART_YEARS) & (rows["year"] <= reporting_year)]
    return rows.sort_values(
        ["indicator", "population_group", "reference_group", "period"], ignore_index=True
    )


def quarters_table(
    quarterly_gaps: pd.DataFrame, config: KeyFigureConfig, reporting_year: int
) -> LetterTable:
    """The workbook sheet: every quarterly gap up to the reporting year, with its CBS status."""
    rows = quarterly_gaps[quarterly_gaps["year"] <= reporting_year].sort_values(
        ["source_table", "indicator", "population_group", "reference_group", "period"]
    )
    columns = (
        Column("CBS-tabel"),
        Column("Kwartaal"),
        Column("Indicator"),
        Column("Groep"),
        Column("Vergeleken met"),
        Column("Waarde (%)", "decimal"),
        Column("Referentiewaarde (%)", "decimal"),
        Column("Verschil (procentpunten)", "decimal"),
        Column("Status CBS"),
    )
    return LetterTable(
        sheet=SHEET,
        title="Verschillen per groep en kwartaal (CBS-status per kwartaal)",
        columns=columns,
        rows=tuple(
            (
                str(row["source_table"]),
                quarter_title(str(row["period"])),
                config.indicator_label(str(row["indicator"])),
                config.group_label(str(row["population_group"])),
                config.group_label(str(row["reference_group"])),
                float(row["value"]),
                float(row["reference_value"]),
                float(row["gap_pp"]),
                str(row["status"]),
            )
            for row in rows.to_dict("records")
        ),
    )
