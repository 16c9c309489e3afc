"""Guards the annex renderers on a hand-made document: Dutch cell formatting, Markdown escaping
and footnotes, Word headings/footnotes/tables, and a workbook in which no cell is a formula."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path

import docx
import openpyxl
import pytest

from via_pipeline.core.letter.document import (
    Annex,
    Column,
    LetterTable,
    Paragraph,
    Section,
    TableBlock,
    format_cell,
)
from via_pipeline.core.letter.files import write_replacing
from via_pipeline.core.letter.markdown import annex_markdown
from via_pipeline.core.letter.word import read_footnotes, write_annex_docx
from via_pipeline.core.letter.workbook import sheet_name, write_workbook

TABLE = LetterTable(
    sheet="Acties",
    title="Acties",
    columns=(
        Column("Actie"),
        Column("Personen", "integer"),
        Column("Verschil", "decimal"),
        Column("Start", "date"),
        Column("Klaar", "boolean"),
    ),
    rows=(
        ('=HYPERLINK("http://x")', 1234, 3.25, date(2023, 11, 27), True),
        ("+31 20 123", None, -0.44, datetime(2023, 1, 5, 12, 0), False),
        ("@SUM(A1)|pijp", 0, None, None, None),
        ("-1 actie", 5, 1.0, None, True),
    ),
)
ANNEX = Annex(
    reporting_year=2023,
    title="Bijlage voortgang Werkagenda VIA 2023",
    introduction="Inleiding.",
    sections=(
        Section(
            "Kerncijfers",
            (
                Paragraph(
                    "In 2008 was het 3,2; anno 2022* is dat 2,9.",
                    "Bron: CBS. * 2022: voorlopig cijfer.",
                ),
                Paragraph("Tweede zin.", "Tweede bron."),
            ),
        ),
        Section(
            "Partneroverzicht",
            (Paragraph("0 van de 21 partners hebben gerapporteerd."), TableBlock(TABLE)),
        ),
    ),
    workbook=(TABLE, TABLE),
)


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        (3.25, "decimal", "3,3"),
        (-0.44, "decimal", "-0,4"),
        (1234, "integer", "1.234"),
        (2008, "year", "2008"),
        (date(2023, 11, 27), "date", "27 november 2023"),
        (datetime(2023, 11, 27, 9, 30), "date", "27 november 2023"),
        (True, "boolean", "ja"),
        (False, "boolean", "nee"),
        (None, "integer", "n.b."),
        (float("nan"), "decimal", "n.b."),
        ("tekst", "text", "tekst"),
    ],
)
def test_cells_read_the_dutch_way(value, kind, expected) -> None:
    assert format_cell(value, kind) == expected


def test_markdown_has_headings_footnotes_and_escaped_cells() -> None:
    text = annex_markdown(ANNEX)
    assert text.startswith("# Bijlage voortgang Werkagenda VIA 2023\n")
    assert "## Kerncijfers" in text and "## Partneroverzicht" in text
    assert "In 2008 was het 3,2; anno 2022\\* is dat 2,9.[^1]" in text
    assert "[^2]: Tweede bron." in text
    assert "[^1]: Bron: CBS. \\* 2022: voorlopig cijfer." in text
    assert "| @SUM(A1)\\|pijp | 0 | n.b. | n.b. | n.b. |" in text
    assert '| =HYPERLINK("http://x") | 1.234 | 3,3 | 27 november 2023 | ja |' in text


def test_word_file_has_headings_real_footnotes_and_tables(tmp_path: Path) -> None:
    path = write_annex_docx(ANNEX, tmp_path / "bijlage.docx")
    document = docx.Document(str(path))
    headings = [
        (p.style.name, p.text)
        for p in document.paragraphs
        if p.style.name.startswith(("Heading", "Title"))
    ]
    assert headings == [
        ("Title", "Bijlage voortgang Werkagenda VIA 2023"),
        ("Heading 1", "Kerncijfers"),
        ("Heading 1", "Partneroverzicht"),
    ]
    assert read_footnotes(path) == {1: "Bron: CBS. * 2022: voorlopig cijfer.", 2: "Tweede bron."}
    sentence = next(p for p in document.paragraphs if p.text.startswith("In 2008"))
    references = sentence._p.xpath(".//w:footnoteReference/@w:id")
    assert references == ["1"]
    with zipfile.ZipFile(path) as archive:
        assert "footnotes+xml" in archive.read("[Content_Types].xml").decode()
        footnotes_xml = archive.read("word/footnotes.xml").decode()
    assert 'w:type="separator" w:id="-1"' in footnotes_xml
    assert 'w:type="continuationSeparator" w:id="0"' in footnotes_xml
    assert document.styles.element.xpath("//w:rPrDefault/w:rPr/w:lang/@w:val") == ["nl-NL"]
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert captions == ["Acties"]
    [table] = document.tables
    assert [c.text for c in table.rows[0].cells] == [
        "Actie",
        "Personen",
        "Verschil",
        "Start",
        "Klaar",
    ]
    assert [c.text for c in table.rows[2].cells] == [
        "+31 20 123",
        "n.b.",
        "-0,4",
        "5 januari 2023",
        "nee",
    ]


def test_workbook_never_holds_a_formula(tmp_path: Path) -> None:
    path = write_workbook(ANNEX.workbook, tmp_path / "tabellen.xlsx")
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["Acties", "Acties (2)"]
    sheet = workbook["Acties"]
    assert [c.value for c in sheet[1]] == ["Actie", "Personen", "Verschil", "Start", "Klaar"]
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
    assert sheet["A2"].value == '=HYPERLINK("http://x")' and sheet["A2"].data_type == "s"
    assert sheet["A3"].data_type == "s" and sheet["A5"].data_type == "s"
    assert sheet["B2"].value == 1234 and sheet["B2"].number_format == "#,##0"
    assert sheet["C2"].value == 3.25 and sheet["C2"].number_format == "0.0"
    assert sheet["D2"].value == datetime(2023, 11, 27) and sheet["D2"].number_format == "dd-mm-yyyy"
    assert sheet["E2"].value == "ja"
    assert sheet["B3"].value is None
    # Also the raw XML: no <f> element anywhere.
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name)


def test_sheet_names_follow_excel_rules() -> None:
    taken: set[str] = set()
    assert sheet_name("Acties: a/b [c]", taken) == "Acties  a b  c"
    long = "Begeleiding naar werk vanuit de bijstand of de WW"
    assert sheet_name(long, taken) == long[:31]
    assert sheet_name(long, taken) == long[:27] + " (2)"


def test_files_are_replaced_whole(tmp_path: Path) -> None:
    """A failing render keeps the previous file; a successful one leaves no temporary file."""
    target = tmp_path / "bijlage.md"
    target.write_text("oud", encoding="utf-8")

    def fail(path: Path) -> None:
        path.write_text("half", encoding="utf-8")
        raise RuntimeError("render failed")

    with pytest.raises(RuntimeError):
        write_replacing(target, fail)
    assert target.read_text(encoding="utf-8") == "oud"
    write_replacing(target, lambda path: path.write_text("nieuw", encoding="utf-8"))
    assert target.read_text(encoding="utf-8") == "nieuw"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bijlage.md"]
