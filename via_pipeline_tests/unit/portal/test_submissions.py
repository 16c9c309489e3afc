"""An upload is judged by the intake's own checks under the name the server builds."""

from __future__ import annotations

from pathlib import Path

from via_pipeline.core.partners.registry import load_partners, load_themes
from via_pipeline.core.portal.submissions import (
    judge_upload,
    place_in_inbox,
    stored_name,
    write_upload_feedback,
)
from via_pipeline_tests.support.partners import HEADER, csv_bytes, valid_rows

YEARS = [2022, 2023, 2024]


def _judge(content: bytes, sent_name: str):
    return judge_upload(content, sent_name, "abu", 2023, load_partners(), load_themes(), YEARS)


def test_the_stored_name_comes_from_the_link_never_from_the_browser() -> None:
    assert stored_name("abu", 2023, "Mijn bestand (2).XLSX") == "abu_2023.xlsx"
    assert stored_name("abu", 2023, "../../etc/passwd") == "abu_2023.bin"
    assert stored_name("abu", 2023, "acties.c/sv") == "abu_2023.bin"
    assert stored_name("abu", 2023, "geen_extensie") == "abu_2023.bin"


def test_a_good_file_is_accepted_and_lands_whole_in_the_inbox(tmp_path: Path) -> None:
    content = csv_bytes(valid_rows(count=3), delimiter=";")
    judged = _judge(content, "voortgang VIA.csv")
    assert (judged.accepted, judged.stored_name, judged.size_bytes) == (
        True,
        "abu_2023.csv",
        len(content),
    )
    target = place_in_inbox(
        content, judged.stored_name, tmp_path / "portal" / "incoming", tmp_path / "inbox"
    )
    assert target == tmp_path / "inbox" / "abu_2023.csv"
    assert target.read_bytes() == content
    assert list((tmp_path / "portal" / "incoming").iterdir()) == []


def test_a_bad_file_gets_spreadsheet_rows_columns_and_a_feedback_workbook(tmp_path: Path) -> None:
    rows = valid_rows(count=3)
    rows[1][HEADER.index("thema")] = "onzin"
    rows[2][HEADER.index("bereikte_personen")] = "veel"
    judged = _judge(csv_bytes(rows), "abu_2023.csv")
    assert [(p.row_number, p.column_name, p.value, p.rule) for p in judged.problems] == [
        (3, "thema", "onzin", "unknown_theme"),
        (4, "bereikte_personen", "veel", "not_a_whole_number"),
    ]
    workbook = write_upload_feedback(tmp_path / "feedback", "abu", 2023, judged)
    assert workbook == tmp_path / "feedback" / f"abu_2023_{judged.sha256[:8]}.xlsx"
    import openpyxl

    sheet = openpyxl.load_workbook(workbook)["problemen"]
    assert [cell.value for cell in sheet[2]][:3] == ["abu_2023.csv", 3, "thema"]


def test_a_file_for_another_partner_is_rejected_on_its_own_columns() -> None:
    judged = _judge(csv_bytes(valid_rows(partner_id="fnv", count=1)), "fnv_2023.csv")
    assert [(p.row_number, p.column_name, p.rule) for p in judged.problems] == [
        (2, "partner_id", "partner_id_mismatch")
    ]
