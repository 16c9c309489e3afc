"""The annex as one document model, rendered alike to Word, Markdown and Excel.

Sections hold paragraphs (a sentence with an optional source note), tables and figures; the
renderers only decide how each block looks. Cell values stay typed (numbers, dates, booleans)
so the workbook keeps numbers as numbers and the prose renderers format them the Dutch way.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from via_pipeline.core.dutch import format_date, format_decimal, format_integer
from via_pipeline.core.letter.charts import (
    BreakdownChart,
    RenderedChart,
    SeriesBreak,
    breakdown_caption,
    whole_groups,
)
from via_pipeline.core.letter.config import KeyFigureConfig, Theme
from via_pipeline.core.letter.progress import (
    THEME_COUNT_COLUMNS,
    reporting_summary_nl,
    theme_summary_nl,
)

# How a cell reads in prose when it has no value: "niet beschikbaar".
MISSING_CELL = "n.b."
# "year" is a whole number without a thousands separator (2008, not 2.008).
CELL_KINDS = ("text", "integer", "year", "decimal", "date", "boolean")


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"


@dataclass(frozen=True)
class LetterTable:
    """A table of the letter: its sheet name in the workbook, its caption, columns and rows."""

    sheet: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]


@dataclass(frozen=True)
class Paragraph:
    text: str
    note: str | None = None  # the source, as a footnote


@dataclass(frozen=True)
class TableBlock:
    table: LetterTable


@dataclass(frozen=True)
class FigureBlock:
    path: Path
    caption: str


Block = Paragraph | TableBlock | FigureBlock


@dataclass(frozen=True)
class Section:
    heading: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Annex:
    reporting_year: int
    title: str
    introduction: str
    sections: tuple[Section, ...]
    workbook: tuple[LetterTable, ...] = field(default=())
    # Shown in the Word file only: the Markdown twin is for review diffs, which must not
    # change just because the annex was rebuilt on another day.
    generated_on: date | None = None

    def generated_line(self) -> str | None:
        if self.generated_on is None:
            return None
        return f"Gemaakt op {format_date(self.generated_on)}."


def name_sort_key(name: Any) -> str:
    """How readers expect names sorted: case and accents ignored ("AWVN" after "Algemene Bond",
    "Ö" with "O")."""
    decomposed = unicodedata.normalize("NFKD", "" if name is None else str(name))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def sort_by_name(frame: pd.DataFrame, name_column: str, tie_breaker: str) -> pd.DataFrame:
    """The rows in reader's order of `name_column` (name_sort_key), then `tie_breaker`."""
    if frame.empty:
        return frame.reset_index(drop=True)
    keys = frame[name_column].map(name_sort_key)
    order = sorted(
        range(len(frame)),
        key=lambda i: (keys.iloc[i], str(frame[tie_breaker].iloc[i])),
    )
    return frame.iloc[order].reset_index(drop=True)


def format_cell(value: Any, kind: str) -> str:
    """A cell as the annex's prose shows it: 3,2 / 1.234 / 27 november 2023 / ja."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return MISSING_CELL
    if kind == "decimal":
        return format_decimal(float(value))
    if kind == "integer":
        return format_integer(int(value))
    if kind == "year":
        return str(int(value))
    if kind == "date":
        if isinstance(value, datetime):
            return format_date(value.date())
        if isinstance(value, date):
            return format_date(value)
        return format_date(pd.Timestamp(value).date())
    if kind == "boolean":
        return "ja" if bool(value) else "nee"
    return str(value)


def plain_value(value: Any) -> Any:
    """pandas' missing values and timestamps as plain Python values."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item"):
        return value.item()
    return value


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


def figure_caption(
    indicator: str,
    config: KeyFigureConfig,
    breaks: Sequence[SeriesBreak],
    number: int | None = None,
) -> str:
    """The chart's caption; it speaks of the dashed line only when the chart has one."""
    label = "Figuur." if number is None else f"Figuur {number}."
    caption = (
        f"{label} {config.indicator_label(indicator)}, verschil per groep met "
        f"{config.group_sentence(config.charts.reference_group)}."
    )
    if breaks:
        years = " en ".join(str(found.year) for found in breaks)
        tables = ", ".join(found.source_table for found in breaks)
        noun = "markeert de trendbreuk" if len(breaks) == 1 else "markeren de trendbreuken"
        line = "De stippellijn" if len(breaks) == 1 else "De stippellijnen"
        caption += (
            f" {line} bij {years} {noun}: daar begint een nieuwe CBS-reeks (tabel {tables}); "
            "lijnen van verschillende reeksen worden niet verbonden."
        )
    return caption + " Jaren zonder cijfer worden niet ingevuld."


def _number_tables(sections: Sequence[Section]) -> list[Section]:
    """ "Tabel 1. ...", "Tabel 2. ..." in document order, so the letter can refer to them."""
    numbered: list[Section] = []
    count = 0
    for section in sections:
        blocks: list[Block] = []
        for block in section.blocks:
            if isinstance(block, TableBlock):
                count += 1
                table = replace(block.table, title=f"Tabel {count}. {block.table.title}")
                blocks.append(TableBlock(table))
            else:
                blocks.append(block)
        numbered.append(Section(section.heading, tuple(blocks)))
    return numbered


