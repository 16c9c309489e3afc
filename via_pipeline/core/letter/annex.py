"""The annex of one reporting year: its sections in the letter's order, numbered tables and
figure captions, and the workbook's sheets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pandas as pd

from via_pipeline.core.letter.charts import (
    BreakdownChart,
    RenderedChart,
    SeriesBreak,
    breakdown_caption,
)
from via_pipeline.core.letter.config import KeyFigureConfig, Theme
from via_pipeline.core.letter.document import (
    Annex,
    Block,
    FigureBlock,
    LetterTable,
    Paragraph,
    Section,
    TableBlock,
    sort_by_name,
)
from via_pipeline.core.letter.progress import reporting_summary_nl, theme_summary_nl
from via_pipeline.core.letter.tables import (
    action_table,
    breakdown_table,
    gap_series_table,
    key_figure_table,
    partner_table,
    theme_progress_table,
)


@dataclass(frozen=True)
class AnnexProgramme:
    """Whose letter the annex belongs to (config/programmes.yaml), and the sentence on the
    actions of the other programmes (reported in their own letters)."""

    title: str = "Werkagenda VIA"
    file_prefix: str = "voortgang_via_"
    key_figures: bool = True
    others_sentence: str | None = None

    def introduction(self, reporting_year: int) -> str:
        sources = (
            "de kerncijfers uit CBS-tabellen, de voortgang uit de jaarlijkse rapportages van de "
            "partners."
            if self.key_figures
            else "de voortgang uit de jaarlijkse rapportages van de partners."
        )
        text = (
            f"Deze bijlage bij de voortgangsbrief {self.title} over {reporting_year} is gemaakt "
            f"uit het datawarehouse van de monitor: {sources}"
        )
        return f"{text} {self.others_sentence}" if self.others_sentence else text


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
    generated_on: date | None,
    extra_sections: Sequence[Section] = (),
    extra_workbook: Sequence[LetterTable] = (),
    breakdown_charts: Mapping[str, tuple[BreakdownChart, Path]] | None = None,
    quarter_blocks: Sequence[Block] = (),
    programme: AnnexProgramme | None = None,
    after_key_figures: Sequence[Section] = (),
) -> Annex:
    """The annex of one reporting year from the letter tables (as stored in the warehouse).

    `extra_sections` (progress across years) follow the themes; `extra_workbook` tables follow
    the workbook's own; `quarter_blocks` (core/letter/quarter_annex.py) end the key figures;
    `after_key_figures` (revisions since the previous letter) follow the key figures.
    `programme`: whose letter (by default Werkagenda VIA's, with its CBS key figures); a letter
    without key figures has no Kerncijfers part, charts or CBS sheets.
    """
    programme = programme or AnnexProgramme()
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
    key_blocks.extend(quarter_blocks)
    sections = [Section("Kerncijfers", tuple(key_blocks))] if programme.key_figures else []
    sections.extend(after_key_figures)

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
    cbs_sheets = programme.key_figures
    workbook = (
        *([key_figure_table(key_figures, config, for_workbook=True)] if cbs_sheets else []),
        theme_progress_table(theme_progress),
        partner_table(partner_reporting),
        action_table(actions, "Acties", "Alle gerapporteerde acties", True),
        *([gap_series_table(gaps, config)] if cbs_sheets else []),
        *(
            breakdown_table(gaps, breakdown, config)
            for breakdown in (config.charts.breakdowns if cbs_sheets else ())
        ),
        *extra_workbook,
    )
    return Annex(
        reporting_year=reporting_year,
        title=f"Bijlage voortgang {programme.title} {reporting_year}",
        introduction=programme.introduction(reporting_year),
        sections=tuple(sections),
        workbook=workbook,
        generated_on=generated_on,
        file_prefix=programme.file_prefix,
        programme_title=programme.title,
    )
