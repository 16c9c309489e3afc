"""The figures a letter states: each key figure of letter.key_figures (statement and year),
with its Dutch label, the CBS table it comes from, that table's version and whether CBS marked
the year provisional. The same frame is kept at approval (letter.release_figures) and built
again after each build, to find the revised ones.
"""

from __future__ import annotations

import pandas as pd

from via_pipeline.core.letter.config import KeyFigureConfig
from via_pipeline.core.warehouse import WarehouseStore

FIGURE_COLUMNS = [
    "figure_key",
    "figure_label",
    "period",
    "value",
    "source_table",
    "source_version",
    "provisional",
]
GAP_KEY = ["source_table", "year", "indicator", "population_group", "reference_group"]


def letter_figures(
    store: WarehouseStore, config: KeyFigureConfig, reporting_year: int
) -> pd.DataFrame:
    """The year's figures as the warehouse holds them now, sorted by figure and period."""
    figures = store.read_table("letter.key_figures", {"reporting_year": reporting_year})
    tables = store.read("SELECT table_id, source_version FROM cbs.tables")
    gaps = store.read_table("monitor.gaps")
    return figures_frame(figures, config, tables, gaps)


def figures_frame(
    key_figures: pd.DataFrame,
    config: KeyFigureConfig,
    tables: pd.DataFrame,
    gaps: pd.DataFrame,
) -> pd.DataFrame:
    """Pure: letter.key_figures rows with label, source table, version and provisional status."""
    specs = {spec.figure_key: spec for spec in config.figures}
    versions = {str(t.table_id): t.source_version for t in tables.itertuples(index=False)}
    provisional: dict[tuple[object, ...], bool] = {}
    for row in gaps.itertuples(index=False):
        key = tuple(getattr(row, column) for column in GAP_KEY)
        provisional[key] = provisional.get(key, False) or bool(row.provisional)
    rows = []
    for row in key_figures.itertuples(index=False):
        spec = specs.get(str(row.figure_key))
        table = spec.source_table if spec is not None else None
        gap_key = (table, int(row.year), row.indicator, row.population_group, row.reference_group)
        rows.append(
            {
                "figure_key": str(row.figure_key),
                "figure_label": config.figure_title(str(row.figure_key)),
                "period": int(row.year),
                "value": None if pd.isna(row.value) else float(row.value),
                "source_table": table,
                "source_version": None if table is None else versions.get(table),
                "provisional": provisional.get(gap_key) if pd.notna(row.value) else None,
            }
        )
    frame = pd.DataFrame(rows, columns=FIGURE_COLUMNS)
    frame["value"] = frame["value"].astype("float64")
    return frame.sort_values(["figure_key", "period"], ignore_index=True)
