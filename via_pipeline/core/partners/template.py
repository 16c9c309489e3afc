"""The template partners fill in: XLSX with drop-down lists and Dutch instructions, or a CSV header.

`via-pipeline template --partner abu --year 2023` writes abu_2023.xlsx, already named the way the
inbox expects it. When the partner's file of the year before is in the warehouse, its actions
that were not yet afgerond or gestopt are carried forward (actie_id, thema, titel, startdatum,
last year's status as a starting value, partner_id and verslagjaar), so partners update rows
instead of retyping them and the actie_id matches across years by construction.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from via_pipeline.core.files.spreadsheet import csv_safe, set_cell
from via_pipeline.core.partners.fileformat import FILE_COLUMNS, SHEET_NAME, STATUSES, safe_slug
from via_pipeline.core.partners.programmes import Programmes, load_programmes
from via_pipeline.core.partners.registry import Partner, Theme
from via_pipeline.core.warehouse import WarehouseError, WarehouseStore, load_sql

TEMPLATE_FORMATS = ("xlsx", "csv")
# Drop-down lists and formats cover this many data rows; partners rarely report more actions.
TEMPLATE_ROWS = 500
COLUMN_HELP: dict[str, str] = {
    "partner_id": "Uw partner-id (staat al in de bestandsnaam), bijvoorbeeld {partner}. Leeg gelaten geldt die uit de bestandsnaam.",
    "verslagjaar": "Het jaar waarover u rapporteert: {year}. Leeg gelaten geldt dat uit de bestandsnaam.",
    "actie_id": "Uw eigen kenmerk van de actie, uniek in dit bestand (bijvoorbeeld A1). Verplicht.",
    "thema": "Een van de drie thema's (kies uit de lijst). Verplicht.",
    "titel": "Korte naam van de actie. Verplicht.",
    "status": "gepland, lopend, afgerond of gestopt (kies uit de lijst). Verplicht.",
    "startdatum": "Datum als jjjj-mm-dd of dd-mm-jjjj. Mag leeg.",
    "einddatum": "Datum als jjjj-mm-dd of dd-mm-jjjj, niet voor de startdatum. Mag leeg.",
    "bereikte_personen": "Aantal bereikte personen: een geheel getal van 0 of meer. Mag leeg.",
    "bereikte_werkgevers": "Aantal bereikte werkgevers: een geheel getal van 0 of meer. Mag leeg.",
    "toelichting": "Vrije tekst. Mag leeg.",
    "programma": "Het programma van de actie: {programmes} (kies uit de lijst). Leeg is via (Werkagenda VIA).",
}


@dataclass(frozen=True)
class CarriedAction:
    """An action of last year's file that goes on into the template's year."""

    action_id: str
    theme: str
    title: str
    status: str
    start_date: date | None
    programme: str = "via"


class TemplateError(ValueError):
    """The template cannot be made for this partner, year or format; the message says why."""


def template_name(partner: Partner, year: int, fmt: str) -> str:
    return f"{safe_slug(partner.partner_id)}_{year}.{fmt}"


def find_partner(partners: Sequence[Partner], partner_id: str) -> Partner:
    for partner in partners:
        if partner.partner_id == partner_id:
            return partner
    known = ", ".join(partner.partner_id for partner in partners)
    raise TemplateError(f"unknown partner {partner_id!r}; the registry has: {known}")


def carried_rows(
    partner: Partner, year: int, carried: Sequence[CarriedAction]
) -> list[dict[str, object]]:
    """The template's pre-filled rows, by column name (the other columns stay empty)."""
    return [
        {
            "partner_id": partner.partner_id,
            "verslagjaar": year,
            "actie_id": action.action_id,
            "thema": action.theme,
            "titel": action.title,
            "status": action.status,
            "startdatum": action.start_date,
            "programma": action.programme,
        }
        for action in carried
    ]


