"""What an XLSX must be before any parser reads it: a ZIP holding `xl/workbook.xml` and no macros.

Checked on the ZIP directory only (names, nothing inflated), after the size limits and before
openpyxl sees a byte, by the intake and the portal alike (both through read_submission). A CSV
holding NUL bytes (other than UTF-16 text, whose every other byte is NUL) is refused by the CSV
reader itself (reading.read_csv_rows).
"""

from __future__ import annotations

import io
import zipfile

from via_pipeline.core.partners.limits import ZIP_MAGIC
from via_pipeline.core.partners.problems import Problem, make_problem
from via_pipeline.core.partners.workbook import not_a_workbook_reason

WORKBOOK_PART = "xl/workbook.xml"
MACRO_PART = "vbaproject.bin"
HAS_MACROS = (
    "het bevat macro's (vbaProject.bin); sla het op als 'Excel-werkmap (*.xlsx)', zonder macro's"
)


def xlsx_content_problem(content: bytes) -> Problem | None:
    """Why these bytes are no plain XLSX workbook, or None (also for bytes that are no ZIP at all:
    the XLSX reader names those in its own words). A ZIP without the workbook part gets the
    reader's own reason (an ODS, a Word document, a plain ZIP)."""
    if not content.startswith(ZIP_MAGIC):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = [item.filename.replace("\\", "/").lower() for item in archive.infolist()]
    except (zipfile.BadZipFile, ValueError, OSError):
        return None  # a broken ZIP: the reader says whether it is incomplete or not a workbook
    if any(name.rsplit("/", 1)[-1] == MACRO_PART for name in names):
        return make_problem("unreadable_file", value=HAS_MACROS, expected="XLSX")
    if WORKBOOK_PART not in names:
        return make_problem(
            "unreadable_file", value=not_a_workbook_reason(content), expected="XLSX"
        )
    return None
