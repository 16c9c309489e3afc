"""Atomic writes and the bulk-load fast path, on DuckDB and PostgreSQL."""

import pandas as pd
import pytest
import sqlalchemy as sa

from via_pipeline.core.warehouse import WarehouseError, WarehouseStore
from via_pipeline.core.warehouse import store as warehouse_store


def indicators(year: int, values: list[float | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source_table": "82809NED",
            "year": year,
            "population_group": [f"group_{i}" for i in range(len(values))],
            "indicator": "unemployment_rate",
            "value": values,
            "unit": "%",
            "provisional": False,
        }
    )


def sorted_rows(store: WarehouseStore) -> list[tuple]:
    frame = store.read("SELECT * FROM monitor.indicators ORDER BY year, population_group")
    return [tuple(None if pd.isna(v) else v for v in row) for row in frame.itertuples(index=False)]


def test_replace_partition_touches_only_its_slice(store: WarehouseStore) -> None:
    store.replace(
        "monitor.indicators", pd.concat([indicators(2008, [3.7, 6.9]), indicators(2009, [4.4])])
    )
    store.replace("monitor.indicators", indicators(2009, [5.0, None]), where={"year": 2009})
    assert sorted_rows(store) == [
        ("82809NED", 2008, "group_0", "unemployment_rate", 3.7, "%", False),
        ("82809NED", 2008, "group_1", "unemployment_rate", 6.9, "%", False),
        ("82809NED", 2009, "group_0", "unemployment_rate", 5.0, "%", False),
        ("82809NED", 2009, "group_1", "unemployment_rate", None, "%", False),
    ]


def test_write_failing_half_way_leaves_the_table_as_it_was(store: WarehouseStore) -> None:
    store.replace("monitor.indicators", indicators(2008, [3.7, 6.9]))
    before = sorted_rows(store)
    with pytest.raises(RuntimeError, match="disk full"), store.transaction() as conn:
        store.replace("monitor.indicators", indicators(2008, [1.0, 2.0, 3.0]), conn=conn)
        assert store.read_in(conn, "SELECT count(*) AS n FROM monitor.indicators").n[0] == 3
        raise RuntimeError("disk full")
    assert sorted_rows(store) == before


def test_constraint_violation_names_the_table_and_keeps_old_rows(store: WarehouseStore) -> None:
    store.replace("monitor.indicators", indicators(2008, [3.7]))
    duplicate = pd.concat([indicators(2008, [1.0]), indicators(2008, [2.0])])
    with pytest.raises(WarehouseError, match=r"writing 2 rows to monitor\.indicators failed"):
        store.replace("monitor.indicators", duplicate)
    assert sorted_rows(store) == [
        ("82809NED", 2008, "group_0", "unemployment_rate", 3.7, "%", False)
    ]


def test_frame_must_match_the_table_columns(store: WarehouseStore) -> None:
    frame = indicators(2008, [3.7]).drop(columns=["unit"]).assign(units="%")
    with pytest.raises(WarehouseError, match=r"missing \['unit'\], unexpected \['units'\]"):
        store.insert("monitor.indicators", frame)


def test_unknown_table_and_bad_names_are_refused(store: WarehouseStore) -> None:
    with pytest.raises(WarehouseError, match=r"table monitor.nope does not exist"):
        store.insert("monitor.nope", indicators(2008, [1.0]))
    with pytest.raises(WarehouseError, match="invalid table name"):
        store.count("monitor.indicators; DROP TABLE cbs.tables")
    with pytest.raises(WarehouseError, match="has no column"):
        store.count("monitor.indicators", {"year; --": 1})


def test_empty_text_is_stored_as_null(store: WarehouseStore) -> None:
    store.replace(
        "monitor.indicators", indicators(2008, [3.7]).assign(unit=["%"], population_group=["x"])
    )
    frame = indicators(2009, [None]).assign(population_group=["y"])
    store.insert("monitor.indicators", frame)
    assert store.count("monitor.indicators", {"year": 2009}) == 1


@pytest.mark.slow
def test_million_rows_go_through_the_fast_path(store: WarehouseStore, monkeypatch) -> None:
    def refuse_row_by_row(*args, **kwargs):
        raise AssertionError("bulk loads must not use DataFrame.to_sql")

    monkeypatch.setattr(pd.DataFrame, "to_sql", refuse_row_by_row)
    bulk_calls: list[tuple[str, int]] = []
    for path_name in ("insert_duckdb", "insert_postgres"):
        original = getattr(warehouse_store, path_name)

        def recording(conn, table, frame, _original=original, _name=path_name):
            bulk_calls.append((_name, len(frame)))
            return _original(conn, table, frame)

        monkeypatch.setattr(warehouse_store, path_name, recording)
    executed: list[str] = []
    sa.event.listen(store.engine, "before_cursor_execute", lambda *a: executed.append(a[2]))
    rows = 1_000_000
    frame = pd.DataFrame(
        {
            "source_table": "bulk",
            "year": pd.RangeIndex(rows) // 1000,
            "population_group": (pd.RangeIndex(rows) % 1000).astype(str),
            "indicator": "unemployment_rate",
            "value": 1.5,
            "unit": "%",
            "provisional": False,
        }
    )
    assert store.replace("monitor.indicators", frame) == rows
    assert store.count("monitor.indicators") == rows
    expected_path = "insert_duckdb" if store.dialect == "duckdb" else "insert_postgres"
    assert bulk_calls == [(expected_path, rows)]
    inserts = [s for s in executed if "INSERT" in s.upper()]
    if store.dialect == "duckdb":
        # One set-based statement reads the registered frame.
        assert inserts == [
            "INSERT INTO monitor.indicators (source_table, year, population_group, indicator, value, unit, "
            "provisional) SELECT source_table, year, population_group, indicator, value, unit, provisional "
            "FROM via_bulk_frame"
        ]
    else:
        # COPY goes through psycopg2 below SQLAlchemy: no INSERT statement at all.
        assert inserts == []
