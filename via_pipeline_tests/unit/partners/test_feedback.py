"""Guards the feedback files: every problem listed, untrusted text never a formula, names never a path."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl

from via_pipeline.core.partners.feedback import write_feedback
from via_pipeline.core.partners.problems import make_problem

SHA = "ab" * 32


def test_feedback_lists_every_problem_and_escapes_formulas(tmp_path: Path) -> None:
    problems = [
        make_problem(
            "unknown_theme",
            row=2,
            column="thema",
            value='=HYPERLINK("http://evil","klik")',
            expected="x",
        ),
        make_problem("negative_number", row=3, column="bereikte_personen", value="-3"),
        make_problem("empty_file"),
    ]
    paths = write_feedback(tmp_path, "abu_2023.csv", SHA, "abu", 2023, problems)
    assert [p.name for p in paths] == ["abu_2023_abababab.xlsx", "abu_2023_abababab.md"]
    sheet_xml = zipfile.ZipFile(paths[0]).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml
    rows = list(openpyxl.load_workbook(paths[0])["problemen"].iter_rows(values_only=True))
    assert rows[0] == ("bestand", "rij", "kolom", "regel", "melding", "waarde")
    assert rows[1][:4] == ("abu_2023.csv", 2, "thema", "unknown_theme")
    assert rows[1][5] == '=HYPERLINK("http://evil","klik")'
    assert rows[2][5] == "-3"
    assert rows[3][:4] == ("abu_2023.csv", None, None, "empty_file")
    markdown = paths[1].read_text(encoding="utf-8")
    assert (
        "| 3 | bereikte_personen | negative_number | -3 is negatief; een aantal is 0 of meer. | -3 |"
        in markdown
    )


def test_hostile_names_never_leave_the_feedback_folder(tmp_path: Path) -> None:
    feedback = tmp_path / "feedback"
    paths = write_feedback(
        feedback, "../../etc/passwd.csv", SHA, "../../etc", None, [make_problem("empty_file")]
    )
    assert [p.name for p in paths] == [
        "onbekend_onbekend_abababab.xlsx",
        "onbekend_onbekend_abababab.md",
    ]
    assert all(p.parent == feedback for p in paths)
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == sorted(
        p.name for p in paths
    )
