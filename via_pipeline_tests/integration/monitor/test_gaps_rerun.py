"""Guards the no-change rerun of monitor.gaps (docs/performance.md): building the gaps again from
the same indicators writes nothing, and a changed indicator still rebuilds the table, on both engines."""

from __future__ import annotations

import sqlalchemy as sa

from via_pipeline.core.monitor import load_monitor_config, write_gaps
from via_pipeline.core.warehouse import WarehouseStore
from via_pipeline_tests.support.monitor_metrics import indicator_rows, indicators_frame

CONFIG = load_monitor_config()
SERIES = {"total": {2008: 3.7, 2009: 4.4}, "western": {2008: 4.9, 2009: 5.9}}


def _writes_during_build(store: WarehouseStore) -> list[str]:
    statements: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.lstrip().upper().startswith(("DELETE", "INSERT")):
            statements.append(statement)

    sa.event.listen(store.engine, "before_cursor_execute", record)
    try:
        write_gaps(store, CONFIG)
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", record)
    return statements


def test_building_the_same_gaps_again_writes_nothing(store: WarehouseStore) -> None:
    store.replace("monitor.indicators", indicators_frame(indicator_rows("T", SERIES)))
    assert _writes_during_build(store)  # the first build writes
    before = store.read_table("monitor.gaps")
    assert len(before) == 2

    assert _writes_during_build(store) == []
    after = store.read_table("monitor.gaps")
    assert sorted(after["gap_pp"].round(6)) == sorted(before["gap_pp"].round(6))


def test_a_changed_indicator_rebuilds_the_gaps(store: WarehouseStore) -> None:
    store.replace("monitor.indicators", indicators_frame(indicator_rows("T", SERIES)))
    write_gaps(store, CONFIG)
    changed = {**SERIES, "western": {2008: 4.9, 2009: 6.4}}
    store.replace("monitor.indicators", indicators_frame(indicator_rows("T", changed)))

    assert _writes_during_build(store)
    gaps = store.read_table("monitor.gaps").set_index("year")
    assert round(float(gaps.loc[2009, "gap_pp"]), 6) == 2.0


def test_a_removed_indicator_row_rebuilds_the_gaps(store: WarehouseStore) -> None:
    store.replace("monitor.indicators", indicators_frame(indicator_rows("T", SERIES)))
    write_gaps(store, CONFIG)
    fewer = {"total": {2008: 3.7}, "western": {2008: 4.9}}
    store.replace("monitor.indicators", indicators_frame(indicator_rows("T", fewer)))

    assert _writes_during_build(store)
    assert store.read_table("monitor.gaps")["year"].tolist() == [2008]
