"""The warehouse's identity (migration 0012) and the survey a rerun makes before it holds an asset
unchanged: a new, replaced, emptied or unreadable warehouse is never taken for the one built."""

import shutil
import uuid
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from via_pipeline.core.warehouse import WarehouseError, WarehouseStore, discover_migrations
from via_pipeline.core.warehouse.survey import BuiltSlice, slice_reason, survey_warehouse


def _built(store_id: str | None, table: str | None, partition: str | None, rows: int) -> BuiltSlice:
    return BuiltSlice(
        asset="partners/actions" if partition else "monitor/gaps",
        warehouse_id=store_id,
        table=table,
        partition=partition,
        row_count=rows,
    )


def test_migrate_gives_the_warehouse_one_identity_that_stays(warehouse_url: str) -> None:
    store = WarehouseStore(warehouse_url)
    assert store.identity() is None  # nothing migrated yet
    store.migrate()
    identity = store.identity()
    assert identity is not None
    assert str(uuid.UUID(identity)) == identity
    assert store.migrate() == []
    assert store.identity() == identity
    assert store.count("meta.warehouse_identity") == 1
    with pytest.raises(sa.exc.IntegrityError), store.transaction() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO meta.warehouse_identity (singleton, warehouse_id, created_at) "
                "VALUES (TRUE, 'another', CURRENT_TIMESTAMP)"
            )
        )
    assert store.identity() == identity
    store.dispose()


def test_an_existing_warehouse_gets_its_identity_on_upgrade(
    warehouse_url: str, tmp_path: Path
) -> None:
    older = tmp_path / "migrations_0011"
    older.mkdir()
    for migration in discover_migrations():
        if migration.version < "0012":
            shutil.copy(migration.path, older / migration.path.name)
    store = WarehouseStore(warehouse_url)
    store.migrate(older)
    assert store.identity() is None
    # Later migrations may follow; the identity one must be among the newly applied.
    applied = store.migrate()
    assert applied[0] == "0012_create_meta_warehouse_identity.sql"
    assert all(name > "0012" for name in applied)
    assert store.identity() is not None
    store.dispose()


def test_two_warehouses_have_different_identities(tmp_path: Path) -> None:
    first = WarehouseStore(f"duckdb:///{tmp_path / 'a.duckdb'}")
    second = WarehouseStore(f"duckdb:///{tmp_path / 'b.duckdb'}")
    first.migrate()
    second.migrate()
    assert first.identity() != second.identity()


def test_the_same_warehouse_with_its_rows_holds(store: WarehouseStore) -> None:
    identity = store.identity()
    # Action 1 of two partners (every partner numbers its own actions from 1).
    rows = pd.DataFrame(
        {
            "partner_id": ["abu", "fnv"],
            "reporting_year": [2024, 2024],
            "action_id": ["1", "1"],
            "theme": ["kans_op_baan_of_stage", "begeleiding_naar_werk"],
            "title": ["Stageplaatsen voor statushouders", "Loopbaanbegeleiding 50-plussers"],
            "status": ["lopend", "gepland"],
            "source_row": [2, 2],
            "submission_sha256": ["a" * 64, "b" * 64],
            "programme": ["via", "via"],
        }
    )
    store.insert("partners.actions", rows.reindex(columns=store.table_columns("partners.actions")))
    slices = [
        _built(identity, "partners.actions", "2024", 2),
        _built(identity, "partners.actions", "2023", 0),
        _built(identity, "monitor.gaps", None, 0),
    ]
    survey = survey_warehouse(store, slices)
    assert survey.exists
    assert survey.identity == identity
    assert survey.counts == {
        ("monitor.gaps", None): 0,
        ("partners.actions", "2023"): 0,
        ("partners.actions", "2024"): 2,
    }
    assert [slice_reason(s, survey) for s in slices] == [None, None, None]
    # Rows gone since the build: rebuilt, and said how many.
    emptied = _built(identity, "partners.actions", "2024", 5)
    assert slice_reason(emptied, survey) == (
        "partners.actions holds 2 rows for 2024 where its last build wrote 5"
    )


def test_a_missing_table_is_named(store: WarehouseStore) -> None:
    identity = store.identity()
    with store.transaction() as conn:
        conn.exec_driver_sql("DROP TABLE monitor.gaps")
    built = _built(identity, "monitor.gaps", None, 12)
    survey = survey_warehouse(store, [built])
    assert survey.counts == {("monitor.gaps", None): None}
    assert slice_reason(built, survey) == "the warehouse lacks monitor.gaps"


def test_a_replaced_warehouse_and_a_build_before_identities(store: WarehouseStore) -> None:
    identity = store.identity()
    assert identity is not None
    other = str(uuid.uuid4())
    survey = survey_warehouse(store, [_built(other, "monitor.gaps", None, 0)])
    assert slice_reason(_built(other, "monitor.gaps", None, 0), survey) == (
        f"the warehouse was replaced (it is {identity[:8]}…, the last build wrote {other[:8]}…)"
    )
    assert slice_reason(_built(None, "monitor.gaps", None, 0), survey) == (
        "the last build recorded no warehouse identity (it ran before migration 0012)"
    )


def test_a_new_warehouse_is_new(warehouse_url: str) -> None:
    """An empty database (PostgreSQL) or a DuckDB file that is not there: nothing is created."""
    store = WarehouseStore(warehouse_url, read_only=True)
    built = _built(str(uuid.uuid4()), "monitor.gaps", None, 12)
    survey = survey_warehouse(store, [built])
    assert not survey.exists
    assert slice_reason(built, survey) == "the warehouse is new"
    if store.dialect == "duckdb":
        assert not Path(str(store.parsed_url.database)).exists()
    store.dispose()


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_an_unreadable_duckdb_file_is_an_error_naming_it(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "warehouse.duckdb"
    store = WarehouseStore(f"duckdb:///{path}")
    store.migrate()
    store.dispose()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2] if damage == "truncated" else b"\x17" * len(data))
    reader = WarehouseStore(f"duckdb:///{path}", read_only=True)
    with pytest.raises(WarehouseError) as raised:
        survey_warehouse(reader, [_built(None, "monitor.gaps", None, 0)])
    message = str(raised.value)
    assert message.startswith(f"cannot read the warehouse duckdb:///{path}: IO Error")
    assert "nothing was run" in message
    assert "\n" not in message
    assert path.read_bytes()[:16] == (data[:16] if damage == "truncated" else b"\x17" * 16)
