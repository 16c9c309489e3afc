"""Guards reading partner files as their programs really save them (issue 26, items 7 and 10):
formulas without a cached value, Excel's Dutch number format, "Unicode-tekst", mixed encodings,
a header too far down, and files that are no Excel workbook, each with a Dutch message.
"""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from via_pipeline.core.partners.cells import parse_integer
from via_pipeline.core.partners.evaluation import evaluate_submission
from via_pipeline.core.partners.reading import UnreadableSubmission, read_submission
from via_pipeline.core.partners.registry import load_partners, load_themes
from via_pipeline_tests.support.partners import HEADER, csv_bytes, numbered_rows, xlsx_bytes

PARTNERS = load_partners()
THEMES = load_themes()
YEARS = (2022, 2023, 2024, 2025, 2026)


def evaluate(content: bytes, file_name: str = "fnv_2023.xlsx") -> list[tuple[object, ...]]:
    evaluation = evaluate_submission(content, file_name, PARTNERS, THEMES, YEARS)
    return [(p.row_number, p.column_name, p.rule, p.message_nl) for p in evaluation.problems]


# -- formulas -----------------------------------------------------------------------------------


def test_a_formula_saved_without_its_result_rejects_the_file_naming_each_cell() -> None:
    rows = numbered_rows("fnv", 2023, 3, excel_cells=True)
    people = HEADER.index("bereikte_personen")
    rows[0][people] = "=SUM(400,20)"  # I2: openpyxl stores the formula without a cached value
    rows[2][HEADER.index("bereikte_werkgevers")] = "=I3/10"  # J4
    problems = evaluate(xlsx_bytes(rows))
    assert problems == [
        (
            2,
            "bereikte_personen",
            "formula_without_value",
            "Cel I2 bevat een formule zonder opgeslagen uitkomst; open het bestand in Excel en "
            "sla het op.",
        ),
        (
            4,
            "bereikte_werkgevers",
            "formula_without_value",
            "Cel J4 bevat een formule zonder opgeslagen uitkomst; open het bestand in Excel en "
            "sla het op.",
        ),
    ]


def test_a_formula_in_a_required_column_is_one_problem_not_also_empty() -> None:
    rows = numbered_rows("fnv", 2023, 1)
    rows[0][HEADER.index("titel")] = '=CONCATENATE("Banen", " voor statushouders")'
    problems = evaluate(xlsx_bytes(rows))
    assert [(row, column, rule) for row, column, rule, _ in problems] == [
        (2, "titel", "formula_without_value")
    ]


def test_a_formula_in_a_title_row_above_the_header_is_not_read() -> None:
    rows = numbered_rows("fnv", 2023, 2)
    content = xlsx_bytes(rows, title_rows=['=CONCATENATE("Voortgang ", "2023")'])
    assert evaluate(content) == []


# -- numbers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "value", "problem"),
    [
        ("3.000,00", 3000, None),
        ("1.250,0", 1250, None),
        ("12.345.678,00", 12_345_678, None),
        ("-3.000,00", -3000, None),
        ("3.000", 3000, None),
        ("420,00", 420, None),
        ("1.234,50", None, "decimal_in_count"),
        ("3.00,00", None, "not_a_whole_number"),
        ("ca. 3.000", None, "not_a_whole_number"),
        ("drieduizend", None, "not_a_whole_number"),
        ("3,000.00", None, "not_a_whole_number"),
    ],
)
def test_excel_dutch_number_format_is_a_whole_number(
    cell: str, value: int | None, problem: str | None
) -> None:
    parsed = parse_integer(cell)
    assert (parsed.value, parsed.problem) == (value, problem)


def test_a_csv_saved_by_dutch_excel_with_number_format_is_accepted() -> None:
    rows = numbered_rows("fnv", 2023, 2)
    rows[0][HEADER.index("bereikte_personen")] = "3.000,00"
    rows[1][HEADER.index("bereikte_werkgevers")] = "85,00"
    content = csv_bytes(rows, delimiter=";", encoding="cp1252")
    evaluation = evaluate_submission(content, "fnv_2023.csv", PARTNERS, THEMES, YEARS)
    assert evaluation.problems == ()
    assert evaluation.actions["people_reached"].iloc[0] == 3000
    assert evaluation.actions["employers_reached"].iloc[1] == 85


# -- encodings ------------------------------------------------------------------------------------


def unicode_text(rows: list[list[object]]) -> bytes:
    """What Excel writes for "Opslaan als: Unicode-tekst (*.txt)": UTF-16 LE, BOM, tabs, CRLF."""
    text = csv_bytes(rows, delimiter="\t").decode("utf-8")
    return b"\xff\xfe" + text.encode("utf-16-le")


def test_excel_unicode_text_is_read_as_utf16_with_tabs() -> None:
    rows = numbered_rows("fnv", 2023, 3)
    rows[1][HEADER.index("titel")] = "Café-overleg met werkgevers, ‘Ëén’ loket"
    table = read_submission(unicode_text(rows), "csv")
    assert (table.encoding, table.delimiter, len(table.rows)) == ("utf-16", "\t", 3)
    assert table.rows[1].cells["titel"] == "Café-overleg met werkgevers, ‘Ëén’ loket"
    evaluation = evaluate_submission(unicode_text(rows), "fnv_2023.csv", PARTNERS, THEMES, YEARS)
    assert evaluation.problems == ()


