"""The submission file format partners are told about (docs/submission-format.md): names and columns.

A file is named `<partner_id>_<verslagjaar>.csv` or `.xlsx`; its header row has the Dutch
column names below, matched without regard to case or spacing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# File column (what partners write) -> warehouse column of partners.actions.
FILE_COLUMNS: dict[str, str] = {
    "partner_id": "partner_id",
    "verslagjaar": "reporting_year",
    "actie_id": "action_id",
    "thema": "theme",
    "titel": "title",
    "status": "status",
    "startdatum": "start_date",
    "einddatum": "end_date",
    "bereikte_personen": "people_reached",
    "bereikte_werkgevers": "employers_reached",
    "toelichting": "explanation",
    # Optional (issue 27): the programme an action is for; absent or empty = via.
    "programma": "programme",
}
# Columns a file may leave out: reading one without them is exactly as before they existed.
OPTIONAL_COLUMNS = frozenset({"programma"})
WAREHOUSE_TO_FILE = {warehouse: file for file, warehouse in FILE_COLUMNS.items()}
_KNOWN_HEADERS = {re.sub(r"_", "", column): column for column in FILE_COLUMNS}

STATUSES: dict[str, str] = {
    "gepland": "Gepland: de actie is nog niet begonnen",
    "lopend": "Lopend: de actie is bezig",
    "afgerond": "Afgerond: de actie is klaar",
    "gestopt": "Gestopt: de actie is beëindigd voordat ze klaar was",
}
EXTENSIONS = ("csv", "xlsx")
SHEET_NAME = "acties"

FILE_NAME = re.compile(r"^(?P<partner>[a-z0-9_]+)_(?P<year>\d{4})\.(?P<extension>[a-z0-9]+)$")
# What may appear in a path we build from a name: partner ids and years only, never raw input.
SAFE_SLUG = re.compile(r"^[a-z0-9_]{1,64}$")


@dataclass(frozen=True)
class SubmissionName:
    """What a file name says: the partner and year it claims, and its extension."""

    partner_id: str
    reporting_year: int
    extension: str


def parse_file_name(file_name: str) -> SubmissionName | None:
    """`abu_2023.xlsx` -> (abu, 2023, xlsx); None when the name does not follow the pattern.

    Case is ignored (Windows users send ABU_2023.XLSX); anything with a path separator fails.
    """
    match = FILE_NAME.match(file_name.strip().lower())
    if match is None:
        return None
    return SubmissionName(match["partner"], int(match["year"]), match["extension"])


def _header_key(text: str) -> str:
    return re.sub(r"[\s_\-]+", "", text.lower())


def normalise_header(name: object) -> str:
    """`' Actie ID '`, `ACTIE_ID`, `Actie-id` -> `actie_id`: case, spaces, `_` and `-` do not count.

    A name that is not one of the format's columns comes back lowercased with `_` for spaces.
    """
    text = "" if name is None else str(name).strip()
    return _KNOWN_HEADERS.get(_header_key(text), re.sub(r"[\s\-]+", "_", text.lower()).strip("_"))


def normalise_code(value: str) -> str:
    """Codes and titles compare without regard to case and runs of spaces."""
    return re.sub(r"\s+", " ", value.strip().lower())


def safe_slug(value: object, fallback: str = "onbekend") -> str:
    """A string fit for a file name we write, or the fallback: untrusted text never builds a path."""
    text = "" if value is None else str(value)
    return text if SAFE_SLUG.match(text) else fallback
