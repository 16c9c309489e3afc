"""The annex's progress-across-years part: a section "Voortgang ten opzichte van <vorig jaar>"
with each theme's sentence and table and the status chart, a section on the agenda so far, and
the workbook's row-level tables. Built from the tables as stored, like the rest of the annex."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from via_pipeline.core.dutch import format_year_span
from via_pipeline.core.letter.across_years.agenda import AGENDA_COUNT_COLUMNS
from via_pipeline.core.letter.across_years.chart import StatusBars, status_chart_caption
from via_pipeline.core.letter.across_years.movements import MOVEMENTS
from via_pipeline.core.letter.across_years.wording import ProgressWording, partners_sentence_nl
from via_pipeline.core.letter.config import Theme
from via_pipeline.core.letter.document import (
    Block,
    Column,
    FigureBlock,
    LetterTable,
    Paragraph,
    Section,
    TableBlock,
    plain_value,
    sort_by_name,
)

MOVEMENT_HEADERS = {
    "open_previous": "Vorig jaar gepland of lopend",
    "new": "Nieuw",
    "continued": "Status gelijk",
    "advanced": "Verder gekomen",
    "completed": "Afgerond",
    "stopped": "Gestopt",
    "not_reported_again": "Niet opnieuw gerapporteerd",
    "closed_before": "Al eerder afgesloten",
    "moved_back": "Status teruggezet",
    "partner_absent_previous": "Partner vorig jaar niet gerapporteerd",
    "partner_absent_current": "Partner dit jaar niet gerapporteerd",
}


@dataclass(frozen=True)
class ProgressAnnex:
    sections: tuple[Section, ...]
    workbook: tuple[LetterTable, ...]


def _status(value: object) -> str:
    return "—" if plain_value(value) is None else str(value)


def _note(row: Mapping[str, object], titles: Mapping[str, str], previous_year: int) -> str:
    notes = []
    if row["theme_changed"]:
        before = str(row["previous_theme"])
        notes.append(f"thema in {previous_year}: {titles.get(before, before)}")
    if row["title_changed"]:
        notes.append(f"titel in {previous_year}: {row['previous_title']}")
    return "; ".join(notes)


def theme_action_table(
    rows: pd.DataFrame,
    theme_title: str,
    wording: ProgressWording,
    titles: Mapping[str, str],
    reporting_year: int,
) -> LetterTable:
    previous = reporting_year - 1
    records = rows.to_dict("records")
    notes = [_note(row, titles, previous) for row in records]
    columns = [
        Column("Partner"),
        Column("Actie-id"),
        Column("Actie"),
        Column(f"Status {previous}"),
        Column(f"Status {reporting_year}"),
        Column("Beweging"),
    ]
    table_rows = [
        [
            row["partner_name"],
            row["action_id"],
            row["title"],
            _status(row["previous_status"]),
            _status(row["current_status"]),
            wording.movement_label(str(row["movement"])),
        ]
        for row in records
    ]
    if any(notes):
        # Only when some action changed theme or title: an empty column costs the page width.
        columns.append(Column("Opmerking"))
        for cells, note in zip(table_rows, notes, strict=True):
            cells.append(note)
    return LetterTable(
        sheet=theme_title[:31],
        title=f"Acties {previous} en {reporting_year}: {theme_title}",
        columns=tuple(columns),
        rows=tuple(tuple(cells) for cells in table_rows),
    )


def movements_table(
    movements: pd.DataFrame, labels: Mapping[str, str], scope_header: str, sheet: str, title: str
) -> LetterTable:
    columns = ("open_previous", *MOVEMENTS)
    return LetterTable(
        sheet=sheet,
        title=title,
        columns=(
            Column(scope_header),
            *(Column(MOVEMENT_HEADERS[c], "integer") for c in columns),
        ),
        rows=tuple(
            (
                labels.get(str(row["scope_key"]), str(row["scope_key"])),
                *(int(row[c]) for c in columns),
            )
            for row in movements.to_dict("records")
        ),
    )


def movements_by_theme_table(
    theme_rows: pd.DataFrame, titles: Mapping[str, str], previous: int, year: int
) -> LetterTable:
    """The counts per theme for the annex page: a row per movement, a column per theme (the
    workbook has them a row per theme, too wide for A4)."""
    records = theme_rows.to_dict("records")
    counts = ("open_previous", *MOVEMENTS)
    return LetterTable(
        sheet="Bewegingen",
        title=f"Bewegingen {previous}-{year} per thema (aantal acties)",
        columns=(
            Column("Beweging"),
            *(
                Column(titles.get(str(r["scope_key"]), str(r["scope_key"])), "integer")
                for r in records
            ),
            Column("Totaal", "integer"),
        ),
        rows=tuple(
            (
                MOVEMENT_HEADERS[name],
                *(int(r[name]) for r in records),
                sum(int(r[name]) for r in records),
            )
            for name in counts
        ),
    )


def action_progress_workbook_table(
    progress: pd.DataFrame, wording: ProgressWording, titles: Mapping[str, str], reporting_year: int
) -> LetterTable:
    previous = reporting_year - 1
    fields = [
        ("Thema", "theme_title", "text"),
        ("Partner", "partner_name", "text"),
        ("Partner-id", "partner_id", "text"),
        ("Actie-id", "action_id", "text"),
        ("Actie", "title", "text"),
        (f"Titel {previous}", "previous_title", "text"),
        (f"Status {previous}", "previous_status", "text"),
        (f"Status {reporting_year}", "current_status", "text"),
        ("Beweging", "movement_label", "text"),
        ("Beweging (code)", "movement", "text"),
        (f"Thema {previous}", "previous_theme_title", "text"),
        ("Thema gewijzigd", "theme_changed", "boolean"),
        ("Titel heel anders", "title_changed", "boolean"),
        (f"Partner rapporteerde {previous}", "partner_reported_previous", "boolean"),
        (f"Partner rapporteerde {reporting_year}", "partner_reported_current", "boolean"),
        (f"Personen bereikt {previous}", "people_reached_previous", "integer"),
        (f"Personen bereikt {reporting_year}", "people_reached_current", "integer"),
        (f"Werkgevers bereikt {previous}", "employers_reached_previous", "integer"),
        (f"Werkgevers bereikt {reporting_year}", "employers_reached_current", "integer"),
    ]
    frame = progress.assign(
        theme_title=progress["theme"].map(lambda c: titles.get(c, c)),
        previous_theme_title=progress["previous_theme"].map(
            lambda c: None if plain_value(c) is None else titles.get(c, c)
        ),
        movement_label=progress["movement"].map(wording.movement_label),
    )
    return LetterTable(
        sheet=f"Acties {previous}-{reporting_year}",
        title=f"Alle acties van {previous} en {reporting_year}, gekoppeld op actie_id",
        columns=tuple(Column(header, kind) for header, _field, kind in fields),
        rows=tuple(
            tuple(plain_value(row[field]) for _header, field, _kind in fields)
            for row in frame.to_dict("records")
        ),
    )


def agenda_table(
    agenda: pd.DataFrame, titles: Mapping[str, str], first_year: int, year: int
) -> LetterTable:
    headers = {
        "actions_reported": "Acties gerapporteerd",
        "actions_started": "Gestart",
        "actions_planned": "Nog gepland",
        "actions_running": "Lopend",
        "actions_completed": "Afgerond",
        "actions_stopped": "Gestopt",
    }
    return LetterTable(
        sheet="Agenda tot nu toe",
        title=(
            f"Acties van de agenda {format_year_span(first_year, year)}, "
            "naar laatst gerapporteerde status"
        ),
        columns=(Column("Thema"), *(Column(headers[c], "integer") for c in AGENDA_COUNT_COLUMNS)),
        rows=tuple(
            (
                titles.get(str(row["theme"]), str(row["theme"])),
                *(int(row[c]) for c in AGENDA_COUNT_COLUMNS),
            )
            for row in agenda.to_dict("records")
        ),
    )


def partner_years_table(partner_years: pd.DataFrame) -> LetterTable:
    return LetterTable(
        sheet="Rapportage per jaar",
        title="Jaren waarover elke partner rapporteerde",
        columns=(
            Column("Partner"),
            Column("Gerapporteerd over"),
            Column("Niet gerapporteerd over"),
        ),
        rows=tuple(
            (
                row["partner_name"],
                plain_value(row["years_reported"]) or "geen",
                plain_value(row["years_missing"]) or "geen",
            )
            for row in sort_by_name(partner_years, "partner_name", "partner_id").to_dict("records")
        ),
    )


def build_progress_annex(
    reporting_year: int,
    themes: Sequence[Theme],
    wording: ProgressWording,
    progress: pd.DataFrame,
    movements: pd.DataFrame,
    agenda: pd.DataFrame,
    partner_years: pd.DataFrame,
    partner_names: Mapping[str, str],
    status_chart: tuple[Path, StatusBars] | None,
    figure_number: int | None = None,
) -> ProgressAnnex:
    """The progress sections and workbook tables from the stored tables of the year."""
    previous = reporting_year - 1
    titles = {theme.code: theme.title for theme in themes}
    order = {theme.code: theme.order for theme in themes}
    progress = progress.assign(
        partner_name=progress["partner_id"].map(lambda p: partner_names.get(p, p))
    )
    progress = sort_by_name(progress, "partner_name", "action_id")
    theme_rows = movements[movements["scope"] == "theme"].copy()
    theme_rows = theme_rows.assign(
        _order=theme_rows["scope_key"].map(lambda c: order.get(c, 999))
    ).sort_values(["_order", "scope_key"])
    # The warehouse returns rows in no particular order: the agenda's themes in config order.
    agenda = (
        agenda.assign(_order=agenda["theme"].map(lambda c: order.get(str(c), 999)))
        .sort_values(["_order", "theme"])
        .drop(columns="_order")
    )
    partner_rows = movements[movements["scope"] == "partner"].copy()
    partner_rows = sort_by_name(
        partner_rows.assign(
            partner_name=partner_rows["scope_key"].map(lambda p: partner_names.get(p, p))
        ),
        "partner_name",
        "scope_key",
    )

    blocks: list[Block] = [
        Paragraph(
            f"Wat werd in {reporting_year} van de acties die de partners over {previous} "
            "rapporteerden? Acties zijn gekoppeld op het kenmerk (actie_id) dat elke partner "
            "van jaar tot jaar aanhoudt. Een partner die over een van beide jaren niet "
            "rapporteerde, staat als niet gerapporteerd: zijn acties tellen niet als gestopt "
            "of als nieuw."
        )
    ]
    for row in theme_rows.to_dict("records"):
        code = str(row["scope_key"])
        title = titles.get(code, code)
        blocks.append(Paragraph(f"{title}. {row['sentence_nl']}"))
        rows = progress[progress["theme"] == code]
        if not rows.empty:
            blocks.append(
                TableBlock(theme_action_table(rows, title, wording, titles, reporting_year))
            )
    blocks.append(
        TableBlock(movements_by_theme_table(theme_rows, titles, previous, reporting_year))
    )
    if status_chart is not None:
        path, bars = status_chart
        blocks.append(FigureBlock(path, status_chart_caption(bars, figure_number)))
    # In the agenda's first year there is no year before to compare with.
    sections = (
        [Section(f"Voortgang ten opzichte van {previous}", tuple(blocks))]
        if previous >= wording.first_year
        else []
    )

    every_year = int(partner_years["years_missing"].isna().sum()) if not partner_years.empty else 0
    agenda_blocks: list[Block] = [
        TableBlock(agenda_table(agenda, titles, wording.first_year, reporting_year)),
        Paragraph(partners_sentence_nl(every_year, len(partner_years), wording, reporting_year)),
        TableBlock(partner_years_table(partner_years)),
    ]
    sections.append(
        Section(
            f"De agenda tot nu toe ({format_year_span(wording.first_year, reporting_year)})",
            tuple(agenda_blocks),
        )
    )
    workbook = (
        action_progress_workbook_table(progress, wording, titles, reporting_year),
        movements_table(
            theme_rows,
            titles,
            "Thema",
            "Bewegingen per thema",
            f"Bewegingen {previous}-{reporting_year} per thema",
        ),
        movements_table(
            partner_rows,
            partner_names,
            "Partner",
            "Bewegingen per partner",
            f"Bewegingen {previous}-{reporting_year} per partner",
        ),
        agenda_table(agenda, titles, wording.first_year, reporting_year),
        partner_years_table(partner_years),
    )
    return ProgressAnnex(tuple(sections), workbook)
