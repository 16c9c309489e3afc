"""An XLSX must be a plain workbook (no macros) and a ZIP of sane size, before openpyxl reads it."""

from __future__ import annotations

import io
import time
import zipfile

import openpyxl.xml

from via_pipeline.core.partners.evaluation import evaluate_submission
from via_pipeline.core.partners.limits import SubmissionLimits, size_problem
from via_pipeline.core.partners.registry import load_partners, load_themes
from via_pipeline.core.partners.sniffing import xlsx_content_problem
from via_pipeline_tests.support.partners import csv_bytes, valid_rows, xlsx_bytes

YEARS = list(range(2022, 2027))


def _with_entry(name: str, data: bytes, content: bytes | None = None) -> bytes:
    buffer = io.BytesIO()
    source = zipfile.ZipFile(io.BytesIO(content or xlsx_bytes(valid_rows())))
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr(name, data)
    return buffer.getvalue()


def _problems(content: bytes, name: str = "abu_2023.xlsx") -> list[tuple[str, str]]:
    evaluation = evaluate_submission(content, name, load_partners(), load_themes(), YEARS)
    return [(p.rule, p.message_nl) for p in evaluation.problems]


def test_a_plain_workbook_passes_and_a_macro_workbook_is_refused_before_reading() -> None:
    assert xlsx_content_problem(xlsx_bytes(valid_rows())) is None
    macros = _with_entry("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 macro")
    assert _problems(macros) == [
        (
            "unreadable_file",
            "Het bestand kan niet gelezen worden als XLSX: het bevat macro's (vbaProject.bin); "
            "sla het op als 'Excel-werkmap (*.xlsx)', zonder macro's",
        )
    ]


def test_a_zip_without_the_workbook_part_gets_the_readers_reason() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hallo")
    assert _problems(buffer.getvalue()) == [
        (
            "unreadable_file",
            "Het bestand kan niet gelezen worden als XLSX: het is een ZIP-bestand, geen Excel-werkmap (.xlsx)",
        )
    ]


def test_a_zip_with_too_many_entries_is_too_large_without_inflating() -> None:
    limits = SubmissionLimits(10**7, 10**8, 5000, 100, max_zip_entries=20)
    content = xlsx_bytes(valid_rows())
    assert size_problem(content, "xlsx", limits) is None
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for number in range(25):
            archive.writestr(f"xl/part{number}.xml", "")
    problem = size_problem(buffer.getvalue(), "xlsx", limits)
    assert problem is not None and problem.rule == "file_too_large"
    assert problem.message_nl == (
        "Het bestand is te groot (25 onderdelen in het Excel-bestand); de grens is 20 onderdelen."
    )


def test_the_default_zip_entry_cap_comes_from_config() -> None:
    from via_pipeline.core.partners.limits import load_limits

    assert load_limits().max_zip_entries == 1000


def test_a_csv_with_nul_bytes_is_refused_but_utf16_text_is_read() -> None:
    content = csv_bytes(valid_rows())
    assert _problems(content[:40] + b"\x00" + content[40:], "abu_2023.csv") == [
        (
            "unreadable_file",
            "Het bestand kan niet gelezen worden als CSV: het is een binair bestand, geen tekst",
        )
    ]
    utf16 = csv_bytes(valid_rows(), delimiter="\t", encoding="utf-16")
    assert _problems(utf16, "abu_2023.csv") == []


def test_workbook_xml_is_parsed_with_defusedxml_so_entity_bombs_do_nothing() -> None:
    """openpyxl parses through defusedxml when it is installed (a pinned dependency)."""
    assert openpyxl.xml.DEFUSEDXML is True
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10 if n > 1 else "&lol;" * 10}">'.encode()
            for n in range(1, 10)
        )
        + b']><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">&lol9;</workbook>'
    )
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes(valid_rows())))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            data = laughs if item.filename == "xl/workbook.xml" else source.read(item.filename)
            target.writestr(item.filename, data)
    started = time.monotonic()
    problems = _problems(buffer.getvalue())
    assert time.monotonic() - started < 5
    assert [rule for rule, _ in problems] == ["unreadable_file"]
