"""Guards how partner files are read: XLSX quirks (title rows, empty rows, formulas, Excel types), CSV encodings."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime

import openpyxl
import pytest

from via_pipeline.core.partners.evaluation import evaluate_submission
from via_pipeline.core.partners.fileformat import normalise_header, parse_file_name, safe_slug
from via_pipeline.core.partners.reading import (
    UnreadableSubmission,
    read_submission,
    sniff_delimiter,
)
from via_pipeline.core.partners.registry import load_partners, load_themes
from via_pipeline_tests.support.partners import HEADER, csv_bytes, valid_rows, xlsx_bytes

PARTNERS = load_partners()
THEMES = load_themes()
YEARS = (2022, 2023, 2024, 2025, 2026)


def with_cached_formula_values(content: bytes, values: dict[str, str]) -> bytes:
    """Give formula cells the value Excel would have cached (openpyxl itself writes none)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    target_buffer = io.BytesIO()
    with zipfile.ZipFile(target_buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                for cell, value in values.items():
                    text = re.sub(
                        rf'(<c r="{cell}"[^>]*>(<f>[^<]*</f>))<v\s*(/>|></v>)',
                        rf"\1<v>{value}</v>",
                        text,
                    )
                data = text.encode()
            target.writestr(item, data)
    return target_buffer.getvalue()


def test_xlsx_header_below_a_title_row_and_trailing_empty_rows() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Acties"
    sheet.append(["Voortgang Werkagenda VIA 2023"])
    sheet.append([])
    sheet.append(HEADER)
    for row in valid_rows(count=2):
        sheet.append(row)
    for _ in range(5):
        sheet.append([None, "", "   "])
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read_submission(buffer.getvalue(), "xlsx")
    assert table.header_row == 3
    assert [row.number for row in table.rows] == [4, 5]
    assert table.problems == ()


def test_xlsx_formulas_are_read_as_their_values_and_excel_types_are_understood() -> None:
    rows = valid_rows(count=1)
    rows[0][HEADER.index("bereikte_personen")] = "=20+22"
    rows[0][HEADER.index("startdatum")] = datetime(2023, 2, 1)
    rows[0][HEADER.index("bereikte_werkgevers")] = 7.0
    rows[0][HEADER.index("actie_id")] = 17
    content = with_cached_formula_values(xlsx_bytes(rows), {"I2": "42"})
    evaluation = evaluate_submission(content, "abu_2023.xlsx", PARTNERS, THEMES, YEARS)
    assert evaluation.problems == ()
    action = evaluation.actions.iloc[0]
    assert action["people_reached"] == 42
    assert str(action["start_date"]) == "2023-02-01"
    assert action["employers_reached"] == 7
    assert action["action_id"] == "17"


@pytest.mark.parametrize(
    ("content", "rule"),
    [(b"PK\x03\x04 not really a zip", "incomplete_file"), (b"naam;jaar\n", "unreadable_file")],
)
def test_unreadable_file_is_a_problem_not_an_exception(content: bytes, rule: str) -> None:
    with pytest.raises(UnreadableSubmission) as raised:
        read_submission(content, "xlsx")
    assert raised.value.problem.rule == rule


def test_csv_with_bytes_invalid_in_both_encodings_is_unreadable() -> None:
    content = csv_bytes(valid_rows(count=1)) + b"\x81\x8d"
    with pytest.raises(UnreadableSubmission) as raised:
        read_submission(content, "csv")
    assert raised.value.problem.rule == "unreadable_file"


@pytest.mark.parametrize(
    ("content", "encoding", "delimiter"),
    [
        (csv_bytes(valid_rows(), delimiter=";"), "utf-8", ";"),
        (b"\xef\xbb\xbf" + csv_bytes(valid_rows()), "utf-8-sig", ","),
        (
            csv_bytes(valid_rows(), delimiter=";", encoding="cp1252").replace(
                b"Actie", b"Acti\xe9"
            ),
            "windows-1252",
            ";",
        ),
    ],
)
def test_csv_encoding_and_delimiter_are_detected(
    content: bytes, encoding: str, delimiter: str
) -> None:
    table = read_submission(content, "csv")
    assert (table.encoding, table.delimiter, len(table.rows)) == (encoding, delimiter, 2)


def test_sniff_delimiter_prefers_semicolon_only_when_it_dominates() -> None:
    assert sniff_delimiter("a;b;c\n1,5;2;3") == ";"
    assert sniff_delimiter("a,b,c\n") == ","


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("abu_2023.xlsx", ("abu", 2023, "xlsx")),
        ("cnv_jongeren_2024.csv", ("cnv_jongeren", 2024, "csv")),
        ("ABU_2023.XLSX", ("abu", 2023, "xlsx")),
        ("abu_2023.pdf", ("abu", 2023, "pdf")),
        ("abu-2023.csv", None),
        ("../../etc/passwd.csv", None),
        ("abu_2023.csv/..", None),
        ("abu_23.csv", None),
    ],
)
def test_parse_file_name(name: str, expected: tuple[str, int, str] | None) -> None:
    parsed = parse_file_name(name)
    assert (
        None if parsed is None else (parsed.partner_id, parsed.reporting_year, parsed.extension)
    ) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (" Partner_ID ", "partner_id"),
        ("Actie ID", "actie_id"),
        ("eind-datum", "einddatum"),
        ("Budget 2023", "budget_2023"),
    ],
)
def test_normalise_header(header: str, expected: str) -> None:
    assert normalise_header(header) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("abu", "abu"), ("../etc", "onbekend"), (None, "onbekend"), ("a b", "onbekend")],
)
def test_safe_slug(value: str | None, expected: str) -> None:
    assert safe_slug(value) == expected


