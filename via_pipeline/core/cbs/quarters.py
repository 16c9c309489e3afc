"""A StatLine table's quarters: the KW periods of its Perioden code list, their status, and the
quarterly cells of the configured slice (cbs.quarterly_observations, monitor.quarterly_indicators).

Everything is read from the period *key* (`2023KW01`): cbsodata's titles ("2023 1e kwartaal*",
"2023 2e kwartaal**") carry stars that must never break a parse. A title is read only for its
stars, and only when the code list gives no Status. Years are never made here: a year comes from
a `JJ00` key alone (core/cbs/periods.py), never from its quarters, complete or not.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from via_pipeline.core.cbs.catalogue import Catalogue
from via_pipeline.core.cbs.client import Record
from via_pipeline.core.cbs.layout import TableLayout
from via_pipeline.core.cbs.observations import cbs_number, slice_rows
from via_pipeline.core.cbs.titles import normalise_key, normalise_title

QUARTERLY_PERIOD = re.compile(r"^(?P<year>\d{4})KW0(?P<quarter>[1-4])$")
# The period codes' part the OData filter asks for (`substringof('KW', Perioden)`).
QUARTER_MARK = "KW"

DEFINITIVE = "Definitief"
PROVISIONAL = "Voorlopig"
FURTHER_PROVISIONAL = "Nader voorlopig"
STATUSES = (DEFINITIVE, PROVISIONAL, FURTHER_PROVISIONAL)
_BY_NORMAL = {normalise_title(status): status for status in STATUSES}
# CBS's titles: one star is a provisional figure, two stars a revised provisional one.
_STARS = re.compile(r"(\*+)\s*$")

QUARTERLY_OBSERVATION_COLUMNS = [
    "table_id",
    "period_code",
    "year",
    "quarter",
    "status",
    "population_group_key",
    "population_group_title",
    "measure_key",
    "measure_title",
    "unit",
    "value",
    "source_version",
]
QUARTERLY_INDICATOR_COLUMNS = [
    "source_table",
    "period",
    "year",
    "quarter",
    "population_group",
    "indicator",
    "value",
    "unit",
    "status",
    "source_version",
]


@dataclass(frozen=True)
class Quarter:
    """One KW period: its key, year and quarter (1-4), and the status CBS gives it."""

    code: str
    year: int
    quarter: int
    status: str

    @property
    def provisional(self) -> bool:
        return self.status != DEFINITIVE


def quarter_status(status: object, title: object) -> str:
    """The period's status: the code list's Status where it names one; else the title's stars
    ("**" Nader voorlopig, "*" Voorlopig); a period with neither is never taken as final."""
    named = _BY_NORMAL.get(normalise_title(status))
    if named is not None:
        return named
    stars = _STARS.search(str(title or ""))
    if stars is not None and len(stars.group(1)) >= 2:
        return FURTHER_PROVISIONAL
    return PROVISIONAL


def parse_quarter(key: object) -> tuple[int, int] | None:
    """`2023KW03` (padded or not) -> (2023, 3); any other key (a year, a month) -> None."""
    match = QUARTERLY_PERIOD.match(normalise_key(key))
    return (int(match["year"]), int(match["quarter"])) if match else None


def quarterly_periods(periods: Sequence[Record]) -> dict[str, Quarter]:
    """The KW periods of the Perioden code list, by stripped key."""
    result = {}
    for record in periods:
        code = normalise_key(record.get("Key"))
        parsed = parse_quarter(code)
        if parsed is not None:
            status = quarter_status(record.get("Status"), record.get("Title"))
            result[code] = Quarter(code, parsed[0], parsed[1], status)
    return result


def build_quarterly_observations(
    layout: TableLayout,
    quarters: Mapping[str, Quarter],
    rows: Sequence[Record],
    source_version: str | None,
) -> pd.DataFrame:
    """One row per (quarter, cell, measure) of the layout's slice (observations.slice_rows)."""
    records: list[dict[str, Any]] = [
        {
            "table_id": layout.table_id,
            "period_code": quarter.code,
            "year": quarter.year,
            "quarter": quarter.quarter,
            "status": quarter.status,
            "population_group_key": normalise_key(cell.key),
            "population_group_title": cell.title,
            "measure_key": normalise_key(measure.key),
            "measure_title": measure.title,
            "unit": measure.unit,
            "value": cbs_number(row[measure.key], layout.table_id, measure.key),
            "source_version": source_version,
        }
        for quarter, cell, row in slice_rows(layout, quarters, rows)
        for measure in layout.measures
    ]
    frame = pd.DataFrame.from_records(records, columns=QUARTERLY_OBSERVATION_COLUMNS)
    return frame.astype({"year": "int64", "quarter": "int64", "value": "float64"}).sort_values(
        ["period_code", "population_group_key", "measure_key"], ignore_index=True
    )


def build_quarterly_indicators(catalogue: Catalogue, observations: pd.DataFrame) -> pd.DataFrame:
    """monitor.quarterly_indicators rows from cbs.quarterly_observations: the group and
    indicator codes of the yearly indicators (the same mapping), unit, status, CBS version."""
    from via_pipeline.core.cbs.ingest import indicator_rows

    records = [
        {
            "source_table": table_id,
            "period": str(row.period_code),
            "year": int(row.year),
            "quarter": int(row.quarter),
            "population_group": group,
            "indicator": indicator,
            "value": None if pd.isna(row.value) else float(row.value),
            "unit": catalogue.indicator(indicator).unit,
            "status": str(row.status),
            "source_version": None if pd.isna(row.source_version) else str(row.source_version),
        }
        for table_id, row, group, indicator in indicator_rows(catalogue, observations)
    ]
    frame = pd.DataFrame.from_records(records, columns=QUARTERLY_INDICATOR_COLUMNS)
    return frame.astype({"year": "int64", "quarter": "int64", "value": "float64"}).sort_values(
        ["source_table", "indicator", "population_group", "period"], ignore_index=True
    )
