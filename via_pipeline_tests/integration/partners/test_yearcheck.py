"""Guards the year's safety net: partners that all number their actions 1..n pass the suite, it
runs in slices of whole partners, and a failure names the file, the partner and the rows.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from via_pipeline.core.partners.archive import archive_bytes
from via_pipeline.core.partners.intake import take_in
from via_pipeline.core.partners.registry import load_partners, load_themes
from via_pipeline.core.partners.rules import SUITE_NAME, submission_suite
from via_pipeline.core.partners.yearcheck import check_year, partner_slices
from via_pipeline.core.quality.expectations import validate_frame
from via_pipeline.core.warehouse import WarehouseStore
from via_pipeline_tests.support.partners import csv_bytes, numbered_rows, xlsx_bytes

PARTNERS = load_partners()
THEMES = load_themes()
YEARS = (2022, 2023, 2024)
RULES = submission_suite([p.partner_id for p in PARTNERS], [t.code for t in THEMES], 2024)


def test_partners_are_sliced_whole_and_a_big_one_alone() -> None:
    counts = [("abu", 3), ("fnv", 4), ("uwv", 9), ("vng", 2), ("sbb", 1)]
    assert partner_slices(counts, max_rows=8) == [["abu", "fnv"], ["uwv"], ["vng", "sbb"]]
    assert partner_slices([], max_rows=8) == []


@pytest.mark.slow
def test_partners_sharing_action_ids_pass_and_a_changed_row_is_named(
    store: WarehouseStore, tmp_path: Path
) -> None:
    files = {
        "abu_2024.csv": csv_bytes(numbered_rows("abu", 2024, 3), delimiter=";", encoding="cp1252"),
        "fnv_2024.xlsx": xlsx_bytes(numbered_rows("fnv", 2024, 4, excel_cells=True)),
        "vng_2024.csv": csv_bytes(numbered_rows("vng", 2024, 2), delimiter=";"),
    }
    for name, content in files.items():
        archived = archive_bytes(content, name, tmp_path / "archive")
        outcome = take_in(store, archived, tmp_path / "feedback", PARTNERS, THEMES, YEARS)
        assert outcome.status == "accepted", outcome.problems

    # Slices of at most 4 rows: abu (3), fnv (4), vng (2) are validated one by one.
    passed = check_year(store, 2024, RULES, SUITE_NAME, validate_frame, max_rows=4)
    assert (passed.result.success, passed.failures, passed.rows_checked) == (True, (), 9)
    (key_rule,) = [o for o in passed.result.outcomes if "compound" in o.expectation]
    assert key_rule.unexpected_count == 0

    # A row changed outside the intake: the safety net names the file, partner and row.
    with store.transaction() as conn:
        conn.exec_driver_sql(
            "UPDATE partners.actions SET theme = 'onbekend' "
            "WHERE partner_id = 'fnv' AND action_id = '2'"
        )
    failed = check_year(store, 2024, RULES, SUITE_NAME, validate_frame, max_rows=4)
    assert not failed.result.success
    assert failed.failures == ("fnv_2024.xlsx (partner fnv): rij 3 breken unknown_theme (thema)",)
    (theme_rule,) = [
        o
        for o in failed.result.outcomes
        if "value_set" in o.expectation and "theme" in o.expectation
    ]
    assert (theme_rule.success, theme_rule.unexpected_count) == (False, 1)
