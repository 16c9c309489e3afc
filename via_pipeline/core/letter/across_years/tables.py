"""Writing the progress-across-years tables of one reporting year, in one transaction.

letter.action_progress, letter.progress_movements, letter.agenda_progress and
quality.action_warnings are replaced for the year together, so they always describe the same
partner files; a rerun gives the same rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import pandas as pd

from via_pipeline.core.letter.across_years.agenda import agenda_progress_frame
from via_pipeline.core.letter.across_years.movements import (
    action_progress_frame,
    progress_movements_frame,
)
from via_pipeline.core.letter.across_years.warnings import action_warnings_frame
from via_pipeline.core.letter.across_years.wording import ProgressWording, theme_sentence_nl
from via_pipeline.core.letter.config import Theme
from via_pipeline.core.letter.programmes import (
    Programme,
    Programmes,
    load_programmes,
    of_programme,
    programme_themes,
    with_programme,
)
from via_pipeline.core.warehouse import WarehouseStore, load_sql

ACTION_PROGRESS_TABLE = "letter.action_progress"
PROGRESS_MOVEMENTS_TABLE = "letter.progress_movements"
AGENDA_PROGRESS_TABLE = "letter.agenda_progress"
ACTION_WARNINGS_TABLE = "quality.action_warnings"


@dataclass(frozen=True)
class ProgressTables:
    action_progress: pd.DataFrame
    movements: pd.DataFrame
    agenda: pd.DataFrame
    warnings: pd.DataFrame


def read_actions(store: WarehouseStore, first_year: int, last_year: int) -> pd.DataFrame:
    return store.read(
        load_sql("select_letter_progress_actions"),
        {"first_year": first_year, "last_year": last_year},
    )


def build_progress_tables(
    actions: pd.DataFrame,
    themes: Sequence[Theme],
    partner_ids: Sequence[str],
    wording: ProgressWording,
    reporting_year: int,
    reported: tuple[Sequence[str], Sequence[str]] | None = None,
) -> ProgressTables:
    """The four tables from the actions of the agenda's years so far (pure).

    `reported`: the partners that sent a file the year before and the year (by default those
    with an action in `actions`; a programme's tables pass every file's partners)."""
    previous = actions[actions["reporting_year"] == reporting_year - 1]
    current = actions[actions["reporting_year"] == reporting_year]
    progress = action_progress_frame(previous, current, reporting_year, *(reported or (None, None)))
    movements = progress_movements_frame(
        progress,
        reporting_year,
        [theme.code for theme in themes],
        partner_ids,
        lambda counts: theme_sentence_nl(counts, wording, reporting_year),
    )
    agenda = agenda_progress_frame(
        actions, [theme.code for theme in themes], wording.first_year, reporting_year
    )
    submissions = {
        str(partner): str(sha)
        for partner, sha in zip(current["partner_id"], current["submission_sha256"], strict=True)
    }
    warnings = action_warnings_frame(progress, submissions, wording, reporting_year)
    return ProgressTables(progress, movements, agenda, warnings)


def programme_progress_tables(
    actions: pd.DataFrame,
    themes: Sequence[Theme],
    partner_ids: Sequence[str],
    wording: ProgressWording,
    reporting_year: int,
    programmes: Programmes,
) -> ProgressTables:
    """The tables of every programme running in the year, each from its own actions only and
    from its own first year (`themes`: the default programme's), `programme` in each row."""

    def partners_in(year: int) -> list[str]:
        return sorted(set(actions.loc[actions["reporting_year"] == year, "partner_id"].astype(str)))

    reported = (partners_in(reporting_year - 1), partners_in(reporting_year))
    parts: list[ProgressTables] = []
    for programme in programmes.running_in(reporting_year):
        tables = build_progress_tables(
            of_programme(actions, programme.code),
            programme_themes(programme, programmes, themes),
            partner_ids,
            programme_wording(wording, programme),
            reporting_year,
            reported,
        )
        parts.append(
            ProgressTables(
                with_programme(tables.action_progress, programme.code),
                with_programme(tables.movements, programme.code),
                with_programme(tables.agenda, programme.code),
                tables.warnings,
            )
        )
    if not parts:  # no programme runs in the year: no rows, the tables' columns
        empty = build_progress_tables(actions.iloc[0:0], themes, [], wording, reporting_year)
        parts.append(
            ProgressTables(
                with_programme(empty.action_progress, programmes.default).iloc[0:0],
                with_programme(empty.movements, programmes.default).iloc[0:0],
                with_programme(empty.agenda, programmes.default).iloc[0:0],
                empty.warnings,
            )
        )
    return ProgressTables(
        *(
            pd.concat([getattr(part, name) for part in parts], ignore_index=True)
            for name in ("action_progress", "movements", "agenda", "warnings")
        )
    )


def programme_wording(wording: ProgressWording, programme: Programme) -> ProgressWording:
    """The progress wording of a programme: its agenda starts in the programme's first year."""
    return replace(wording, first_year=max(wording.first_year, programme.first_year))


def write_progress_tables(
    store: WarehouseStore,
    themes: Sequence[Theme],
    partner_ids: Sequence[str],
    wording: ProgressWording,
    reporting_year: int,
    programmes: Programmes | None = None,
) -> ProgressTables:
    """Build and store the year's progress tables, per programme running that year
    (config/programmes.yaml by default); the year's old rows are replaced."""
    programmes = programmes or load_programmes()
    where = {"reporting_year": reporting_year}
    with store.transaction() as conn:
        actions = store.read_in(
            conn,
            load_sql("select_letter_progress_actions"),
            {
                "first_year": min(wording.first_year, reporting_year - 1),
                "last_year": reporting_year,
            },
        )
        tables = programme_progress_tables(
            actions, themes, partner_ids, wording, reporting_year, programmes
        )
        store.replace(ACTION_PROGRESS_TABLE, tables.action_progress, where=where, conn=conn)
        store.replace(PROGRESS_MOVEMENTS_TABLE, tables.movements, where=where, conn=conn)
        store.replace(AGENDA_PROGRESS_TABLE, tables.agenda, where=where, conn=conn)
        store.replace(ACTION_WARNINGS_TABLE, tables.warnings, where=where, conn=conn)
    return tables
