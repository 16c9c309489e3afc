"""Partners' mistakes the two years show, as warnings (*waarschuwingen*) that reject nothing.

An actie_id whose title is completely different from last year's (the id reused for another
action) and a status going backwards (afgerond -> gepland). They go to quality.action_warnings
and to a warnings file beside the partner's feedback files: `<partner>_<year>_<hash8>_
waarschuwingen.xlsx` and `.md`, named by the accepted file's hash like a rejection's feedback.
Partner text is untrusted: XLSX cells go through core.spreadsheet.set_cell.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from via_pipeline.core.letter.across_years.wording import ProgressWording
from via_pipeline.core.partners.feedback import feedback_stem
from via_pipeline.core.spreadsheet import set_cell

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


def _inside(directory: Path, path: Path) -> Path:
    if not path.resolve().is_relative_to(directory.resolve()):
        raise ValueError(f"{path} is outside {directory}")
    return path


def write_warning_files(feedback_dir: Path, warnings: pd.DataFrame) -> list[Path]:
    """One XLSX and one Markdown file per partner file with warnings; returns their paths.

    A rerun rewrites them whole; a file whose warnings are gone keeps its old warnings file
    (the operator may have sent it already), which names the file it is about.
    """
    import openpyxl
    from openpyxl.styles import Font

    written: list[Path] = []
    if warnings.empty:
        return written
    feedback_dir.mkdir(parents=True, exist_ok=True)
    for (partner_id, year, sha256), rows in warnings.groupby(
        ["partner_id", "reporting_year", "submission_sha256"], sort=True
    ):
        stem = feedback_stem(str(partner_id), int(year), str(sha256)) + "_waarschuwingen"
        xlsx_path = _inside(feedback_dir, feedback_dir / f"{stem}.xlsx")
        md_path = _inside(feedback_dir, feedback_dir / f"{stem}.md")
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
        for column, (title, width) in enumerate(
            zip(WARNING_FILE_COLUMNS, WARNING_COLUMN_WIDTHS, strict=True), start=1
        ):
            set_cell(sheet.cell(row=1, column=column), title)
            sheet.cell(row=1, column=column).font = Font(bold=True)
            sheet.column_dimensions[openpyxl.utils.get_column_letter(column)].width = width
        for row_number, value_row in enumerate(values, start=2):
            for column, value in enumerate(value_row, start=1):
                set_cell(sheet.cell(row=row_number, column=column), value)
        sheet.freeze_panes = "A2"
        about = workbook.create_sheet("uitleg")
        set_cell(about.cell(row=1, column=1), intro)
        set_cell(about.cell(row=2, column=1), f"Kenmerk van het bestand (SHA-256): {sha256}")
        workbook.save(xlsx_path)

        def cell(value: object) -> str:
            return str(value).replace("|", "\\|").replace("\n", " ")

        md_lines = [
            f"# Waarschuwingen bij {cell(partner_id)}, verslagjaar {year}",
            "",
            intro,
            "",
            f"Kenmerk (SHA-256): `{sha256}`",
            "",
            "| actie_id | regel | melding |",
            "|---|---|---|",
            *(f"| {cell(a)} | {cell(r)} | {cell(m)} |" for a, r, m, _p, _c in values),
            "",
        ]
        md_path.write_text("\n".join(md_lines), encoding="utf-8")
        written += [xlsx_path, md_path]
    return written
