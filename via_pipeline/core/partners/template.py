"""The template partners fill in: XLSX with drop-down lists and Dutch instructions, or a CSV header.

`via-pipeline template --partner abu --year 2023` writes abu_2023.xlsx, already named the way the
inbox expects it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from via_pipeline.core.partners.fileformat import FILE_COLUMNS, SHEET_NAME, STATUSES, safe_slug
from via_pipeline.core.partners.registry import Partner, Theme
from via_pipeline.core.spreadsheet import set_cell

TEMPLATE_FORMATS = ("xlsx", "csv")
# Drop-down lists and formats cover this many data rows; partners rarely report more actions.
TEMPLATE_ROWS = 500
COLUMN_HELP: dict[str, str] = {
    "partner_id": "Uw partner-id (staat al in de bestandsnaam), bijvoorbeeld {partner}. Verplicht.",
    "verslagjaar": "Het jaar waarover u rapporteert: {year}. Verplicht.",
    "actie_id": "Uw eigen kenmerk van de actie, uniek in dit bestand (bijvoorbeeld A1). Verplicht.",
    "thema": "Een van de drie thema's (kies uit de lijst). Verplicht.",
    "titel": "Korte naam van de actie. Verplicht.",
    "status": "gepland, lopend, afgerond of gestopt (kies uit de lijst). Verplicht.",
    "startdatum": "Datum als jjjj-mm-dd of dd-mm-jjjj. Mag leeg.",
    "einddatum": "Datum als jjjj-mm-dd of dd-mm-jjjj, niet voor de startdatum. Mag leeg.",
    "bereikte_personen": "Aantal bereikte personen: een geheel getal van 0 of meer. Mag leeg.",
    "bereikte_werkgevers": "Aantal bereikte werkgevers: een geheel getal van 0 of meer. Mag leeg.",
    "toelichting": "Vrije tekst. Mag leeg.",
}


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


def csv_template() -> bytes:
    """Header row only, `;` separated with a BOM: what Dutch Excel opens and saves as CSV."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerow(list(FILE_COLUMNS))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_template(partner: Partner, year: int, themes: Sequence[Theme]) -> bytes:
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

    # The lists live on a sheet of their own: a list typed into the validation is limited to 255 characters.
    lists = workbook.create_sheet("keuzelijsten")
    set_cell(lists["A1"], "thema")
    set_cell(lists["B1"], "status")
    for row, theme in enumerate(themes, start=2):
        set_cell(lists.cell(row=row, column=1), theme.code)
    for row, status in enumerate(STATUSES, start=2):
        set_cell(lists.cell(row=row, column=2), status)
    last = TEMPLATE_ROWS + 1
    for column_name, source in (
        ("thema", f"keuzelijsten!$A$2:$A${len(themes) + 1}"),
        ("status", f"keuzelijsten!$B$2:$B${len(STATUSES) + 1}"),
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
        "2. Kies thema en status uit de keuzelijst in de cel.",
        "3. Sla het bestand op onder dezelfde naam: " + template_name(partner, year, "xlsx") + ".",
        "4. Stuur het bestand naar de coördinator; een nieuwe versie vervangt de vorige.",
        "",
        "Kolommen:",
        *(
            f"{name}: {COLUMN_HELP[name].format(partner=partner.partner_id, year=year)}"
            for name in columns
        ),
        "",
        "Thema's:",
        *(f"{theme.code}: {theme.title}" for theme in themes),
        "",
        "Statussen:",
        *(f"{code}: {label}" for code, label in STATUSES.items()),
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
) -> Path:
    """Write `<partner_id>_<year>.<fmt>` into output_dir and return its path."""
    if fmt not in TEMPLATE_FORMATS:
        raise TemplateError(f"format must be one of {', '.join(TEMPLATE_FORMATS)}, got {fmt!r}")
    partner = find_partner(partners, partner_id)
    if not partner.takes_part_in(year):
        raise TemplateError(
            f"partner {partner_id} does not take part in {year} (registry: from {partner.first_year})"
        )
    content = xlsx_template(partner, year, themes) if fmt == "xlsx" else csv_template()
    output_dir.mkdir(parents=True, exist_ok=True)
    path = output_dir / template_name(partner, year, fmt)
    path.write_bytes(content)
    return path
