"""The figures a programme's letter states, kept at approval (letter.release_figures) and built
again after each build to find the revised ones:

- (a letter with CBS key figures, config/programmes.yaml `cbs_key_figures`) each key figure of letter.key_figures (statement and year): the gap in pp, with its Dutch
  label, the CBS table it comes from, that table's version and whether CBS marked the year
  provisional;
- per theme of the programme, the number of the programme's actions the partners reported for
  the year (`acties:<theme>`): its source version names the year's current partner files (file
  name and sha256). The statushouders letter's figures are these counts only.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from via_pipeline.core.dutch import format_decimal, format_integer
from via_pipeline.core.letter.config import KeyFigureConfig, Theme, load_themes
from via_pipeline.core.letter.programmes import programme_themes
from via_pipeline.core.partners.programmes import Programme, load_programmes
from via_pipeline.core.warehouse import WarehouseStore, load_sql

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
ACTIONS_PREFIX = "acties:"


def is_count(figure_key: str) -> bool:
    """A count of actions (a whole number), not a gap in percentage points."""
    return figure_key.startswith(ACTIONS_PREFIX)


def shown(figure_key: str, value: float | None) -> str:
    """A figure as the run output shows it: "2,9" for a gap, "12" for a count, "n.b."."""
    if value is None or pd.isna(value):
        return "n.b."
    return format_integer(round(value)) if is_count(figure_key) else format_decimal(value)


def letter_themes(programme: Programme | None, themes: Sequence[Theme] | None) -> list[Theme]:
    """The themes of the programme's letter (the default programme's: `themes`, else those of
    config/themes.yaml), as core/letter/programmes.programme_themes gives them."""
    programmes = load_programmes()
    chosen = programme or programmes.get(programmes.default)
    return list(programme_themes(chosen, programmes, load_themes() if themes is None else themes))


def letter_figures(
    store: WarehouseStore,
    config: KeyFigureConfig,
    reporting_year: int,
    themes: Sequence[Theme] | None = None,
    programme: Programme | None = None,
) -> pd.DataFrame:
    """The year's figures of the programme's letter (the default programme's when None) as the
    warehouse holds them now, sorted by figure and period."""
    chosen = programme or load_programmes().get(load_programmes().default)
    figures = store.read_table("letter.key_figures", {"reporting_year": reporting_year})
    if chosen.cbs_key_figures is None:  # a letter with the progress part only
        figures = figures.iloc[0:0]
    tables = store.read("SELECT table_id, source_version FROM cbs.tables")
    gaps = store.read_table("monitor.gaps")
    key = figures_frame(figures, config, tables, gaps)
    counts = action_figures(store, reporting_year, letter_themes(chosen, themes), chosen.code)
    frame = pd.concat([key, counts], ignore_index=True) if not counts.empty else key
    frame["value"] = frame["value"].astype("float64")
    return frame.sort_values(["figure_key", "period"], ignore_index=True)


def partner_files_version(store: WarehouseStore, reporting_year: int) -> str:
    """The year's current accepted partner files: "abu_2024.csv@1a2b3c4d5e6f, …" (or "geen")."""
    files = store.read(
        "SELECT file_name, sha256 FROM partners.submissions "
        "WHERE is_current AND reporting_year = :year ORDER BY file_name",
        {"year": reporting_year},
    )
    parts = [f"{r.file_name}@{str(r.sha256)[:12]}" for r in files.itertuples(index=False)]
    return ", ".join(parts) or "geen"


def action_figures(
    store: WarehouseStore,
    reporting_year: int,
    themes: Sequence[Theme],
    programme: str | None = None,
) -> pd.DataFrame:
    """Per theme, the actions of the programme's letter (the default programme's when None)
    reported for the year, from partners.actions as they are now."""
    aggregates = store.read(
        load_sql("build_letter_theme_progress"),
        {
            "reporting_year": reporting_year,
            "programme": load_programmes().default if programme is None else programme,
        },
    )
    counts = {str(r.theme): int(r.action_count) for r in aggregates.itertuples(index=False)}
    version = partner_files_version(store, reporting_year)
    rows = [
        {
            "figure_key": f"{ACTIONS_PREFIX}{theme.code}",
            "figure_label": f"Acties binnen het thema {theme.title}",
            "period": reporting_year,
            "value": float(counts.get(theme.code, 0)),
            "source_table": None,
            "source_version": version,
            "provisional": None,
        }
        for theme in themes
    ]
    return pd.DataFrame(rows, columns=FIGURE_COLUMNS)


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
