"""Guards the annex renderers on a hand-made document: Dutch cell formatting, Markdown escaping
and footnotes, Word headings/footnotes/tables, and a workbook in which no cell is a formula."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path

import docx
import openpyxl
import pandas as pd
import pytest

from via_pipeline.core.letter.document import (
    Annex,
    Column,
    LetterTable,
    Paragraph,
    Section,
    TableBlock,
    format_cell,
    name_sort_key,
    sort_by_name,
)
from via_pipeline.core.letter.files import write_replacing
from via_pipeline.core.letter.markdown import annex_markdown
from via_pipeline.core.letter.word import (
    CHAR_WIDTH_CM,
    TEXT_WIDTH_CM,
    column_widths_cm,
    read_footnotes,
    write_annex_docx,
)
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
    generated_on=date(2026, 11, 28),
)
PARTNERS = LetterTable(
    sheet="Partneroverzicht",
    title="Partneroverzicht",
    columns=(
        Column("Partner"),
        Column("Gerapporteerd", "boolean"),
        Column("Ontvangen op", "date"),
        Column("Acties", "integer"),
        Column("Afgewezen bestanden", "integer"),
    ),
    rows=(
        (
            "Nederlandse Bond van Bemiddelings- en Uitzendondernemingen (NBBU)",
            True,
            date(2023, 3, 1),
            3,
            0,
        ),
        ("AWVN", False, None, 0, 0),
    ),
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


def test_markdown_has_no_generation_date_the_word_file_has() -> None:
    """A review diff of the Markdown must not change just because the annex was rebuilt."""
    text = annex_markdown(ANNEX)
    assert "2026" not in text and "Gemaakt op" not in text
    assert text.startswith("# Bijlage voortgang Werkagenda VIA 2023\n\nInleiding.\n")


def test_word_file_states_its_generation_date_on_a4(tmp_path: Path) -> None:
    document = docx.Document(str(write_annex_docx(ANNEX, tmp_path / "bijlage.docx")))
    texts = [p.text for p in document.paragraphs]
    assert texts[1:3] == ["Gemaakt op 28 november 2026.", "Inleiding."]
    assert document.core_properties.created.date() == date(2026, 11, 28)
    section = document.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (
            ["AWVN", "Algemene Bond Uitzendondernemingen (ABU)", "CNV Jongeren"],
            ["Algemene Bond Uitzendondernemingen (ABU)", "AWVN", "CNV Jongeren"],
        ),
        (["Ötzi", "Oa", "Ob", "oc"], ["Oa", "Ob", "oc", "Ötzi"]),
        (
            ["VNO-NCW", "Vereniging Hogescholen", "VluchtelingenWerk"],
            ["Vereniging Hogescholen", "VluchtelingenWerk", "VNO-NCW"],
        ),
    ],
)
def test_names_sort_ignoring_case_and_accents(names: list[str], expected: list[str]) -> None:
    assert sorted(names, key=name_sort_key) == expected
    frame = pd.DataFrame({"partner_name": names, "partner_id": [str(i) for i in range(len(names))]})
    assert sort_by_name(frame, "partner_name", "partner_id")["partner_name"].tolist() == expected


def test_column_widths_give_text_the_room_and_fill_the_page() -> None:
    widths = column_widths_cm(PARTNERS)
    assert sum(widths) == pytest.approx(TEXT_WIDTH_CM)
    partner, reported, received, actions, rejected = widths
    assert partner > 2 * max(reported, received, actions, rejected)
    assert actions < reported
    # No column narrower than its longest word (nothing is broken mid-word).
    assert rejected >= len("bestanden") * CHAR_WIDTH_CM
    assert received >= len("november") * CHAR_WIDTH_CM
    assert partner >= len("Uitzendondernemingen") * CHAR_WIDTH_CM
    # A narrow table is spread over the page in proportion.
    narrow = column_widths_cm(
        LetterTable("x", "x", (Column("A"), Column("B", "integer")), (("ab", 1),))
    )
    assert sum(narrow) == pytest.approx(TEXT_WIDTH_CM)


def test_word_tables_have_widths_a_repeating_header_and_unsplit_rows(tmp_path: Path) -> None:
    annex = Annex(
        2023, "Bijlage", "Inleiding.", (Section("Partneroverzicht", (TableBlock(PARTNERS),)),)
    )
    document = docx.Document(str(write_annex_docx(annex, tmp_path / "bijlage.docx")))
    [table] = document.tables
    expected = column_widths_cm(PARTNERS)
    grid = [column.width.cm for column in table.columns]
    assert grid == pytest.approx(expected, abs=0.01)
    for row in table.rows:
        assert [cell.width.cm for cell in row.cells] == pytest.approx(expected, abs=0.01)
    assert table._tbl.xpath("./w:tblPr/w:tblLayout/@w:type") == ["fixed"]
    assert len(table.rows[0]._tr.xpath("./w:trPr/w:tblHeader")) == 1
    assert all(len(row._tr.xpath("./w:trPr/w:cantSplit")) == 1 for row in table.rows)
    assert all(not row._tr.xpath("./w:trPr/w:tblHeader") for row in table.rows[1:])
    # A short table stays together: every row but the last keeps with the next.
    keeps = [row.cells[0].paragraphs[0].paragraph_format.keep_with_next for row in table.rows]
    assert keeps == [True, True, None]
    caption = next(p for p in document.paragraphs if p.style.name == "Caption")
    assert caption.paragraph_format.keep_with_next is True
    # Numbers right-aligned, header included.
    assert table.rows[0].cells[3].paragraphs[0].alignment == 2
    assert table.rows[1].cells[3].paragraphs[0].alignment == 2
    assert table.rows[1].cells[0].paragraphs[0].alignment is None
