"""Writing the progress-across-years tables of one reporting year, in one transaction.

letter.action_progress, letter.progress_movements, letter.agenda_progress and
quality.action_warnings are replaced for the year together, so they always describe the same
partner files; a rerun gives the same rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from via_pipeline.core.letter.across_years.agenda import agenda_progress_frame
from via_pipeline.core.letter.across_years.movements import (
    action_progress_frame,
    progress_movements_frame,
)
from via_pipeline.core.letter.across_years.warnings import action_warnings_frame
from via_pipeline.core.letter.across_years.wording import ProgressWording, theme_sentence_nl
from via_pipeline.core.letter.config import Theme
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
) -> ProgressTables:
    """The four tables from the actions of the agenda's years so far (pure)."""
    previous = actions[actions["reporting_year"] == reporting_year - 1]
    current = actions[actions["reporting_year"] == reporting_year]
    progress = action_progress_frame(previous, current, reporting_year)
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


def write_progress_tables(
    store: WarehouseStore,
    themes: Sequence[Theme],
    partner_ids: Sequence[str],
    wording: ProgressWording,
    reporting_year: int,
) -> ProgressTables:
    """Build and store the year's progress tables; the year's old rows are replaced."""
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
        tables = build_progress_tables(actions, themes, partner_ids, wording, reporting_year)
        store.replace(ACTION_PROGRESS_TABLE, tables.action_progress, where=where, conn=conn)
        store.replace(PROGRESS_MOVEMENTS_TABLE, tables.movements, where=where, conn=conn)
        store.replace(AGENDA_PROGRESS_TABLE, tables.agenda, where=where, conn=conn)
        store.replace(ACTION_WARNINGS_TABLE, tables.warnings, where=where, conn=conn)
    return tables