def test_a_utf8_file_with_one_windows_1252_row_is_rejected_naming_that_row() -> None:
    rows = numbered_rows("fnv", 2023, 3)
    rows[0][HEADER.index("titel")] = "Banen in de zorg – één loket"
    good = csv_bytes(rows, delimiter=";")
    pasted = "fnv;2023;9;kans_op_baan_of_stage;Café in de wijk;lopend;;;12;;\r\n"
    content = good + pasted.encode("cp1252")
    with pytest.raises(UnreadableSubmission) as raised:
        read_submission(content, "csv")
    problem = raised.value.problem
    assert (problem.rule, problem.row_number) == ("mixed_encoding", 5)
    assert problem.message_nl == (
        "Rij 5 is niet in UTF-8 geschreven, de rest van het bestand wel: "
        "'fnv;2023;9;kans_op_baan_of_stage;Café in de wijk;lopend;;;12;;'. Sla het bestand "
        "opnieuw op als 'CSV UTF-8' en stuur het opnieuw."
    )
    assert "Ã" not in problem.message_nl


def test_a_utf8_file_with_a_bom_and_windows_1252_rows_names_them_all() -> None:
    rows = numbered_rows("fnv", 2023, 4)
    content = b"\xef\xbb\xbf" + csv_bytes(rows, delimiter=";")
    content = content.replace(b"traject 2;", "traject 2 café;".encode("cp1252"))
    content = content.replace(b"traject 4;", "traject 4 café;".encode("cp1252"))
    with pytest.raises(UnreadableSubmission) as raised:
        read_submission(content, "csv")
    assert raised.value.problem.row_number == 3
    assert "(ook rij 5)" in raised.value.problem.message_nl


def test_a_file_wholly_in_windows_1252_is_read_as_windows_1252() -> None:
    rows = numbered_rows("fnv", 2023, 2)
    rows[1][HEADER.index("titel")] = "Café in de wijk – €50"
    table = read_submission(csv_bytes(rows, delimiter=";", encoding="cp1252"), "csv")
    assert table.encoding == "windows-1252"
    assert table.rows[1].cells["titel"] == "Café in de wijk – €50"


# -- header ---------------------------------------------------------------------------------------


def test_a_header_below_the_rows_searched_is_one_message_saying_where_it_was_looked_for() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "acties"
    sheet.append(["Voortgangsrapportage Werkagenda VIA 2023"])
    sheet.append(["FNV, afdeling beleid"])
    for _ in range(22):
        sheet.append([])
    sheet.append(HEADER)
    for row in numbered_rows("fnv", 2023, 2, excel_cells=True):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    problems = evaluate(buffer.getvalue())
    assert problems == [
        (
            None,
            None,
            "header_not_found",
            "Geen kopregel gevonden: gezocht in rij 1 tot en met 20, maar geen rij noemt 3 of "
            "meer kolommen van het formaat (partner_id, verslagjaar, actie_id, thema, titel, "
            "...). Zet de kopregel van het sjabloon in een van die rijen.",
        )
    ]


def test_a_short_file_without_header_says_the_rows_it_has() -> None:
    content = b"Naam;Aantal\r\nTraining;12\r\n"
    with pytest.raises(UnreadableSubmission) as raised:
        read_submission(content, "csv")
    assert raised.value.problem.rule == "header_not_found"
    assert "gezocht in rij 1 tot en met 2," in raised.value.problem.message_nl


# -- not a workbook -------------------------------------------------------------------------------


def ods_bytes() -> bytes:
    """A LibreOffice Calc file: `mimetype` stored first, then content and manifest."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"),
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        archive.writestr(
            "content.xml",
            '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
            'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'office:version="1.3"><office:body><office:spreadsheet/></office:body>'
            "</office:document-content>",
        )
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
            'manifest:version="1.3"><manifest:file-entry manifest:full-path="/" '
            'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            "</manifest:manifest>",
        )
    return buffer.getvalue()


def docx_like() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (ods_bytes(), "het is een OpenDocument-werkblad (.ods, bijvoorbeeld uit LibreOffice)"),
        (docx_like(), "het is een Word-document (.docx), geen Excel-werkmap (.xlsx)"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
            "het is een oud Excel-bestand (.xls)",
        ),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "het is geen Excel-werkmap (.xlsx)"),
    ],
)
def test_a_file_that_is_no_excel_workbook_gets_a_dutch_reason(content: bytes, reason: str) -> None:
    with pytest.raises(UnreadableSubmission) as raised:
        read_submission(content, "xlsx")
    message = raised.value.problem.message_nl
    assert message.startswith(f"Het bestand kan niet gelezen worden als XLSX: {reason}")
    for english in ("File", "file", "zip", "Error", "There is no item", "not supported"):
        assert english not in message.replace("ZIP-bestand", "")
