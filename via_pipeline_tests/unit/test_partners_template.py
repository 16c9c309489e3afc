"""Guards the template partners fill in: header, drop-down lists, Dutch instructions, CSV variant, CLI."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from via_pipeline.cli import main
from via_pipeline.core.partners.intake import evaluate_submission
from via_pipeline.core.partners.registry import load_partners, load_themes
from via_pipeline.core.partners.template import TemplateError, write_template
from via_pipeline_tests.support.partners import HEADER, valid_rows

PARTNERS = load_partners()
THEMES = load_themes()


def test_xlsx_template_has_header_dropdowns_and_instructions(tmp_path: Path) -> None:
    path = write_template(PARTNERS, THEMES, "vno_ncw", 2024, tmp_path)
    assert path.name == "vno_ncw_2024.xlsx"
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["acties", "keuzelijsten", "instructies"]
    sheet = workbook["acties"]
    assert [cell.value for cell in sheet[1]] == HEADER
    lists = {str(v.sqref): (v.type, v.formula1) for v in sheet.data_validations.dataValidation}
    assert lists["D2:D501"] == ("list", "keuzelijsten!$A$2:$A$4")
    assert lists["F2:F501"] == ("list", "keuzelijsten!$B$2:$B$5")
    assert lists["I2:I501"][0] == "whole"
    options = workbook["keuzelijsten"]
    assert [options.cell(row=r, column=1).value for r in range(2, 5)] == [t.code for t in THEMES]
    assert [options.cell(row=r, column=2).value for r in range(2, 6)] == [
        "gepland",
        "lopend",
        "afgerond",
        "gestopt",
    ]
    instructions = [row[0] for row in workbook["instructies"].iter_rows(values_only=True)]
    assert instructions[0] == "Voortgangsrapportage Werkagenda VIA, verslagjaar 2024"
    assert "2. Kies thema en status uit de keuzelijst in de cel." in instructions
    assert "3. Sla het bestand op onder dezelfde naam: vno_ncw_2024.xlsx." in instructions


def test_filled_in_template_is_accepted(tmp_path: Path) -> None:
    path = write_template(PARTNERS, THEMES, "abu", 2023, tmp_path)
    workbook = openpyxl.load_workbook(path)
    for row in valid_rows("abu", 2023, 3):
        workbook["acties"].append(row)
    workbook.save(path)
    evaluation = evaluate_submission(path.read_bytes(), path.name, PARTNERS, THEMES, [2023])
    assert evaluation.problems == ()
    assert len(evaluation.actions) == 3


def test_csv_template_is_a_semicolon_header_with_bom(tmp_path: Path) -> None:
    path = write_template(PARTNERS, THEMES, "uwv", 2023, tmp_path, "csv")
    assert path.read_bytes() == ("\ufeff" + ";".join(HEADER) + "\r\n").encode("utf-8")


@pytest.mark.parametrize(
    ("partner", "fmt", "message"),
    [("nobody", "xlsx", "unknown partner 'nobody'"), ("abu", "ods", "format must be one of")],
)
def test_template_errors(tmp_path: Path, partner: str, fmt: str, message: str) -> None:
    with pytest.raises(TemplateError, match=message):
        write_template(PARTNERS, THEMES, partner, 2023, tmp_path, fmt)


def test_cli_template(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "template",
                "--partner",
                "sbb",
                "--year",
                "2025",
                "--format",
                "csv",
                "--output",
                str(tmp_path),
            ]
        )
        == 0
    )
    assert (tmp_path / "sbb_2025.csv").is_file()
    assert f"template written: {tmp_path / 'sbb_2025.csv'}" in capsys.readouterr().out
    assert (
        main(["template", "--partner", "../../etc", "--year", "2025", "--output", str(tmp_path)])
        == 2
    )
    assert "unknown partner '../../etc'" in capsys.readouterr().err


def test_cli_template_defaults_to_the_output_folder(offline_environment: Path) -> None:
    assert main(["template", "--partner", "abu", "--year", "2023"]) == 0
    assert (offline_environment / "output" / "templates" / "abu_2023.xlsx").is_file()
