"""The plausibility findings in monitor.indicators: a figure that moves more than its limit from
one year to the next, and a rate outside its bounds. Each finding names the CBS table, the
measure (CBS's own title), the group, the years and the values, and says itself in Dutch."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from via_pipeline.core.cbs.catalogue import load_catalogue
from via_pipeline.core.cbs.population_groups import NO_BREAKDOWN, load_population_groups
from via_pipeline.core.dutch import format_decimal, format_pp
from via_pipeline.core.monitor.plausibility.config import RATE_UNIT, PlausibilityConfig
from via_pipeline.core.settings.paths import CONFIG_DIR

SERIES = ["source_table", "indicator", "population_group"]
YEAR_MOVE = "year_move"
RATE_BOUNDS = "rate_bounds"


@dataclass(frozen=True)
class SeriesNames:
    """How a reader knows a series: the CBS measure title per (table, indicator code), the Dutch
    group label, and which groups are cells of a breakdown (population_groups.yaml)."""

    measure_titles: Mapping[tuple[str, str], str] = field(default_factory=dict)
    group_labels: Mapping[str, str] = field(default_factory=dict)
    breakdowns: Mapping[str, str] = field(default_factory=dict)
    units: Mapping[str, str] = field(default_factory=dict)  # indicator code -> unit

    def unit(self, indicator: str) -> str:
        return self.units.get(indicator, "")

    def measure(self, table_id: str, indicator: str) -> str:
        return self.measure_titles.get((table_id, indicator), indicator)

    def group(self, code: str) -> str:
        return self.group_labels.get(code, code)

    def is_breakdown_cell(self, code: str) -> bool:
        return self.breakdowns.get(code, NO_BREAKDOWN) != NO_BREAKDOWN


def load_series_names(config_dir: Path = CONFIG_DIR) -> SeriesNames:
    """The names from cbs_tables.yaml (measure titles) and population_groups.yaml."""
    catalogue = load_catalogue(config_dir)
    groups = load_population_groups(config_dir)
    return SeriesNames(
        measure_titles={
            (table.table_id, measure.indicator): measure.title
            for table in catalogue.tables
            for measure in table.measures
        },
        group_labels={group.code: group.label_nl for group in groups.population_groups},
        breakdowns={group.code: group.breakdown for group in groups.population_groups},
        units={indicator.code: indicator.unit for indicator in groups.indicators},
    )


def _year_text(year: int, provisional: bool) -> str:
    """A year as CBS prints it: a provisional year carries an asterisk (2025*)."""
    return f"{year}*" if provisional else str(year)


def _bound_text(value: float) -> str:
    return format_decimal(value, 0 if float(value).is_integer() else 1)


@dataclass(frozen=True)
class Finding:
    """One odd figure (rate_bounds: one year) or pair of figures (year_move: two consecutive
    years) of one series of monitor.indicators."""

    rule: str
    source_table: str
    measure: str
    population_group: str
    group_label: str
    years: tuple[int, ...]
    values: tuple[float, ...]
    provisional: tuple[bool, ...]
    unit: str
    limit: tuple[float, ...]  # year_move: (max move,); rate_bounds: (min, max)

    @property
    def years_text(self) -> str:
        return " → ".join(
            _year_text(y, p) for y, p in zip(self.years, self.provisional, strict=True)
        )

    @property
    def values_text(self) -> str:
        return " → ".join(format_decimal(value) for value in self.values)

    def _size(self, value: float) -> str:
        if self.unit == RATE_UNIT:
            return format_pp(value)
        return format_decimal(abs(value))

    @property
    def finding_nl(self) -> str:
        """What is odd, in Dutch: "4,0 procentpunten hoger; meer dan 3,0 procentpunten"."""
        if self.rule == YEAR_MOVE:
            move = self.values[1] - self.values[0]
            return (
                f"{self._size(move)} {'hoger' if move > 0 else 'lager'} in één jaar; "
                f"meer dan {self._size(self.limit[0])}"
            )
        low, high = self.limit
        return f"buiten {_bound_text(low)} tot {_bound_text(high)}"

    @property
    def text_nl(self) -> str:
        """One line for a reader, e.g. "CBS 82809NED Werkloosheidspercentage, Totaal (...):
        2020 → 2021: 3,8 → 8,2 (4,4 procentpunten hoger in één jaar; meer dan 3,0
        procentpunten)"."""
        return (
            f"CBS {self.source_table} {self.measure}, {self.group_label}: {self.years_text}: "
            f"{self.values_text} ({self.finding_nl})"
        )

    def row(self) -> dict[str, str]:
        """The finding as a row of the check's Markdown table."""
        return {
            "tabel": self.source_table,
            "maatstaf": self.measure,
            "groep": self.group_label,
            "jaren": self.years_text,
            "waarden": self.values_text,
            "bevinding": self.finding_nl,
        }