def csv_template(rows: Sequence[dict[str, object]] = ()) -> bytes:
    """Header row (and any carried rows), `;` separated with a BOM: what Dutch Excel opens and
    saves as CSV. Dates as dd-mm-jjjj, as Dutch Excel writes them. Carried text is last year's
    partner text: through csv_safe, so `=HYPERLINK(...)` opens as text, never as a formula."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(list(FILE_COLUMNS))
    for row in rows:
        writer.writerow([_csv_value(row.get(column)) for column in FILE_COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    return csv_safe(value)


def xlsx_template(
    partner: Partner,
    year: int,
    themes: Sequence[Theme],
    rows: Sequence[dict[str, object]] = (),
    programmes: Programmes | None = None,
) -> bytes:
    """The XLSX template; `programmes` (config/programmes.yaml by default) give the programma
    list (those running in the year) and add their own themes to the thema list."""
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = SHEET_NAME
    columns = list(FILE_COLUMNS)
    for position, name in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=position)
        set_cell(cell, name)
        cell.font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(position)].width = max(14, len(name) + 4)
    sheet.column_dimensions[get_column_letter(columns.index("thema") + 1)].width = 30
    sheet.column_dimensions[get_column_letter(columns.index("titel") + 1)].width = 40
    sheet.column_dimensions[get_column_letter(columns.index("toelichting") + 1)].width = 50
    sheet.freeze_panes = "A2"
    for row_number, carried_row in enumerate(rows, start=2):
        for position, name in enumerate(columns, start=1):
            value = carried_row.get(name)
            if value is not None:
                cell = sheet.cell(row=row_number, column=position)
                set_cell(cell, value)
                if isinstance(value, date):
                    cell.number_format = "DD-MM-YYYY"

    programmes = programmes or load_programmes()
    themes = [
        *themes,
        *(t for t in programmes.all_themes() if t.code not in {x.code for x in themes}),
    ]
    running = programmes.running_in(year)
    # The lists live on a sheet of their own: a list typed into the validation is limited to 255 characters.
    lists = workbook.create_sheet("keuzelijsten")
    set_cell(lists["A1"], "thema")
    set_cell(lists["B1"], "status")
    set_cell(lists["C1"], "programma")
    for row, theme in enumerate(themes, start=2):
        set_cell(lists.cell(row=row, column=1), theme.code)
    for row, status in enumerate(STATUSES, start=2):
        set_cell(lists.cell(row=row, column=2), status)
    for row, programme in enumerate(running, start=2):
        set_cell(lists.cell(row=row, column=3), programme.code)
    last = TEMPLATE_ROWS + 1
    for column_name, source in (
        ("thema", f"keuzelijsten!$A$2:$A${len(themes) + 1}"),
        ("status", f"keuzelijsten!$B$2:$B${len(STATUSES) + 1}"),
        ("programma", f"keuzelijsten!$C$2:$C${len(running) + 1}"),
    ):
        letter = get_column_letter(columns.index(column_name) + 1)
        validation = DataValidation(
            type="list",
            formula1=source,
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=f"Ongeldige {column_name}",
            error=f"Kies een {column_name} uit de lijst.",
        )
        validation.add(f"{letter}2:{letter}{last}")
        sheet.add_data_validation(validation)
    for column_name in ("bereikte_personen", "bereikte_werkgevers"):
        letter = get_column_letter(columns.index(column_name) + 1)
        whole = DataValidation(
            type="whole",
            operator="greaterThanOrEqual",
            formula1="0",
            allow_blank=True,
            showErrorMessage=True,
            error="Vul een geheel getal van 0 of meer in.",
        )
        whole.add(f"{letter}2:{letter}{last}")
        sheet.add_data_validation(whole)

    instructions = workbook.create_sheet("instructies")
    lines = [
        f"Voortgangsrapportage Werkagenda VIA, verslagjaar {year}",
        f"Partner: {partner.name} (partner-id {partner.partner_id})",
        "",
        "Zo vult u dit bestand in:",
        "1. Vul op het werkblad 'acties' per actie een rij in, vanaf rij 2. Verander de kopregel niet.",
        *(
            [
                f"   De acties van uw rapportage over {year - 1} die nog niet afgerond of gestopt "
                f"waren, staan er al ({len(rows)}). Werk status, datums en aantallen bij; "
                "verander het actie_id niet: daarmee koppelen we de jaren.",
                "   Een nieuwe actie krijgt een nieuw actie_id; partner_id en verslagjaar mogen leeg blijven.",
            ]
            if rows
            else []
        ),
        "2. Kies thema, status en programma uit de keuzelijst in de cel. Laat programma leeg "
        "voor een actie van Werkagenda VIA.",
        "3. Sla het bestand op onder dezelfde naam: " + template_name(partner, year, "xlsx") + ".",
        "4. Stuur het bestand naar de coördinator; een nieuwe versie vervangt de vorige.",
        "",
        "Kolommen:",
        *(
            f"{name}: "
            + COLUMN_HELP[name].format(
                partner=partner.partner_id,
                year=year,
                programmes=", ".join(programme.code for programme in running),
            )
            for name in columns
        ),
        "",
        "Thema's:",
        *(f"{theme.code}: {theme.title}" for theme in themes),
        "",
        "Statussen:",
        *(f"{code}: {label}" for code, label in STATUSES.items()),
        "",
        f"Programma's in {year}:",
        *(
            f"{programme.code}: {programme.title}"
            + (
                ""
                if len(programme.themes) == len(themes)
                else f" (thema's: {', '.join(programme.theme_codes)})"
            )
            for programme in running
        ),
        "",
        "Een bestand met fouten wordt in zijn geheel teruggestuurd, met een lijst van alle fouten.",
    ]
    for row, line in enumerate(lines, start=1):
        set_cell(instructions.cell(row=row, column=1), line)
    instructions["A1"].font = Font(bold=True, size=14)
    instructions.column_dimensions["A"].width = 110
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_template(
    partners: Sequence[Partner],
    themes: Sequence[Theme],
    partner_id: str,
    year: int,
    output_dir: Path,
    fmt: str = "xlsx",
    carried: Sequence[CarriedAction] = (),
    programmes: Programmes | None = None,
) -> Path:
    """Write `<partner_id>_<year>.<fmt>` into output_dir and return its path.

    `carried`: last year's actions still gepland or lopend (carried_actions); empty when the
    partner has no file of the year before, and the template is then empty as well.
    """
    if fmt not in TEMPLATE_FORMATS:
        raise TemplateError(f"format must be one of {', '.join(TEMPLATE_FORMATS)}, got {fmt!r}")
    partner = find_partner(partners, partner_id)
    if not partner.takes_part_in(year):
        raise TemplateError(
            f"partner {partner_id} does not take part in {year} (registry: from {partner.first_year})"
        )
    rows = carried_rows(partner, year, carried)
    content = (
        xlsx_template(partner, year, themes, rows, programmes)
        if fmt == "xlsx"
        else csv_template(rows)
    )
    output_dir.mkdir(parents=True, exist_ok=True)
    path = output_dir / template_name(partner, year, fmt)
    path.write_bytes(content)
    return path


def carried_actions(store: WarehouseStore, partner_id: str, year: int) -> list[CarriedAction]:
    """The partner's actions of year - 1 (current accepted file) not yet afgerond or gestopt."""
    frame = store.read(
        load_sql("select_template_carried_actions"),
        {"partner_id": partner_id, "previous_year": year - 1},
    )
    return [
        CarriedAction(
            action_id=str(row["action_id"]),
            theme=str(row["theme"]),
            title=str(row["title"]),
            status=str(row["status"]),
            start_date=None
            if pd.isna(row["start_date"])
            else pd.Timestamp(row["start_date"]).date(),
            programme=str(row["programme"]),
        )
        for row in frame.to_dict("records")
    ]


def carried_actions_or_none(
    warehouse_url: str, partner_id: str, year: int
) -> tuple[list[CarriedAction], str]:
    """Last year's open actions from the warehouse, and a note for the operator saying how many
    were carried forward or why none were (no file of last year, warehouse not built yet)."""
    store = WarehouseStore(warehouse_url)
    try:
        store.table_columns("partners.actions")  # not migrated yet: WarehouseError
        carried = carried_actions(store, partner_id, year)
    except (WarehouseError, sa.exc.SQLAlchemyError) as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        return [], f"last year's actions not read ({reason}): empty template"
    finally:
        store.dispose()
    if not carried:
        return [], f"no open actions of {partner_id} in {year - 1}: empty template"
    return carried, f"{len(carried)} open action(s) of {year - 1} carried forward"
