"""82809NED as the table generator (support/cbs_tables.py) builds it, with every cell CBS's
published figure where the project's reference file has one (fixtures/cbs/
cbs_published_cells.csv, copied from StatLine pages) and empty where it has none: a test gets
real, plausible series, never numbers derived from our own config."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from via_pipeline_tests.support.cbs_replay import Recording
from via_pipeline_tests.support.cbs_tables import Table, recording, table_82809

REFERENCE_CELLS = (
    Path(__file__).resolve().parents[1] / "fixtures" / "cbs" / "cbs_published_cells.csv"
)
# The reference file's column for each dimension of 82809NED (cbs_published_cells.md).
COLUMNS_82809 = {
    "Geslacht": "geslacht",
    "Leeftijd": "startkwalificatie_or_leeftijd",
    "Migratieachtergrond": "herkomstland_or_migratieachtergrond",
}


def published_cells(table_id: str) -> dict[tuple[str, ...], float]:
    """(dimension titles in the file's column order..., year, measure title) -> value, yearly
    periods only; the measure title without the unit the page prints after it."""
    cells: dict[tuple[str, ...], float] = {}
    with REFERENCE_CELLS.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["table_id"] != table_id or not row["period"].isdigit():
                continue
            measure = row["measure"].rsplit(" (", 1)[0]
            titles = tuple(row[column] for column in COLUMNS_82809.values())
            cells[(*titles, row["period"], measure)] = float(row["value"])
    return cells


def published_82809() -> Recording:
    """82809NED's recording with the published figures in its yearly cells, the rest empty."""
    table = table_82809()
    recorded = recording(table)
    published = published_cells(table.table_id)
    titles = {
        dimension.key: {category.key: category.title for category in dimension.categories}
        for dimension in table.dimensions
    }
    for row in recorded[table.table_id]["TypedDataSet"]:
        period = str(row["Perioden"])
        point = tuple(titles[key][str(row[key]).strip()] for key in COLUMNS_82809)
        for measure in table.measures:
            row[measure.key] = (
                published.get((*point, period[:4], measure.title))
                if period.endswith("JJ00")
                else None
            )
    return recorded


def set_cell(
    recorded: Recording, group_title: str, year: int, measure_key: str, value: Any
) -> None:
    """Put `value` in 82809NED's cell of a Migratieachtergrond category (by title), at the
    whole population (Totaal mannen en vrouwen, 15 tot 75 jaar), for a yearly period."""
    table = table_82809()
    keys = {
        dimension.key: {category.title: category.key for category in dimension.categories}
        for dimension in table.dimensions
    }
    wanted = {
        "Geslacht": keys["Geslacht"]["Totaal mannen en vrouwen"],
        "Leeftijd": keys["Leeftijd"]["15 tot 75 jaar"],
        "Migratieachtergrond": keys["Migratieachtergrond"][group_title],
    }
    (row,) = [
        row
        for row in recorded[table.table_id]["TypedDataSet"]
        if row["Perioden"] == f"{year}JJ00"
        and all(str(row[key]).strip() == category for key, category in wanted.items())
    ]
    row[measure_key] = value


def with_empty(recorded: Recording, table: Table) -> Recording:
    """`recorded` plus `table` with every cell empty: published figures of 82809NED alone, while
    the catalogue still finds every table, measure and group it names."""
    extra = recording(table)[table.table_id]
    for row in extra["TypedDataSet"]:
        for measure in table.measures:
            row[measure.key] = None
    return {**recorded, table.table_id: extra}