def _ordered_key_figures(key_figures: pd.DataFrame, config: KeyFigureConfig) -> pd.DataFrame:
    order = {spec.figure_key: index for index, spec in enumerate(config.figures)}
    return (
        key_figures.assign(
            _order=key_figures["figure_key"].map(lambda key: order.get(key, len(order)))
        )
        .sort_values(["_order", "figure_key", "year"])
        .drop(columns="_order")
        .reset_index(drop=True)
    )


def build_annex(
    reporting_year: int,
    config: KeyFigureConfig,
    themes: Sequence[Theme],
    key_figures: pd.DataFrame,
    theme_progress: pd.DataFrame,
    partner_reporting: pd.DataFrame,
    actions: pd.DataFrame,
    gaps: pd.DataFrame,
    charts: Mapping[str, RenderedChart],
    generated_on: date,
    extra_sections: Sequence[Section] = (),
    extra_workbook: Sequence[LetterTable] = (),
    breakdown_charts: Mapping[str, tuple[BreakdownChart, Path]] | None = None,
) -> Annex:
    """The annex of one reporting year from the letter tables (as stored in the warehouse).

    `extra_sections` (progress across years) follow the themes; `extra_workbook` tables follow
    the workbook's own.
    """
    key_figures = _ordered_key_figures(key_figures, config)
    # The warehouse returns rows in no particular order: the letter's order is set here.
    theme_progress = theme_progress.sort_values(["theme_order", "theme"]).reset_index(drop=True)
    partner_reporting = sort_by_name(partner_reporting, "partner_name", "partner_id")
    actions = sort_by_name(actions, "partner_name", "action_id")
    key_blocks: list[Block] = []
    for _key, statement in key_figures.groupby("figure_key", sort=False):
        first = statement.iloc[0]
        key_blocks.append(Paragraph(str(first["text_nl"]), str(first["source"])))
    if key_figures.empty:
        key_blocks.append(Paragraph("Er zijn geen kerncijfers geconfigureerd."))
    else:
        key_blocks.append(TableBlock(key_figure_table(key_figures, config)))
    for number, (indicator, chart) in enumerate(charts.items(), start=1):
        key_blocks.append(
            FigureBlock(chart.path, figure_caption(indicator, config, chart.breaks_drawn, number))
        )
    for number, (breakdown_figure, path) in enumerate(
        (breakdown_charts or {}).values(), start=len(charts) + 1
    ):
        key_blocks.append(FigureBlock(path, breakdown_caption(breakdown_figure, config, number)))
    sections = [Section("Kerncijfers", tuple(key_blocks))]

    progress_by_theme = {str(row["theme"]): row for row in theme_progress.to_dict("records")}
    theme_titles = {theme.code: theme.title for theme in themes}
    actions = actions.assign(
        theme_title=actions["theme"].map(lambda code: theme_titles.get(code, code))
    )
    ordered_themes = sorted(
        progress_by_theme.values(), key=lambda row: (int(row["theme_order"]), str(row["theme"]))
    ) or [
        {"theme": t.code, "theme_title": t.title, "theme_order": t.order, "action_count": 0}
        for t in themes
    ]
    for row in ordered_themes:
        title = str(row["theme_title"])
        blocks: list[Block] = [Paragraph(theme_summary_nl(row, reporting_year))]
        theme_actions = actions[actions["theme"] == row["theme"]]
        if not theme_actions.empty:
            blocks.append(
                TableBlock(action_table(theme_actions, title[:31], f"Acties: {title}", False))
            )
        sections.append(Section(title, tuple(blocks)))

    sections.extend(extra_sections)
    reported = int(partner_reporting["has_accepted_submission"].astype(bool).sum())
    sections.append(
        Section(
            "Partneroverzicht",
            (
                Paragraph(reporting_summary_nl(reported, len(partner_reporting))),
                TableBlock(partner_table(partner_reporting)),
            ),
        )
    )
    sections = _number_tables(sections)
    workbook = (
        key_figure_table(key_figures, config, for_workbook=True),
        theme_progress_table(theme_progress),
        partner_table(partner_reporting),
        action_table(actions, "Acties", "Alle gerapporteerde acties", True),
        gap_series_table(gaps, config),
        *(breakdown_table(gaps, breakdown, config) for breakdown in config.charts.breakdowns),
        *extra_workbook,
    )
    introduction = (
        f"Deze bijlage bij de voortgangsbrief Werkagenda VIA over {reporting_year} is gemaakt "
        "uit het datawarehouse van de monitor: de kerncijfers uit CBS-tabellen, de voortgang uit "
        "de jaarlijkse rapportages van de partners."
    )
    return Annex(
        reporting_year=reporting_year,
        title=f"Bijlage voortgang Werkagenda VIA {reporting_year}",
        introduction=introduction,
        sections=tuple(sections),
        workbook=workbook,
        generated_on=generated_on,
    )
