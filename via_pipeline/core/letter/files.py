"""Where the annex files of a reporting year go, and writing them all at once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from via_pipeline.core.files.atomic import replacing, write_replacing
from via_pipeline.core.files.ooxml import PackageProperties
from via_pipeline.core.letter.document import Annex
from via_pipeline.core.letter.markdown import write_annex_markdown
from via_pipeline.core.letter.word import write_annex_docx
from via_pipeline.core.letter.workbook import write_workbook

__all__ = ["AnnexFiles", "annex_files", "replacing", "write_annex_files", "write_replacing"]


@dataclass(frozen=True)
class AnnexFiles:
    docx: Path
    xlsx: Path
    markdown: Path

    def all(self) -> list[Path]:
        return [self.docx, self.xlsx, self.markdown]


def workbook_title(programme_title: str, reporting_year: int) -> str:
    """ "Tabellen bij de voortgangsbrief Werkagenda VIA over 2023": the workbook's title, per
    programme (workbook.WORKBOOK_TITLE is the VIA letter's)."""
    return f"Tabellen bij de voortgangsbrief {programme_title} over {reporting_year}"


def year_output_dir(output_dir: Path, reporting_year: int) -> Path:
    """<VIA_DATA_DIR>/output/<year>/."""
    return output_dir / str(reporting_year)


def annex_files(
    output_dir: Path, reporting_year: int, file_prefix: str = "voortgang_via_"
) -> AnnexFiles:
    """A programme's annex files of the year (its prefix from config/programmes.yaml)."""
    folder = year_output_dir(output_dir, reporting_year)
    stem = f"{file_prefix}{reporting_year}"
    return AnnexFiles(
        docx=folder / f"{stem}_bijlage.docx",
        xlsx=folder / f"{stem}_tabellen.xlsx",
        markdown=folder / f"{stem}_bijlage.md",
    )


def write_annex_files(annex: Annex, output_dir: Path) -> AnnexFiles:
    """Write the Word annex, the workbook and the Markdown version; rerunning overwrites them."""
    files = annex_files(output_dir, annex.reporting_year, annex.file_prefix)
    write_replacing(files.docx, lambda path: write_annex_docx(annex, path))
    workbook = PackageProperties(
        workbook_title(annex.programme_title, annex.reporting_year),
        annex.dated(),
        subject=annex.title,
    )
    write_replacing(files.xlsx, lambda path: write_workbook(annex.workbook, path, workbook))
    write_replacing(files.markdown, lambda path: write_annex_markdown(annex, path))
    return files
