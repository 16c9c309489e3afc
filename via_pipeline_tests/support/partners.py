"""Helpers for tests that need partner submission files: valid rows, and files written from them."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

HEADER = [
    "partner_id",
    "verslagjaar",
    "actie_id",
    "thema",
    "titel",
    "status",
    "startdatum",
    "einddatum",
    "bereikte_personen",
    "bereikte_werkgevers",
    "toelichting",
]


def valid_rows(partner_id: str = "abu", year: int = 2023, count: int = 2) -> list[list[object]]:
    """`count` rows that meet every rule, cycling through the themes and statuses."""
    themes = ["diversiteit_op_het_werk", "kans_op_baan_of_stage", "begeleiding_naar_werk"]
    statuses = ["lopend", "afgerond", "gepland", "gestopt"]
    return [
        [
            partner_id,
            year,
            f"A{number}",
            themes[number % 3],
            f"Actie {number}",
            statuses[number % 4],
            f"{year}-01-{number % 28 + 1:02d}",
            f"{year}-12-{number % 28 + 1:02d}",
            10 * number,
            number,
            f"Voorbeeld: actie {number}",
        ]
        for number in range(1, count + 1)
    ]


def csv_bytes(
    rows: Sequence[Sequence[object]],
    header: Sequence[str] = HEADER,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(["" if value is None else value for value in row] for row in rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(
    rows: Sequence[Sequence[object]],
    header: Sequence[str] = HEADER,
    sheet: str = "acties",
    title_rows: Sequence[str] = (),
) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for title in title_rows:
        worksheet.append([title])
    worksheet.append(list(header))
    for row in rows:
        worksheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def drop_in_inbox(inbox: Path, file_name: str, content: bytes) -> Path:
    """Put a file in the inbox as a partner's e-mail attachment would land there."""
    inbox.mkdir(parents=True, exist_ok=True)
    path = inbox / file_name
    path.write_bytes(content)
    return path


def numbered_rows(
    partner_id: str, year: int, count: int, *, excel_cells: bool = False
) -> list[list[object]]:
    """Rows as partners really fill them in: actie_id 1..count (every partner starts at 1),
    Dutch dates (or Excel date cells), counts with a thousands dot, a Windows-1252-safe accent.
    """
    from datetime import date

    themes = [
        "Meer culturele diversiteit op het werk",
        "kans_op_baan_of_stage",
        "begeleiding naar werk",
    ]
    statuses = ["Lopend", "afgerond", "gepland", "gestopt"]
    rows: list[list[object]] = []
    for number in range(1, count + 1):
        start = date(year, number % 12 + 1, 1)
        end = date(year, 12, 31)
        rows.append(
            [
                partner_id.upper() if number == 1 else partner_id,
                year,
                number if excel_cells else str(number),
                themes[number % 3],
                f"Coördinatie traject {number}",
                statuses[number % 4],
                start if excel_cells else start.strftime("%d-%m-%Y"),
                end if excel_cells else end.strftime("%d-%m-%Y"),
                1250 * number if excel_cells else f"{1250 * number:,}".replace(",", "."),
                "" if number % 2 else number,
                f"Voorbeeld: traject {number}",
            ]
        )
    return rows
