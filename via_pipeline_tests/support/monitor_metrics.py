"""Hand-made monitor.indicators rows for the metric tests: series written as {year: value}."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from via_pipeline.core.cbs.ingest import INDICATOR_COLUMNS


def indicator_rows(
    source_table: str,
    series: Mapping[str, Mapping[int, float | None]],
    indicator: str = "unemployment_rate",
    provisional_years: Iterable[int] = (),
) -> list[dict[str, object]]:
    """One row per group and year; a None value is a cell CBS left empty."""
    provisional = set(provisional_years)
    return [
        {
            "source_table": source_table,
            "year": year,
            "population_group": group,
            "indicator": indicator,
            "value": value,
            "unit": "%",
            "provisional": year in provisional,
        }
        for group, values in series.items()
        for year, value in values.items()
    ]


def indicators_frame(*row_lists: list[dict[str, object]]) -> pd.DataFrame:
    rows = [row for rows in row_lists for row in rows]
    frame = pd.DataFrame(rows, columns=INDICATOR_COLUMNS)
    frame["value"] = frame["value"].astype("float64")
    return frame
