"""Migration 0016 (issue 27): existing actions and letter rows become via's, programme in the keys."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from via_pipeline.core.warehouse import WarehouseError, WarehouseStore
from via_pipeline.core.warehouse.migrations import MIGRATIONS_DIR

SHA = "a" * 64


def _before_0016(tmp_path: Path) -> Path:
    before = tmp_path / "migrations_before_0016"
    before.mkdir()
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        if path.name < "0016":
            shutil.copy(path, before / path.name)
    return before


def _old_rows(store: WarehouseStore) -> None:
    store.insert(
        "partners.actions",
        pd.DataFrame(
            [
                {"partner_id": "abu", "reporting_year": 2023, "action_id": "A1",
                 "theme": "kans_op_baan_of_stage", "title": "Werkervaringsplekken",
                 "status": "lopend", "start_date": None, "end_date": None, "people_reached": 12,
                 "employers_reached": None, "explanation": None, "source_row": 2,
                 "submission_sha256": SHA},
            ]
        ),
    )  # fmt: skip
    counts = dict.fromkeys(
        ["partners_reporting", "action_count", "actions_planned", "actions_ongoing",
         "actions_completed", "actions_stopped", "people_reached", "employers_reached"], 0
    )  # fmt: skip
    store.insert(
        "letter.theme_progress",
        pd.DataFrame(
            [{"reporting_year": 2023, "theme": "kans_op_baan_of_stage",
              "theme_title": "Meer kans op een baan of stage", "theme_order": 2,
              **counts, "action_count": 1, "actions_ongoing": 1, "partners_reporting": 1}]
        ),
    )  # fmt: skip
    store.insert(
        "letter.partner_reporting",
        pd.DataFrame(
            [{"reporting_year": 2023, "partner_id": "abu", "partner_name": "ABU",
              "has_accepted_submission": True, "accepted_received_at": datetime(2024, 1, 5),
              "action_count": 1, "rejected_submission_count": 0}]
        ),
    )  # fmt: skip
    store.insert(
        "letter.agenda_progress",
        pd.DataFrame(
            [{"reporting_year": 2023, "theme": "kans_op_baan_of_stage", "first_year": 2022,
              "actions_reported": 1, "actions_started": 1, "actions_planned": 0,
              "actions_running": 1, "actions_completed": 0, "actions_stopped": 0}]
        ),
    )  # fmt: skip


def test_existing_rows_become_via_and_programme_is_part_of_the_keys(
    warehouse_url: str, tmp_path: Path
) -> None:
    store = WarehouseStore(warehouse_url)
    try:
        store.migrate(_before_0016(tmp_path))
        _old_rows(store)

        assert "0016_add_programme.sql" in store.migrate()

        actions = store.read_table("partners.actions")
        assert actions[["action_id", "title", "people_reached", "programme"]].to_dict(
            "records"
        ) == [{"action_id": "A1", "title": "Werkervaringsplekken", "people_reached": 12,
               "programme": "via"}]  # fmt: skip
        for table in (
            "letter.theme_progress",
            "letter.partner_reporting",
            "letter.agenda_progress",
        ):
            assert store.read_table(table)["programme"].tolist() == ["via"], table
        assert store.read_table("letter.theme_progress")["action_count"].tolist() == [1]
        for table in ("letter.action_progress", "letter.progress_movements"):
            assert "programme" in store.table_columns(table)
        # The same theme in the same year for another programme is a row of its own ...
        row = store.read_table("letter.theme_progress").assign(programme="statushouders")
        store.insert("letter.theme_progress", row)
        assert sorted(store.read_table("letter.theme_progress")["programme"]) == [
            "statushouders", "via"
        ]  # fmt: skip
        # ... and the same programme twice is refused by the key.
        with pytest.raises(WarehouseError, match=r"[Dd]uplicate key"):
            store.insert("letter.theme_progress", row)
        # A writer that does not know programmes (plain SQL) still writes via's rows.
        with store.transaction() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO partners.actions (partner_id, reporting_year, action_id, theme, "
                    "title, status, source_row, submission_sha256) VALUES ('abu', 2023, 'A2', "
                    "'kans_op_baan_of_stage', 'Taalcoaching', 'gepland', 3, :sha)"
                ),
                {"sha": SHA},
            )
        assert sorted(store.read_table("partners.actions")["programme"]) == ["via", "via"]
    finally:
        store.dispose()
