"""Partners' mistakes the two years show, as warnings (*waarschuwingen*) that reject nothing.

An actie_id whose title is completely different from last year's (the id reused for another
action) and a status going backwards (afgerond -> gepland). They go to quality.action_warnings
and to a warnings file beside the partner's feedback files: `<partner>_<year>_<hash8>_
waarschuwingen.xlsx` and `.md`, named by the accepted file's hash like a rejection's feedback.
Partner text is untrusted: XLSX cells go through core.files.spreadsheet.set_cell.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from via_pipeline.core.files.spreadsheet import fill_table_sheet, set_cell
from via_pipeline.core.letter.across_years.wording import ProgressWording
from via_pipeline.core.partners.feedback import (
    feedback_paths,
    markdown_cell,
    save_workbook,
    write_atomically,
)

# Beside the partner file's feedback name: `<partner>_<year>_<hash8>_waarschuwingen.xlsx`.
WARNINGS_KIND = "_waarschuwingen"

ACTION_WARNING_COLUMNS = [
    "reporting_year",
    "partner_id",
    "action_id",
    "rule",
    "previous_value",
    "current_value",
    "message_nl",
    "submission_sha256",
]
WARNING_FILE_COLUMNS = ("actie_id", "regel", "melding", "vorig jaar", "dit jaar")
WARNING_COLUMN_WIDTHS = (14, 18, 90, 40, 40)


def action_warnings_frame(
    progress: pd.DataFrame,
    submissions: Mapping[str, str],
    wording: ProgressWording,
    reporting_year: int,
) -> pd.DataFrame:
    """quality.action_warnings rows from letter.action_progress rows of the year.

    `submissions`: partner_id -> SHA-256 of its current accepted file of the reporting year.
    """
    rows = []
    flagged = progress[
        progress["title_changed"].astype(bool) | (progress["movement"] == "moved_back")
    ]
    for row in flagged.to_dict("records"):
        found = []
        if row["title_changed"]:
            found.append(("title_changed", row["previous_title"], row["title"]))
        if row["movement"] == "moved_back":
            found.append(("status_backwards", row["previous_status"], row["current_status"]))
        for rule, previous, current in found:
            rows.append(
                {
                    "reporting_year": reporting_year,
                    "partner_id": row["partner_id"],
                    "action_id": row["action_id"],
                    "rule": rule,
                    "previous_value": str(previous),
                    "current_value": str(current),
                    "message_nl": wording.warnings[rule].format(
                        action_id=row["action_id"],
                        previous=previous,
                        current=current,
                        previous_year=reporting_year - 1,
                    ),
                    "submission_sha256": submissions[str(row["partner_id"])],
                }
            )
    frame = pd.DataFrame(rows, columns=ACTION_WARNING_COLUMNS)
    frame["reporting_year"] = frame["reporting_year"].astype("int64")
    return frame


def write_warning_files(feedback_dir: Path, warnings: pd.DataFrame) -> list[Path]:
    """One XLSX and one Markdown file per partner file with warnings; returns their paths.

    A rerun rewrites them whole; a file whose warnings are gone keeps its old warnings file
    (the operator may have sent it already), which names the file it is about.
    """
    import openpyxl

    written: list[Path] = []
    if warnings.empty:
        return written
    feedback_dir.mkdir(parents=True, exist_ok=True)
    for (partner_id, year, sha256), rows in warnings.groupby(
        ["partner_id", "reporting_year", "submission_sha256"], sort=True
    ):
        xlsx_path, md_path = feedback_paths(
            feedback_dir, str(partner_id), int(year), str(sha256), WARNINGS_KIND
        )
        ordered = rows.sort_values(["action_id", "rule"])
        values = [
            (r.action_id, r.rule, r.message_nl, r.previous_value, r.current_value)
            for r in ordered.itertuples()
        ]
        intro = (
            f"Uw bestand over {year} is verwerkt. Vergeleken met uw rapportage over "
            f"{int(year) - 1} vielen {len(values)} punt(en) op; dit zijn waarschuwingen, "
            "geen afkeuring. Controleer ze en stuur zo nodig een verbeterd bestand in."
        )
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = "waarschuwingen"
        fill_table_sheet(sheet, WARNING_FILE_COLUMNS, WARNING_COLUMN_WIDTHS, values)
        about = workbook.create_sheet("uitleg")
        set_cell(about.cell(row=1, column=1), intro)
        set_cell(about.cell(row=2, column=1), f"Kenmerk van het bestand (SHA-256): {sha256}")
        save_workbook(workbook, xlsx_path)
        md_lines = [
            f"# Waarschuwingen bij {markdown_cell(partner_id)}, verslagjaar {year}",
            "",
            intro,
            "",
            f"Kenmerk (SHA-256): `{sha256}`",
            "",
            "| actie_id | regel | melding |",
            "|---|---|---|",
            *(
                f"| {markdown_cell(a)} | {markdown_cell(r)} | {markdown_cell(m)} |"
                for a, r, m, _p, _c in values
            ),
            "",
        ]
        write_atomically(md_path, "\n".join(md_lines).encode("utf-8"))
        written += [xlsx_path, md_path]
    return written
