"""Reading the `acties` sheet of an XLSX file as the partner saved it.

Formulas are read as the value Excel cached when it saved the file. A formula saved without a
cached value (openpyxl and some exports write them so; Excel itself always caches) is not read
as empty: each such cell is reported by its address (docs/submission-format.md). Files that are
no Excel workbook (an ODS or other ZIP renamed .xlsx, an old .xls) get a Dutch reason.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from via_pipeline.core.partners.fileformat import SHEET_NAME
from via_pipeline.core.partners.problems import Problem, make_problem

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (Excel 97-2003) and other old Office files
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


@dataclass(frozen=True)
class FormulaCell:
    """A formula cell with no cached value: where it is (row, 0-based column, address like I2)."""

    row: int
    column: int
    coordinate: str


class UnreadableWorkbook(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message_nl)
        self.problem = problem


def _not_xlsx(reason: str) -> UnreadableWorkbook:
    return UnreadableWorkbook(make_problem("unreadable_file", value=reason, expected="XLSX"))


def not_a_workbook_reason(content: bytes) -> str:
    """Why bytes that openpyxl cannot open are no Excel workbook, in the partner's terms."""
    if content.startswith(OLE2_MAGIC):
        return (
            "het is een oud Excel-bestand (.xls) of ander oud Office-bestand; "
            "sla het op als Excel-werkmap (.xlsx)"
        )
    if not content.startswith(ZIP_MAGIC):
        return "het is geen Excel-werkmap (.xlsx)"
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype").strip() if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, ValueError):
        return "het bestand is beschadigd; het is geen leesbare Excel-werkmap (.xlsx)"
    if mimetype.startswith(ODS_MIMETYPE):
        return (
            "het is een OpenDocument-werkblad (.ods, bijvoorbeeld uit LibreOffice), geen "
            "Excel-werkmap; kies bij opslaan 'Excel 2007-365 (.xlsx)'"
        )
    if mimetype.startswith(b"application/vnd.oasis.opendocument"):
        return "het is een OpenDocument-bestand, geen Excel-werkmap (.xlsx)"
    if "word/document.xml" in names:
        return "het is een Word-document (.docx), geen Excel-werkmap (.xlsx)"
    if "xl/workbook.xml" not in names:
        return "het is een ZIP-bestand, geen Excel-werkmap (.xlsx)"
    return "het bestand is beschadigd; het is geen leesbare Excel-werkmap (.xlsx)"


def _open(content: bytes, data_only: bool) -> Any:
    import openpyxl

    try:
        return openpyxl.load_workbook(io.BytesIO(content), data_only=data_only)
    except Exception:
        # openpyxl raises KeyError, ValueError, InvalidFileException, zip and XML errors, with
        # English text: the partner gets the reason in Dutch instead.
        raise _not_xlsx(not_a_workbook_reason(content)) from None


def _sheet(workbook: Any) -> Any:
    sheets = {name.strip().lower(): name for name in workbook.sheetnames}
    if SHEET_NAME not in sheets:
        raise UnreadableWorkbook(
            make_problem("missing_sheet", value=", ".join(workbook.sheetnames))
        )
    return workbook[sheets[SHEET_NAME]]


def _has_formulas(content: bytes) -> bool:
    """Whether any worksheet holds a formula (`<f>` element), without parsing the workbook twice."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for item in archive.infolist():
            if item.filename.startswith("xl/worksheets/") and item.filename.endswith(".xml"):
                with archive.open(item) as stream:
                    data = stream.read()
                if b"<f>" in data or b"<f " in data or b":f>" in data or b":f " in data:
                    return True
    return False


def formula_cells_without_value(content: bytes, cached: list[list[object]]) -> list[FormulaCell]:
    """The formula cells of the `acties` sheet whose cached value (in `cached`) is missing."""
    if not _has_formulas(content):
        return []
    workbook = _open(content, data_only=False)
    try:
        found: list[FormulaCell] = []
        for row in _sheet(workbook).iter_rows(min_row=1, max_row=len(cached)):
            for cell in row:
                if cell.data_type != "f":
                    continue
                values = cached[cell.row - 1]
                position = cell.column - 1
                if position >= len(values) or values[position] is None:
                    found.append(FormulaCell(cell.row, position, cell.coordinate))
        return found
    finally:
        workbook.close()


def read_sheet(
    content: bytes, bounded: Callable[[Iterator[list[object]]], list[list[object]]]
) -> tuple[list[tuple[int, list[object]]], list[FormulaCell]]:
    """The `acties` sheet's rows (numbered from 1) as cached values, and formulas with no value.

    `bounded` reads the rows under the row limit (it raises when the sheet has too many).
    """
    if content.startswith(ZIP_MAGIC) and not zipfile.is_zipfile(io.BytesIO(content)):
        # A ZIP's directory is at its end: without it the copy was cut off.
        raise UnreadableWorkbook(
            make_problem("incomplete_file", value=f"{len(content)} bytes, zonder ZIP-inhoudsopgave")
        )
    # data_only: a formula cell gives the value Excel last computed, not the formula text.
    workbook = _open(content, data_only=True)
    try:
        sheet = _sheet(workbook)
        records = bounded(list(cells) for cells in sheet.iter_rows(min_row=1, values_only=True))
    finally:
        workbook.close()
    return list(enumerate(records, start=1)), formula_cells_without_value(content, records)
