"""Feedback files for a rejected submission: every problem, in Dutch, for the operator to send back.

`<feedback>/<partner>_<year>_<hash8>.xlsx` and `.md` beside it (for an e-mail body). Partner text
is untrusted: XLSX cells are always stored as text (core.files.spreadsheet.set_cell), never formulas.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from via_pipeline.core.files.atomic import write_replacing
from via_pipeline.core.files.spreadsheet import fill_table_sheet, set_cell
from via_pipeline.core.partners.fileformat import safe_slug
from via_pipeline.core.partners.problems import Problem
from via_pipeline.core.partners.rules import problem_order
from via_pipeline.core.warehouse import WarehouseStore

FEEDBACK_COLUMNS = ("bestand", "rij", "kolom", "regel", "melding", "waarde")
COLUMN_WIDTHS = (24, 6, 20, 24, 80, 30)


def feedback_stem(partner_id: str | None, reporting_year: int | None, sha256: str) -> str:
    """`abu_2023_1a2b3c4d`; anything not a plain slug becomes `onbekend`."""
    return f"{safe_slug(partner_id)}_{safe_slug(str(reporting_year) if reporting_year else None)}_{sha256[:8]}"


def _inside(directory: Path, path: Path) -> Path:
    if not path.resolve().is_relative_to(directory.resolve()):
        raise ValueError(f"{path} is outside {directory}")
    return path


def feedback_paths(
    feedback_dir: Path,
    partner_id: str | None,
    reporting_year: int | None,
    sha256: str,
    kind: str = "",
) -> tuple[Path, Path]:
    """Where a file's feedback lives: the workbook and the Markdown beside it. `kind` tells
    feedback files apart (`_waarschuwingen` for warnings on an accepted file)."""
    stem = feedback_stem(partner_id, reporting_year, sha256) + kind
    return (
        _inside(feedback_dir, feedback_dir / f"{stem}.xlsx"),
        _inside(feedback_dir, feedback_dir / f"{stem}.md"),
    )


def write_atomically(path: Path, content: bytes) -> None:
    """A temporary file beside the target, then a rename: a reader sees the whole file or none."""
    write_replacing(path, lambda temporary: temporary.write_bytes(content))


def save_workbook(workbook: Any, path: Path) -> None:
    """An openpyxl workbook saved whole or not at all."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    write_atomically(path, buffer.getvalue())


def markdown_cell(value: object) -> str:
    """A value in a Markdown table cell: a | or a line break would end the cell or the row."""
    return "" if value is None else str(value).replace("|", "\\|").replace("\n", " ")


def write_feedback(
    feedback_dir: Path,
    file_name: str,
    sha256: str,
    partner_id: str | None,
    reporting_year: int | None,
    problems: Sequence[Problem],
) -> list[Path]:
    """Write the XLSX and Markdown feedback files; returns their paths."""
    import openpyxl

    feedback_dir.mkdir(parents=True, exist_ok=True)
    xlsx_path, md_path = feedback_paths(feedback_dir, partner_id, reporting_year, sha256)

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "problemen"
    fill_table_sheet(
        sheet,
        FEEDBACK_COLUMNS,
        COLUMN_WIDTHS,
        (
            (
                file_name,
                problem.row_number,
                problem.column_name,
                problem.rule,
                problem.message_nl,
                problem.value,
            )
            for problem in problems
        ),
    )
    about = workbook.create_sheet("uitleg")
    lines = (
        f"Uw bestand {file_name} is niet verwerkt: het bevat {len(problems)} probleem/problemen.",
        "Op het werkblad 'problemen' staat per probleem de rij en kolom in uw bestand en wat er mis is.",
        "Rij 'leeg' betekent: het bestand als geheel. Verbeter alle punten en stuur het hele bestand opnieuw in,",
        "met dezelfde bestandsnaam. Het formaat staat in de handleiding 'Aanleveren voortgang Werkagenda VIA'.",
        f"Kenmerk van het ontvangen bestand (SHA-256): {sha256}",
    )
    for row, line in enumerate(lines, start=1):
        set_cell(about.cell(row=row, column=1), line)
    save_workbook(workbook, xlsx_path)
    md_lines = [
        f"# Terugkoppeling op {markdown_cell(file_name)}",
        "",
        f"Uw bestand is niet verwerkt: het bevat {len(problems)} probleem/problemen. "
        "Verbeter alle punten en stuur het hele bestand opnieuw in, met dezelfde bestandsnaam.",
        "",
        f"Kenmerk (SHA-256): `{sha256}`",
        "",
        "| rij | kolom | regel | melding | waarde |",
        "|---|---|---|---|---|",
        *(
            f"| {markdown_cell(p.row_number)} | {markdown_cell(p.column_name)} | {markdown_cell(p.rule)} | {markdown_cell(p.message_nl)} | {markdown_cell(p.value)} |"
            for p in problems
        ),
        "",
    ]
    write_atomically(md_path, "\n".join(md_lines).encode("utf-8"))
    return [xlsx_path, md_path]


def restore_missing_feedback(store: WarehouseStore, feedback_dir: Path) -> list[Path]:
    """Write again, from partners.rejections, the feedback of rejected files whose files are gone."""
    rejected = store.read(
        "SELECT sha256, file_name, partner_id, reporting_year FROM partners.submissions "
        "WHERE status = 'rejected' ORDER BY processed_at"
    )
    written: list[Path] = []
    for row in rejected.astype(object).where(rejected.notna(), None).itertuples():
        year = int(row.reporting_year) if row.reporting_year is not None else None
        partner_id = str(row.partner_id) if row.partner_id is not None else None
        paths = feedback_paths(feedback_dir, partner_id, year, str(row.sha256))
        if all(path.exists() for path in paths):
            continue
        problems = store.read(
            "SELECT row_number, column_name, rule, message_nl, value FROM partners.rejections "
            "WHERE sha256 = :sha256 AND file_name = :file_name",
            {"sha256": row.sha256, "file_name": row.file_name},
        )
        stored = [
            Problem(
                None if p.row_number is None else int(p.row_number),
                p.column_name,
                str(p.rule),
                str(p.message_nl),
                p.value,
            )
            for p in problems.astype(object).where(problems.notna(), None).itertuples()
        ]
        written += write_feedback(
            feedback_dir,
            str(row.file_name),
            str(row.sha256),
            partner_id,
            year,
            sorted(stored, key=problem_order),
        )
    return written