def cut_off_csv() -> bytes:
    from via_pipeline_tests.support.partners import numbered_rows

    rows = numbered_rows("abu", 2023, 13)
    rows[-1][HEADER.index("bereikte_personen")] = "113"
    content = csv_bytes(rows, delimiter=";")
    # A copy stopped inside the last row's number: "...;31-12-2023;1" instead of 113.
    return content[: content.rindex(b";113;") + len(b";1")]


def test_a_row_cut_inside_a_number_is_not_taken_as_a_smaller_number() -> None:
    """Finding 2: `...,2023-12-31,1` for 113 was accepted with people_reached = 1."""
    evaluation = evaluate_submission(cut_off_csv(), "abu_2023.csv", PARTNERS, THEMES, YEARS)
    assert not evaluation.accepted
    assert [(p.row_number, p.rule, p.message_nl) for p in evaluation.problems] == [
        (
            14,
            "wrong_field_count",
            "Rij 14 heeft 9 van de 11 kolommen. Staat er een ';' of ',' in een waarde, zet die "
            "waarde dan tussen aanhalingstekens; ontbreekt er een waarde, vul de rij aan tot "
            "alle kolommen.",
        )
    ]


@pytest.mark.parametrize("extra", [["Let op; dubbel"], []])
def test_rows_with_fewer_or_more_fields_than_the_header_are_never_padded(
    extra: list[str],
) -> None:
    rows: list[list[object]] = [list(row) for row in valid_rows(count=3)]
    rows[1] = rows[1][:7] if not extra else [*rows[1], *extra]
    table = read_submission(csv_bytes(rows), "csv")
    assert [row.number for row in table.rows] == [2, 4]
    ((number, value, expected),) = [
        (p.row_number, p.value, p.message_nl.split(" kolommen")[0]) for p in table.problems
    ]
    count = 7 if not extra else 12
    assert (number, value, expected) == (3, str(count), f"Rij 3 heeft {count} van de 11")


def test_an_xlsx_cut_off_while_copying_is_incomplete_not_wrong() -> None:
    content = xlsx_bytes(valid_rows(count=3))
    evaluation = evaluate_submission(
        content[: len(content) // 2], "abu_2023.xlsx", PARTNERS, THEMES, YEARS
    )
    ((rule, message),) = [(p.rule, p.message_nl) for p in evaluation.problems]
    assert rule == "incomplete_file"
    assert message.startswith(f"Het Excel-bestand is niet compleet ({len(content) // 2} bytes")
