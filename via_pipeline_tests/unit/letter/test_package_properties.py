"""Guards the Word annex's and the workbook's document properties and zip entries: title and the
ministry's monitor as creator, created = modified = the day of the inputs (never the clock, never
python-docx's 2013-12-23), no writer's name anywhere, fixed entry times and order."""

from __future__ import annotations

import time
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import docx
import openpyxl

from via_pipeline.core.files.ooxml import MONITOR_CREATOR
from via_pipeline.core.letter.document import Annex, Column, LetterTable, Paragraph, Section
from via_pipeline.core.letter.files import write_annex_files

TABLE = LetterTable(
    sheet="Acties",
    title="Acties",
    columns=(Column("Actie"), Column("Personen", "integer")),
    rows=(("Stagebank", 12),),
)


def _annex(generated_on: date | None) -> Annex:
    return Annex(
        reporting_year=2023,
        title="Bijlage voortgang Werkagenda VIA 2023",
        introduction="Inleiding.",
        sections=(Section("Kerncijfers", (Paragraph("Zin.", "Bron: CBS."),)),),
        workbook=(TABLE,),
        generated_on=generated_on,
    )


def _entries(path: Path) -> list[zipfile.ZipInfo]:
    with zipfile.ZipFile(path) as package:
        return package.infolist()


def _no_writer_named(path: Path) -> None:
    with zipfile.ZipFile(path) as package:
        for name in package.namelist():
            content = package.read(name).lower()
            assert b"python-docx" not in content and b"openpyxl" not in content, name
            assert b"2013-12-23" not in content, name


def test_word_and_excel_properties_name_the_monitor_and_the_inputs_day(tmp_path: Path) -> None:
    files = write_annex_files(_annex(date(2023, 11, 27)), tmp_path)
    word = docx.Document(str(files.docx)).core_properties
    assert word.title == "Bijlage voortgang Werkagenda VIA 2023"
    assert word.author == MONITOR_CREATOR == "Ministerie van SZW – monitor Werkagenda VIA"
    assert word.last_modified_by == MONITOR_CREATOR
    assert word.subject == "Bijlage bij de voortgangsbrief Werkagenda VIA over 2023"
    assert word.comments == "" and word.language == "nl-NL"
    assert word.created == word.modified == datetime(2023, 11, 27, tzinfo=UTC)
    excel = openpyxl.load_workbook(files.xlsx).properties
    assert excel.title == "Tabellen bij de voortgangsbrief Werkagenda VIA over 2023"
    assert excel.creator == MONITOR_CREATOR and excel.lastModifiedBy == MONITOR_CREATOR
    assert excel.created == excel.modified == datetime(2023, 11, 27)
    for path in (files.docx, files.xlsx):
        _no_writer_named(path)
        entries = _entries(path)
        assert {entry.date_time for entry in entries} == {(2023, 11, 27, 0, 0, 0)}
        names = [entry.filename for entry in entries]
        assert names[:2] == ["[Content_Types].xml", "_rels/.rels"]
        assert names[2:] == sorted(names[2:])


def test_without_an_input_date_the_files_are_dated_after_the_reporting_year(
    tmp_path: Path,
) -> None:
    files = write_annex_files(_annex(None), tmp_path)
    word = docx.Document(str(files.docx)).core_properties
    assert word.created == word.modified == datetime(2024, 1, 1, tzinfo=UTC)
    assert openpyxl.load_workbook(files.xlsx).properties.modified == datetime(2024, 1, 1)
    assert "Stand van de gegevens" not in "\n".join(
        p.text for p in docx.Document(str(files.docx)).paragraphs
    )


def test_rewritten_at_another_time_the_files_are_byte_identical(tmp_path: Path) -> None:
    first = write_annex_files(_annex(date(2023, 11, 27)), tmp_path / "first")
    time.sleep(2.1)  # zip entry times have a resolution of two seconds
    second = write_annex_files(_annex(date(2023, 11, 27)), tmp_path / "second")
    for one, other in zip(first.all(), second.all(), strict=True):
        assert one.read_bytes() == other.read_bytes(), one.name
