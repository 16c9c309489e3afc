"""Guards the template partners fill in: header, drop-down lists, Dutch instructions, CSV variant, CLI,
and last year's open actions carried forward (filled in by a partner, taken in, matched across years)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from via_pipeline.cli import main
from via_pipeline.core.letter.across_years.tables import write_progress_tables
from via_pipeline.core.letter.across_years.wording import load_progress_wording
from via_pipeline.core.letter.config import load_themes as load_letter_themes
from via_pipeline.core.partners.archive import archive_bytes
from via_pipeline.core.partners.intake import IntakeOutcome, evaluate_submission, take_in
from via_pipeline.core.partners.registry import load_partners, load_themes
from via_pipeline.core.partners.template import (
    CarriedAction,
    TemplateError,
    carried_actions,
    write_template,
)
from via_pipeline.core.warehouse import WarehouseStore
from via_pipeline_tests.support.letter import write_registry
from via_pipeline_tests.support.partners import HEADER, csv_bytes, valid_rows

# The template has the optional column programma (issue 27) after the columns of every file.
TEMPLATE_HEADER = [*HEADER, "programma"]
PARTNERS = load_partners()
THEMES = load_themes()


def test_xlsx_template_has_header_dropdowns_and_instructions(tmp_path: Path) -> None:
    path = write_template(PARTNERS, THEMES, "vno_ncw", 2024, tmp_path)
    assert path.name == "vno_ncw_2024.xlsx"
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["acties", "keuzelijsten", "instructies"]
    sheet = workbook["acties"]
    assert [cell.value for cell in sheet[1]] == TEMPLATE_HEADER
    lists = {str(v.sqref): (v.type, v.formula1) for v in sheet.data_validations.dataValidation}
    assert lists["D2:D501"] == ("list", "keuzelijsten!$A$2:$A$4")
    assert lists["F2:F501"] == ("list", "keuzelijsten!$B$2:$B$5")
    assert lists["I2:I501"][0] == "whole"
    assert lists["L2:L501"] == ("list", "keuzelijsten!$C$2:$C$3")
    options = workbook["keuzelijsten"]
    assert [options.cell(row=r, column=1).value for r in range(2, 5)] == [t.code for t in THEMES]
    assert [options.cell(row=r, column=2).value for r in range(2, 6)] == [
        "gepland",
        "lopend",
        "afgerond",
        "gestopt",
    ]
    assert [options.cell(row=r, column=3).value for r in range(1, 4)] == [
        "programma",
        "via",
        "statushouders",
    ]
    instructions = [row[0] for row in workbook["instructies"].iter_rows(values_only=True)]
    assert instructions[0] == "Voortgangsrapportage Werkagenda VIA, verslagjaar 2024"
    assert (
        "2. Kies thema, status en programma uit de keuzelijst in de cel. Laat programma leeg "
        "voor een actie van Werkagenda VIA."
    ) in instructions
    assert "statushouders: Statushouders aan het werk" in instructions
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
    assert path.read_bytes() == ("\ufeff" + ";".join(TEMPLATE_HEADER) + "\r\n").encode("utf-8")


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


def _take_in(store: WarehouseStore, data_dir: Path, name: str, content: bytes) -> IntakeOutcome:
    archived = archive_bytes(content, name, data_dir / "archive")
    return take_in(store, archived, data_dir / "feedback", PARTNERS, THEMES, (2023, 2024))


def test_prefilled_template_filled_in_by_a_partner_shows_the_movements(
    store: WarehouseStore,
    warehouse_url: str,
    offline_environment: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    write_registry(store)
    last_year = [
        ["abu", 2023, "1", "kans_op_baan_of_stage", "Stageplaatsen mbo", "lopend", "01-02-2023"],
        ["abu", 2023, "2", "diversiteit_op_het_werk", "Meldpunt", "gepland", ""],
        ["abu", 2023, "3", "diversiteit_op_het_werk", "Training werven", "afgerond", ""],
        ["abu", 2023, "4", "begeleiding_naar_werk", "Jobcoaches", "gestopt", ""],
    ]
    content = csv_bytes([[*row, "", "", "", ""] for row in last_year], HEADER, ";")
    outcome = _take_in(store, offline_environment, "abu_2023.csv", content)
    assert outcome.status == "accepted", outcome.problems

    monkeypatch.setenv("VIA_WAREHOUSE_URL", warehouse_url)
    templates = offline_environment / "templates"
    assert main(["template", "--partner", "abu", "--year", "2024", "--output", str(templates)]) == 0
    assert "2 open action(s) of 2023 carried forward" in capsys.readouterr().out
    path = templates / "abu_2024.xlsx"
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["acties"]
    rows = [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert [r[:6] for r in rows] == [
        ["abu", 2024, "1", "kans_op_baan_of_stage", "Stageplaatsen mbo", "lopend"],
        ["abu", 2024, "2", "diversiteit_op_het_werk", "Meldpunt", "gepland"],
    ]  # afgerond and gestopt left out
    assert rows[0][6] == datetime(2023, 2, 1) and rows[1][6] is None
    assert all(value is None for value in rows[0][7:11])
    assert [r[11] for r in rows] == ["via", "via"]  # the programme carried forward
    instructions = [r[0] for r in workbook["instructies"].iter_rows(values_only=True)]
    assert any("staan er al (2)" in str(line) for line in instructions)

    # The partner updates two statuses and adds a row, then saves with Excel (openpyxl here).
    sheet["F2"] = "afgerond"
    sheet["F3"] = "lopend"
    sheet.append(
        ["abu", 2024, "5", "kans_op_baan_of_stage", "Leerwerkbanen", "gepland", None, None, 15]
    )
    workbook.save(path)
    outcome = _take_in(store, offline_environment, "abu_2024.xlsx", path.read_bytes())
    assert outcome.status == "accepted", outcome.problems
    assert outcome.action_count == 3

    write_progress_tables(
        store, load_letter_themes(), [p.partner_id for p in PARTNERS], load_progress_wording(), 2024
    )
    progress = store.read_table("letter.action_progress", {"reporting_year": 2024})
    assert dict(zip(progress["action_id"], progress["movement"], strict=True)) == {
        "1": "completed",
        "2": "advanced",
        "3": "closed_before",
        "4": "closed_before",
        "5": "new",
    }
    # Nothing the partner kept was taken for another action.
    assert store.count("quality.action_warnings", {"reporting_year": 2024}) == 0


def test_template_without_last_years_file_stays_empty(
    store: WarehouseStore, tmp_path: Path
) -> None:
    assert carried_actions(store, "fnv", 2024) == []
    path = write_template(PARTNERS, THEMES, "fnv", 2024, tmp_path, "csv", [])
    assert path.read_bytes() == ("\ufeff" + ";".join(TEMPLATE_HEADER) + "\r\n").encode("utf-8")


def test_csv_template_carries_rows_with_dutch_dates(tmp_path: Path) -> None:
    carried = [
        CarriedAction("A7", "kans_op_baan_of_stage", "Stagebank", "lopend", date(2023, 3, 1))
    ]
    path = write_template(PARTNERS, THEMES, "uwv", 2024, tmp_path, "csv", carried)
    lines = path.read_bytes().decode("utf-8-sig").splitlines()
    assert lines[1] == "uwv;2024;A7;kans_op_baan_of_stage;Stagebank;lopend;01-03-2023;;;;;via"
    evaluation = evaluate_submission(path.read_bytes(), path.name, PARTNERS, THEMES, [2024])
    assert evaluation.problems == () and len(evaluation.actions) == 1
