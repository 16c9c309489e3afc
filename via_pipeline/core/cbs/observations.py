"""A StatLine table version's rows turned into cbs.observations rows: one per (year, group,
measure) of the resolved slice."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Protocol, TypeVar

import pandas as pd

from via_pipeline.core.cbs.client import CbsAnswerError, Record
from via_pipeline.core.cbs.layout import ResolvedCell, TableLayout
from via_pipeline.core.cbs.titles import normalise_key

OBSERVATION_COLUMNS = [
    "table_id",
    "period_code",
    "year",
    "provisional",
    "population_group_key",
    "population_group_title",
    "measure_key",
    "measure_title",
    "unit",
    "value",
]


def cbs_number(value: object, table_id: str, column: str) -> float | None:
    """A TypedDataSet value as a float (None stays None); anything else stops the ingest."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise CbsAnswerError(f"CBS table {table_id}: {column} holds {value!r}, not a number")
    return float(value)


class _Period(Protocol):
    @property
    def code(self) -> str: ...


PeriodT = TypeVar("PeriodT", bound=_Period)


def slice_rows(
    layout: TableLayout, periods: Mapping[str, PeriodT], rows: Sequence[Record]
) -> Iterator[tuple[PeriodT, ResolvedCell, Record]]:
    """The rows of the layout's slice in `periods` (by normalised key), each with its period and
    cell. Rows outside the slice are dropped, so a server that ignores $filter cannot widen the
    result; a row lacking a dimension or measure column, or a cell given twice, stops the ingest."""
    cells = layout.all_cells()
    # Every dimension but the periods, in one order: a row's keys there name its cell.
    dimensions = list(dict.fromkeys(d for cell in cells for d in cell.coordinates))
    by_point = {
        tuple(normalise_key(cell.coordinates[d]) for d in dimensions): cell for cell in cells
    }
    seen: set[tuple[str, str]] = set()
    for row in rows:
        missing = [c for c in (*dimensions, layout.period_dimension) if c not in row]
        if missing:
            raise CbsAnswerError(
                f"CBS table {layout.table_id}: TypedDataSet rows lack {', '.join(missing)}"
            )
        cell = by_point.get(tuple(normalise_key(row[d]) for d in dimensions))
        period = periods.get(normalise_key(row[layout.period_dimension]))
        if cell is None or period is None:
            continue
        if (period.code, cell.key) in seen:
            raise CbsAnswerError(
                f"CBS table {layout.table_id}: two rows for period {period.code} "
                f"and group {cell.title!r}"
            )
        seen.add((period.code, cell.key))
        for measure in layout.measures:
            if measure.key not in row:
                raise CbsAnswerError(
                    f"CBS table {layout.table_id}: TypedDataSet rows lack "
                    f"measure column {measure.key}"
                )
        yield period, cell, row


def build_observations(layout: TableLayout, rows: Sequence[Record]) -> pd.DataFrame:
    """One row per (year, group, measure) kept (slice_rows)."""
    records: list[dict[str, Any]] = [
        {
            "table_id": layout.table_id,
            "period_code": period.code,
            "year": period.year,
            "provisional": period.provisional,
            "population_group_key": normalise_key(group.key),
            "population_group_title": group.title,
            "measure_key": normalise_key(measure.key),
            "measure_title": measure.title,
            "unit": measure.unit,
            "value": cbs_number(row[measure.key], layout.table_id, measure.key),
        }
        for period, group, row in slice_rows(layout, layout.periods, rows)
        for measure in layout.measures
    ]
    frame = pd.DataFrame.from_records(records, columns=OBSERVATION_COLUMNS)
    return frame.astype({"year": "int64", "provisional": "bool", "value": "float64"}).sort_values(
        ["period_code", "population_group_key", "measure_key"], ignore_index=True
    )
