"""The letter's tables: key figures, progress per theme, partners, actions and CBS gaps.

Each builder turns a warehouse frame into a LetterTable with Dutch headers and typed cells;
the annex (annex.py) and the workbook both use them, the workbook with more columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from via_pipeline.core.letter.charts import whole_groups
from via_pipeline.core.letter.config import KeyFigureConfig
from via_pipeline.core.letter.document import Column, LetterTable, plain_value
from via_pipeline.core.letter.progress import THEME_COUNT_COLUMNS


def _rows(frame: pd.DataFrame, columns: Sequence[str]) -> tuple[tuple[Any, ...], ...]:
    return tuple(tuple(plain_value(row[c]) for c in columns) for row in frame.to_dict("records"))


def key_figure_table(
    key_figures: pd.DataFrame, config: KeyFigureConfig, for_workbook: bool = False
) -> LetterTable:
    """The key figures by their readable title (key_figures.yaml); the annex shows title, CBS
    table, year and gap, the workbook adds indicator, groups and the figure_key (to match the
    rows with letter.key_figures)."""
    tables = {spec.figure_key: spec.source_table for spec in config.figures}
    frame = key_figures.assign(
        figure_title=key_figures["figure_key"].map(config.figure_title),
        source_table=key_figures["figure_key"].map(lambda key: tables.get(key)),
        indicator_label=key_figures["indicator"].map(config.indicator_label),
        group_label=key_figures["population_group"].map(config.group_label),
        reference_label=key_figures["reference_group"].map(
            lambda code: config.group_label(code) if isinstance(code, str) else None
        ),
    )
    columns = [
        Column("Kerncijfer"),
        Column("CBS-tabel"),
        Column("Jaar", "year"),
        Column("Verschil (procentpunten)", "decimal"),
    ]
    fields = ["figure_title", "source_table", "year", "value"]
    if for_workbook:
        columns[1:1] = [Column("Indicator"), Column("Groep"), Column("Vergeleken met")]
        fields[1:1] = ["indicator_label", "group_label", "reference_label"]
        columns.append(Column("Code"))
        fields.append("figure_key")
    return LetterTable(
        sheet="Kerncijfers",
        title="Kerncijfers: verschillen in procentpunten",
        columns=tuple(columns),
        rows=_rows(frame, fields),
    )


def theme_progress_table(theme_progress: pd.DataFrame) -> LetterTable:
    return LetterTable(
        sheet="Voortgang per thema",
        title="Voortgang per thema",
        columns=(
            Column("Thema"),
            Column("Partners die rapporteerden", "integer"),
            Column("Acties", "integer"),
            Column("Gepland", "integer"),
            Column("Lopend", "integer"),
            Column("Afgerond", "integer"),
            Column("Gestopt", "integer"),
            Column("Bereikte personen", "integer"),
            Column("Bereikte werkgevers", "integer"),
        ),
        rows=_rows(
            theme_progress,
            ["theme_title", *THEME_COUNT_COLUMNS],
        ),
    )


def partner_table(partner_reporting: pd.DataFrame) -> LetterTable:
    return LetterTable(
        sheet="Partneroverzicht",
        title="Partneroverzicht",
        columns=(
            Column("Partner"),
            Column("Gerapporteerd", "boolean"),
            Column("Ontvangen op", "date"),
            Column("Acties", "integer"),
            Column("Afgewezen bestanden", "integer"),
        ),
        rows=_rows(
            partner_reporting,
            [
                "partner_name",
                "has_accepted_submission",
                "accepted_received_at",
                "action_count",
                "rejected_submission_count",
            ],
        ),
    )


def action_table(actions: pd.DataFrame, sheet: str, title: str, with_theme: bool) -> LetterTable:
    columns = [
        Column("Partner"),
        Column("Actie"),
        Column("Status"),
        # Short headers: seven columns must fit an A4 page without breaking a word.
        Column("Start", "date"),
        Column("Einde", "date"),
        Column("Personen bereikt", "integer"),
        Column("Werkgevers bereikt", "integer"),
    ]
    fields = [
        "partner_name",
        "title",
        "status",
        "start_date",
        "end_date",
        "people_reached",
        "employers_reached",
    ]
    if with_theme:
        columns = [Column("Thema"), *columns, Column("Toelichting")]
        fields = ["theme_title", *fields, "explanation"]
    return LetterTable(sheet, title, tuple(columns), _rows(actions, fields))


def gap_series_table(gaps: pd.DataFrame, config: KeyFigureConfig) -> LetterTable:
    """The figures behind the charts, for checking and for other charts."""
    reference = config.charts.reference_group
    gaps = whole_groups(gaps)
    rows = (
        gaps[
            gaps["indicator"].isin(config.charts.indicators)
            & (gaps["reference_group"] == reference)
        ]
        if not gaps.empty
        else gaps
    )
    rows = rows.sort_values(["indicator", "source_table", "population_group", "year"])
    return _gap_rows_table(
        rows,
        config,
        sheet="Verschillen per jaar",
        title="Verschillen per groep en jaar (gegevens van de grafieken)",
    )


def _gap_rows_table(
    rows: pd.DataFrame,
    config: KeyFigureConfig,
    sheet: str,
    title: str,
    with_codes: bool = False,
) -> LetterTable:
    """monitor.gaps rows as a sheet: labels in words, figures as published; `with_codes` adds
    the group codes so a key-figure sentence can be traced to its cells."""
    frame = rows.assign(
        indicator_label=rows["indicator"].map(config.indicator_label),
        group_label=rows["population_group"].map(config.group_label),
        reference_label=rows["reference_group"].map(config.group_label),
    )
    columns = [
        Column("CBS-tabel"),
        Column("Indicator"),
        Column("Groep"),
        Column("Vergeleken met"),
        Column("Jaar", "year"),
        Column("Waarde groep (%)", "decimal"),
        Column("Waarde vergelijkingsgroep (%)", "decimal"),
        Column("Verschil (procentpunten)", "decimal"),
        Column("Voorlopig", "boolean"),
    ]
    keys = [
        "source_table",
        "indicator_label",
        "group_label",
        "reference_label",
        "year",
        "value",
        "reference_value",
        "gap_pp",
        "provisional",
    ]
    if with_codes:
        columns += [Column("Groepcode"), Column("Vergelijkingsgroepcode")]
        keys += ["population_group", "reference_group"]
    return LetterTable(sheet=sheet, title=title, columns=tuple(columns), rows=_rows(frame, keys))


def breakdown_table(gaps: pd.DataFrame, breakdown: str, config: KeyFigureConfig) -> LetterTable:
    """A breakdown's sheet: every gap row of its groups against their own reference groups,
    the cells the breakdown chart and its key-figure sentences are read from."""
    name = config.charts.breakdowns.get(breakdown, breakdown)
    rows = gaps[gaps["breakdown"] == breakdown] if "breakdown" in gaps.columns else gaps.iloc[0:0]
    rows = rows.sort_values(["indicator", "population_group", "reference_group", "year"])
    return _gap_rows_table(
        rows,
        config,
        sheet=f"Uitsplitsing {name}",
        title=f"Uitsplitsing naar {name}: verschillen per groep en jaar",
        with_codes=True,
    )