def _series_frame(indicators: pd.DataFrame) -> pd.DataFrame:
    frame = indicators.loc[indicators["value"].notna(), [*SERIES, "year", "value", "provisional"]]
    frame = frame.astype({"year": "int64", "value": "float64", "provisional": "bool"})
    return frame.sort_values([*SERIES, "year"], ignore_index=True)


def find_year_moves(
    indicators: pd.DataFrame,
    config: PlausibilityConfig,
    names: SeriesNames,
) -> list[Finding]:
    """Each move of a figure between two consecutive years of one series (table, indicator,
    group: the other dimensions held where that group holds them) larger than its unit's limit.

    A year CBS left empty is not bridged: 2019 -> 2021 is not a move from one year to the next. Nothing across tables.
    """
    frame = _series_frame(indicators)
    previous = frame.groupby(SERIES, sort=False)[["year", "value", "provisional"]].shift(1)
    findings: list[Finding] = []
    for row, before in zip(
        frame.itertuples(index=False), previous.itertuples(index=False), strict=True
    ):
        if pd.isna(before.year) or int(before.year) != row.year - 1:
            continue
        unit = names.unit(str(row.indicator))
        limit = config.move_limit(
            unit, breakdown_cell=names.is_breakdown_cell(str(row.population_group))
        )
        if limit is None or abs(row.value - before.value) <= limit + config.tolerance:
            continue
        findings.append(
            Finding(
                rule=YEAR_MOVE,
                source_table=str(row.source_table),
                measure=names.measure(str(row.source_table), str(row.indicator)),
                population_group=str(row.population_group),
                group_label=names.group(str(row.population_group)),
                years=(int(before.year), int(row.year)),
                values=(float(before.value), float(row.value)),
                provisional=(bool(before.provisional), bool(row.provisional)),
                unit=unit,
                limit=(limit,),
            )
        )
    return findings


def find_rates_out_of_bounds(
    indicators: pd.DataFrame,
    config: PlausibilityConfig,
    names: SeriesNames,
) -> list[Finding]:
    """Each figure of a rate (an indicator of unit percent) outside the configured bounds."""
    frame = _series_frame(indicators)
    rates = frame["indicator"].map(lambda code: names.unit(str(code)) == RATE_UNIT).astype(bool)
    outside = rates & (
        (frame["value"] < config.rate_min - config.tolerance)
        | (frame["value"] > config.rate_max + config.tolerance)
    )
    return [
        Finding(
            rule=RATE_BOUNDS,
            source_table=str(row.source_table),
            measure=names.measure(str(row.source_table), str(row.indicator)),
            population_group=str(row.population_group),
            group_label=names.group(str(row.population_group)),
            years=(int(row.year),),
            values=(float(row.value),),
            provisional=(bool(row.provisional),),
            unit=RATE_UNIT,
            limit=(config.rate_min, config.rate_max),
        )
        for row in frame[outside].itertuples(index=False)
    ]


def find_findings(
    rule: str, indicators: pd.DataFrame, config: PlausibilityConfig, names: SeriesNames
) -> list[Finding]:
    """The findings of one rule (YEAR_MOVE or RATE_BOUNDS), in table, indicator, group, year order."""
    finders = {YEAR_MOVE: find_year_moves, RATE_BOUNDS: find_rates_out_of_bounds}
    if rule not in finders:
        raise ValueError(f"unknown plausibility rule {rule!r}; known: {', '.join(finders)}")
    return finders[rule](indicators, config, names)
