"""Building the letter's tables and files from the warehouse: the work behind the letter assets.

Each function reads its inputs through the WarehouseStore, calls the pure functions of this
package and replaces the reporting year's rows in one transaction, so a rerun of a year gives
the same result and a failure leaves the previous rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from via_pipeline.core.cbs.catalogue import load_catalogue
from via_pipeline.core.letter.across_years.agenda import partner_years_frame
from via_pipeline.core.letter.across_years.annex import ProgressAnnex, build_progress_annex
from via_pipeline.core.letter.across_years.chart import (
    render_status_chart,
    status_bars,
    status_chart_file_name,
)
from via_pipeline.core.letter.across_years.tables import (
    ACTION_PROGRESS_TABLE,
    AGENDA_PROGRESS_TABLE,
    PROGRESS_MOVEMENTS_TABLE,
    programme_wording,
    read_actions,
)
from via_pipeline.core.letter.across_years.wording import ProgressWording, load_progress_wording
from via_pipeline.core.letter.annex import AnnexProgramme, build_annex
from via_pipeline.core.letter.charts import (
    BreakdownChart,
    RenderedChart,
    render_breakdown_charts,
    render_gap_charts,
)
from via_pipeline.core.letter.config import KeyFigureConfig, Theme
from via_pipeline.core.letter.document import Annex, Section
from via_pipeline.core.letter.files import AnnexFiles, write_annex_files, year_output_dir
from via_pipeline.core.letter.key_figures import (
    build_key_figures,
    key_figures_frame,
    source_tables_from_frame,
)
from via_pipeline.core.letter.programmes import (
    PROGRAMME_COLUMN,
    Programme,
    Programmes,
    load_programmes,
    of_programme,
    programme_themes,
    separately_reported_nl,
    slices,
    with_programme,
)
from via_pipeline.core.letter.progress import complete_theme_progress, partner_reporting_frame
from via_pipeline.core.letter.quarter_annex import QuarterlyPart, quarterly_part
from via_pipeline.core.warehouse import WarehouseStore, load_sql

KEY_FIGURES_TABLE = "letter.key_figures"
THEME_PROGRESS_TABLE = "letter.theme_progress"
PARTNER_REPORTING_TABLE = "letter.partner_reporting"


def write_key_figures(
    store: WarehouseStore, config: KeyFigureConfig, reporting_year: int
) -> pd.DataFrame:
    """letter.key_figures for the year, from monitor.gaps, monitor.indicators and cbs.tables."""
    gaps = store.read_table("monitor.gaps")
    tables = source_tables_from_frame(store.read(load_sql("select_letter_source_tables")))
    table_years = store.read(load_sql("select_letter_table_years"))
    periods = store.read(load_sql("select_letter_table_periods"))
    figures = build_key_figures(config, gaps, tables, reporting_year, table_years, periods)
    frame = key_figures_frame(figures, reporting_year)
    store.replace(KEY_FIGURES_TABLE, frame, where={"reporting_year": reporting_year})
    return frame


def write_theme_progress(
    store: WarehouseStore,
    themes: Sequence[Theme],
    reporting_year: int,
    programmes: Programmes | None = None,
) -> pd.DataFrame:
    """letter.theme_progress for the year: one row per programme running that year and theme
    of its letter, from that programme's partners.actions (`themes`: the default programme's)."""
    programmes = programmes or load_programmes()
    with store.transaction() as conn:
        parts = []
        for programme in programmes.running_in(reporting_year):
            aggregates = store.read_in(
                conn,
                load_sql("build_letter_theme_progress"),
                {"reporting_year": reporting_year, "programme": programme.code},
            )
            own_themes = programme_themes(programme, programmes, themes)
            parts.append(
                with_programme(
                    complete_theme_progress(aggregates, own_themes, reporting_year),
                    programme.code,
                )
            )
        frame = slices(parts, store.table_columns(THEME_PROGRESS_TABLE, conn))
        store.replace(
            THEME_PROGRESS_TABLE, frame, where={"reporting_year": reporting_year}, conn=conn
        )
    return frame


def write_partner_reporting(
    store: WarehouseStore, reporting_year: int, programmes: Programmes | None = None
) -> pd.DataFrame:
    """letter.partner_reporting for the year: per programme running that year, every registry
    partner taking part that year (its file, and its actions of that programme)."""
    programmes = programmes or load_programmes()
    with store.transaction() as conn:
        parts = []
        for programme in programmes.running_in(reporting_year):
            rows = store.read_in(
                conn,
                load_sql("build_letter_partner_reporting"),
                {"reporting_year": reporting_year, "programme": programme.code},
            )
            parts.append(
                with_programme(partner_reporting_frame(rows, reporting_year), programme.code)
            )
        frame = slices(parts, store.table_columns(PARTNER_REPORTING_TABLE, conn))
        store.replace(
            PARTNER_REPORTING_TABLE, frame, where={"reporting_year": reporting_year}, conn=conn
        )
    return frame


@dataclass(frozen=True)
class WrittenAnnex:
    annex: Annex
    files: AnnexFiles
    charts: dict[str, RenderedChart]

    status_chart: Path | None = None
    breakdown_charts: tuple[Path, ...] = ()
    quarter_chart: Path | None = None

    def paths(self) -> list[Path]:
        extra = [self.status_chart] if self.status_chart else []
        extra += [self.quarter_chart] if self.quarter_chart else []
        return [
            *self.files.all(),
            *(chart.path for chart in self.charts.values()),
            *self.breakdown_charts,
            *extra,
        ]


def progress_annex(
    store: WarehouseStore,
    themes: Sequence[Theme],
    wording: ProgressWording,
    reporting_year: int,
    output_dir: Path,
    figure_number: int,
    programme: Programme | None = None,
) -> tuple[ProgressAnnex, Path]:
    """The progress-across-years part of the annex, from the year's stored progress tables of
    the programme (the default one when None), and the status chart over its years so far
    (rendered into the year's folder). `wording` and `themes` are the programme's."""
    if programme is None:
        configured = load_programmes()
        programme = configured.get(configured.default)
    where = {"reporting_year": reporting_year, "programme": programme.code}
    years = wording.agenda_years(reporting_year)
    every_programme = read_actions(store, years[0] if years else reporting_year, reporting_year)
    actions = of_programme(every_programme, programme.code)
    registry = store.read_table("partners.registry")
    bars = status_bars(actions, themes, years or [reporting_year])
    chart = render_status_chart(
        bars,
        year_output_dir(output_dir, reporting_year)
        / status_chart_file_name(reporting_year, programme.file_prefix),
    )
    part = build_progress_annex(
        reporting_year,
        themes,
        wording,
        store.read_table(ACTION_PROGRESS_TABLE, where),
        store.read_table(PROGRESS_MOVEMENTS_TABLE, where),
        store.read_table(AGENDA_PROGRESS_TABLE, where),
        # A partner reported in a year when it sent a file, whatever its actions' programmes.
        partner_years_frame(registry, every_programme, wording.first_year, reporting_year),
        dict(zip(registry["partner_id"], registry["name"], strict=True)),
        (chart, bars),
        figure_number,
    )
    return part, chart


def inputs_date(store: WarehouseStore, reporting_year: int) -> date | None:
    """The day of the newest input of the year's annex (sql/select_letter_inputs_time.sql);
    None when no input carries a time (only the snapshot, no partner file yet)."""
    newest = store.read(load_sql("select_letter_inputs_time"), {"reporting_year": reporting_year})
    value = newest["newest"].iloc[0] if not newest.empty else None
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


def write_annex(
    store: WarehouseStore,
    config: KeyFigureConfig,
    themes: Sequence[Theme],
    reporting_year: int,
    output_dir: Path,
    generated_on: date | None = None,
    wording: ProgressWording | None = None,
    programme: str | None = None,
    programmes: Programmes | None = None,
    after_key_figures: Sequence[Section] = (),
) -> WrittenAnnex:
    """The annex files of one programme's letter (the default programme's when None) of the
    year in <output_dir>/<year>/, from the letter tables as stored. Only the programme's own
    actions count; the default programme's letter says in one sentence how many actions of
    the others are reported apart. A programme without CBS key figures (config) gets the
    progress part only. `themes`: the default programme's letter themes.

    `generated_on`: the date the files carry; by default the day of the newest input
    (inputs_date), so two builds from the same inputs give byte-identical files.
    `after_key_figures`: sections that follow the key figures (the revisions since the
    previous letter, core/letter/releases/section.py).
    """
    programmes = programmes or load_programmes()
    chosen = programmes.get(programme or programmes.default)
    themes = programme_themes(chosen, programmes, themes)
    wording = programme_wording(wording or load_progress_wording(), chosen)
    if generated_on is None:
        generated_on = inputs_date(store, reporting_year)
    where = {"reporting_year": reporting_year, "programme": chosen.code}
    with_key_figures = chosen.cbs_key_figures is not None
    key_figures = store.read_table(KEY_FIGURES_TABLE, {"reporting_year": reporting_year})
    if not with_key_figures:
        key_figures = key_figures.iloc[0:0]
    theme_progress = store.read_table(THEME_PROGRESS_TABLE, where)
    partner_reporting = store.read_table(PARTNER_REPORTING_TABLE, where)
    every_action = store.read(load_sql("select_letter_actions"), {"reporting_year": reporting_year})
    actions = of_programme(every_action, chosen.code).drop(columns=[PROGRAMME_COLUMN])
    gaps = store.read_table("monitor.gaps")
    charts: dict[str, RenderedChart] = {}
    breakdown_charts: dict[str, tuple[BreakdownChart, Path]] = {}
    quarters = QuarterlyPart()
    if with_key_figures:
        # Where each CBS series begins (the catalogue's first_year, where given; else the
        # data's first year), for the charts' break marks.
        first_years = {
            table.table_id: table.first_year
            for table in load_catalogue().tables
            if table.first_year is not None
        }
        charts = render_gap_charts(
            gaps, config, year_output_dir(output_dir, reporting_year), reporting_year, first_years
        )
        breakdown_charts = render_breakdown_charts(
            gaps, config, year_output_dir(output_dir, reporting_year), reporting_year
        )
        quarters = quarterly_part(  # issue 24: after the yearly key figures
            store,
            config,
            reporting_year,
            year_output_dir(output_dir, reporting_year),
            len(charts) + len(breakdown_charts) + 1,
        )
    progress, status_chart = progress_annex(
        store,
        themes,
        wording,
        reporting_year,
        output_dir,
        len(charts) + len(breakdown_charts) + quarters.figures + 1,
        chosen,
    )
    others = (
        separately_reported_nl(every_action, chosen, programmes, reporting_year)
        if chosen.code == programmes.default
        else None
    )
    annex = build_annex(
        reporting_year,
        config,
        themes,
        key_figures,
        theme_progress,
        partner_reporting,
        actions,
        gaps,
        charts,
        generated_on,
        progress.sections,
        (*quarters.workbook, *progress.workbook),
        breakdown_charts,
        quarters.blocks,
        AnnexProgramme(chosen.title, chosen.file_prefix, with_key_figures, others),
        after_key_figures,
    )
    return WrittenAnnex(
        annex,
        write_annex_files(annex, output_dir),
        charts,
        status_chart,
        tuple(path for _chart, path in breakdown_charts.values()),
        quarters.chart,
    )


def write_programme_annexes(
    store: WarehouseStore,
    config: KeyFigureConfig,
    themes: Sequence[Theme],
    reporting_year: int,
    output_dir: Path,
    programmes: Programmes | None = None,
    after_key_figures: Mapping[str, Sequence[Section]] | None = None,
) -> dict[str, WrittenAnnex]:
    """The annex of every programme running in the year, each into its own files, by code.
    `after_key_figures`, by programme code: the sections of its letter that follow the key
    figures (the revisions of that programme's previous sent letter, core/letter/releases)."""
    programmes = programmes or load_programmes()
    return {
        programme.code: write_annex(
            store,
            config,
            themes,
            reporting_year,
            output_dir,
            programme=programme.code,
            programmes=programmes,
            after_key_figures=(after_key_figures or {}).get(programme.code, ()),
        )
        for programme in programmes.running_in(reporting_year)
    }
