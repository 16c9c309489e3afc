"""Guards the warehouse's performance fixes from the benchmarks (docs/performance.md).

A partner file's intake asked information_schema for a table's columns on every write and
opened two connections per count; the column lists are now kept per store until the next
migrate(), and a count uses one connection. A no-change rerun rewrote every small table it
rebuilt; replace() now leaves a slice alone that already holds the same rows.
These tests count the SQL actually sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa

from via_pipeline.core.warehouse import WarehouseStore


@contextmanager
def recorded_statements(store: WarehouseStore) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    sa.event.listen(store.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", record)


def _indicator_rows(year: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source_table": ["82809NED"],
            "year": [year],
            "population_group": ["total"],
            "indicator": ["unemployment_rate"],
            "value": [4.8],
            "unit": ["%"],
            "provisional": [False],
        }
    )


def test_repeated_writes_ask_for_the_columns_once(store: WarehouseStore) -> None:
    with recorded_statements(store) as statements:
        for year in (2019, 2020, 2021):
            store.replace("monitor.indicators", _indicator_rows(year), {"year": year})
        assert store.count("monitor.indicators", {"year": 2020}) == 1
    lookups = [s for s in statements if "information_schema.columns" in s]
    assert len(lookups) == 1
    assert store.count("monitor.indicators") == 3


def test_a_count_with_a_filter_uses_one_connection(store: WarehouseStore) -> None:
    store.table_columns("monitor.indicators")
    connections: list[object] = []

    def record(conn: object) -> None:
        connections.append(conn)

    sa.event.listen(store.engine, "engine_connect", record)
    try:
        assert store.count("monitor.indicators", {"year": 2020}) == 0
    finally:
        sa.event.remove(store.engine, "engine_connect", record)
    assert len(connections) == 1


def test_a_column_added_by_a_migration_is_seen_after_migrate(
    store: WarehouseStore, tmp_path: Path
) -> None:
    from via_pipeline.core.settings.paths import MIGRATIONS_DIR

    assert "note" not in store.table_columns("monitor.indicators")
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    for path in MIGRATIONS_DIR.glob("*.sql"):
        (migrations / path.name).write_bytes(path.read_bytes())
    (migrations / "9999_add_benchmark_note.sql").write_text(
        "ALTER TABLE monitor.indicators ADD COLUMN note TEXT;\n", encoding="utf-8"
    )
    store.migrate(migrations)
    assert store.table_columns("monitor.indicators")[-1] == "note"


def _observation_rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "table_id": ["82809NED", "82809NED"],
            "period_code": ["2020JJ00", "2021JJ00"],
            "year": [2020, 2021],
            "provisional": [False, True],
            "population_group_key": ["T001040", "2012655"],
            "population_group_title": ["Totaal", "Westerse migratieachtergrond"],
            "measure_key": ["Werkloosheidspercentage_21", "Werkloosheidspercentage_21"],
            "measure_title": ["Werkloosheidspercentage", "Werkloosheidspercentage"],
            "unit": ["%", ""],  # empty text is stored as NULL
            "value": [4.8, float("nan")],
        }
    )


def test_replacing_a_slice_with_the_same_rows_writes_nothing(store: WarehouseStore) -> None:
    store.replace("cbs.observations", _observation_rows())
    with recorded_statements(store) as statements:
        assert store.replace("cbs.observations", _observation_rows().iloc[::-1]) == 2
    assert not [s for s in statements if s.lstrip().upper().startswith(("DELETE", "INSERT"))]
    stored = store.read_table("cbs.observations").sort_values("year")
    assert stored["unit"].isna().tolist() == [False, True]
    assert stored["value"].isna().tolist() == [False, True]


@pytest.mark.parametrize(
    "change",
    [
        lambda frame: frame.assign(value=[4.9, float("nan")]),
        lambda frame: frame.assign(unit=["%", "x"]),
        lambda frame: frame.head(1),
        lambda frame: frame.assign(provisional=[True, True]),
    ],
    ids=["value", "null_to_text", "fewer_rows", "flag"],
)
def test_replacing_a_slice_with_other_rows_rewrites_it(store: WarehouseStore, change: Any) -> None:
    store.replace("cbs.observations", _observation_rows())
    new = change(_observation_rows())
    with recorded_statements(store) as statements:
        store.replace("cbs.observations", new)
    assert [s for s in statements if s.lstrip().upper().startswith("DELETE")]
    stored = store.read_table("cbs.observations").sort_values("year").reset_index(drop=True)
    assert len(stored) == len(new)
    assert stored["provisional"].tolist() == new["provisional"].tolist()
    assert stored["value"].fillna(-1).tolist() == new["value"].fillna(-1).tolist()


def test_a_large_slice_is_replaced_without_comparing(
    store: WarehouseStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("via_pipeline.core.warehouse.store.UNCHANGED_CHECK_MAX_ROWS", 1)
    store.replace("cbs.observations", _observation_rows())
    with recorded_statements(store) as statements:
        store.replace("cbs.observations", _observation_rows())
    assert [s for s in statements if s.lstrip().upper().startswith("DELETE")]
    assert not [s for s in statements if s.lstrip().startswith("SELECT table_id")]
