"""Migrations: applied in order, once and only once, recorded; the contract's tables exist after."""

from pathlib import Path

import pytest

from via_pipeline.core.warehouse import WarehouseError, WarehouseStore, discover_migrations

CONTRACT_COLUMNS = {
    "cbs.tables": ["table_id", "title", "modified", "fetched_at", "source", "row_count"],
    "cbs.observations": [
        "table_id",
        "period_code",
        "year",
        "provisional",
        "population_group_key",
        "population_group_title",
        "measure_key",
        "measure_title",
        "unit",
        "value",
    ],
    "monitor.indicators": [
        "source_table",
        "year",
        "population_group",
        "indicator",
        "value",
        "unit",
        "provisional",
    ],
    "quality.validation_results": [
        "run_id",
        "asset_key",
        "partition",
        "check_name",
        "expectation",
        "success",
        "unexpected_count",
        "details",
        "evaluated_at",
    ],
}


def test_migrations_apply_once_and_only_once(warehouse_url: str) -> None:
    store = WarehouseStore(warehouse_url)
    all_files = [m.path.name for m in discover_migrations()]
    assert store.applied_migrations() == []
    assert store.migrate() == all_files
    assert store.migrate() == []
    assert store.applied_migrations() == [m.version for m in discover_migrations()]
    assert store.count("meta.schema_migrations") == len(all_files)
    store.dispose()


@pytest.mark.parametrize("table", sorted(CONTRACT_COLUMNS))
def test_contract_tables_exist_with_their_columns(store: WarehouseStore, table: str) -> None:
    # The contract may grow (new columns at the end, by migration); it never loses or renames.
    columns = store.table_columns(table)
    assert columns[: len(CONTRACT_COLUMNS[table])] == CONTRACT_COLUMNS[table]


def test_a_changed_applied_migration_is_refused(warehouse_url: str, tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    first = migrations / "0001_create_example.sql"
    first.write_text("CREATE SCHEMA IF NOT EXISTS example;\nCREATE TABLE example.t (a INTEGER);\n")
    store = WarehouseStore(warehouse_url)
    assert store.migrate(migrations) == ["0001_create_example.sql"]
    first.write_text("CREATE SCHEMA IF NOT EXISTS example;\nCREATE TABLE example.t (a TEXT);\n")
    with pytest.raises(
        WarehouseError, match=r"0001_create_example.sql was changed after it was applied"
    ):
        store.migrate(migrations)
    store.dispose()


def test_a_failing_migration_applies_nothing(warehouse_url: str, tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "0001_create_example.sql").write_text(
        "CREATE SCHEMA IF NOT EXISTS example;\nCREATE TABLE example.t (a INTEGER);\n"
    )
    (migrations / "0002_broken.sql").write_text("CREATE TABLE example.u (a INTEGER;\n")
    store = WarehouseStore(warehouse_url)
    with pytest.raises(WarehouseError, match=r"migration 0002_broken.sql failed"):
        store.migrate(migrations)
    assert store.applied_migrations() == []
    store.dispose()


def test_misnamed_migration_file_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "create_things.sql").write_text("SELECT 1;")
    with pytest.raises(WarehouseError, match=r"named NNNN_lowercase_name.sql"):
        discover_migrations(tmp_path)
