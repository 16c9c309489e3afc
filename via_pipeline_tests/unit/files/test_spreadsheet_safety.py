"""Untrusted text never becomes a spreadsheet formula, in XLSX cells or CSV exports."""

import zipfile

import openpyxl
import pytest

from via_pipeline.core.files.spreadsheet import csv_safe, is_formula_like, set_cell

HOSTILE = ['=HYPERLINK("http://evil","klik")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_stored_as_text(tmp_path, text: str) -> None:
    workbook = openpyxl.Workbook()
    set_cell(workbook.active["A1"], text)
    path = tmp_path / "out.xlsx"
    workbook.save(path)
    sheet_xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml
    cell = openpyxl.load_workbook(path).active["A1"]
    assert (cell.value, cell.data_type) == (text, "s")


@pytest.mark.parametrize("text", HOSTILE)
def test_csv_export_prefixes_an_apostrophe(text: str) -> None:
    assert is_formula_like(text)
    assert csv_safe(text) == "'" + text


@pytest.mark.parametrize("value", ["gewone tekst", "3,2", 3.2, -0.4, None])
def test_ordinary_values_pass_unchanged(value) -> None:
    assert csv_safe(value) == value
