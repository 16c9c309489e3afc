"""Quarterly CBS vintages: every version of a table's quarters ever taken keeps its rows.

cbs.quarterly_observations holds the current quarters (each table's newest vintage, what
monitor.quarterly_indicators reads); cbs.quarterly_observation_vintages holds each version's
quarterly rows, append-only (migration 0017), under the same source_version as the yearly
vintage of that take in cbs.table_versions (core/cbs/vintages.py), so "as of" a moment or a
version is the same question for years and quarters. `record_vintage` calls
`record_quarterly_vintage` in the ingest's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy.engine import Connection

from via_pipeline.core.cbs.quarters import QUARTERLY_OBSERVATION_COLUMNS
from via_pipeline.core.timestamps import naive_utc
from via_pipeline.core.warehouse import WarehouseStore, load_sql
from via_pipeline.core.warehouse.frames import normalise_frame, row_multiset

if TYPE_CHECKING:
    from via_pipeline.core.cbs.ingest import FetchedTable

QUARTERLY_TABLE = "cbs.quarterly_observations"
QUARTERLY_VINTAGES_TABLE = "cbs.quarterly_observation_vintages"
_ROW_COLUMNS = [c for c in QUARTERLY_OBSERVATION_COLUMNS if c != "source_version"]
QUARTERLY_VINTAGE_COLUMNS = [_ROW_COLUMNS[0], "source_version", *_ROW_COLUMNS[1:]]
QUARTER_CELL_KEY = ["period_code", "population_group_key", "measure_key"]
UNVERSIONED = "unversioned:"


def _params(table_id: str, source_version: str) -> dict[str, str]:
    return {"table_id": table_id, "source_version": source_version}


def record_quarterly_vintage(
    store: WarehouseStore, conn: Connection, fetched: FetchedTable, key: str
) -> int:
    """Keep `fetched`'s quarterly rows as vintage `key` of its table, in the caller's
    transaction; the number of rows added. A table whose quarters are not taken adds none; a
    version read again adds only the cells it lacked (a stored cell is never changed)."""
    if fetched.quarterly is None or fetched.quarterly.empty:
        return 0
    table_id = fetched.version.table_id
    rows = fetched.quarterly[_ROW_COLUMNS].copy()
    stored = WarehouseStore.read_in(
        conn, load_sql("select_cbs_quarterly_observations_at_version"), _params(table_id, key)
    )
    if not stored.empty:
        known = set(stored[QUARTER_CELL_KEY].itertuples(index=False, name=None))
        cells = rows[QUARTER_CELL_KEY].itertuples(index=False, name=None)
        rows = rows[[cell not in known for cell in cells]]
    rows.insert(1, "source_version", key)
    return store.insert(QUARTERLY_VINTAGES_TABLE, rows[QUARTERLY_VINTAGE_COLUMNS], conn)


def quarters_held(conn: Connection, fetched: FetchedTable, key: str) -> bool:
    """Whether vintage `key` holds exactly `fetched`'s quarterly rows (none taken: none held),
    for a take CBS gave no Modified: only then is it no new vintage."""
    stored = WarehouseStore.read_in(
        conn,
        load_sql("select_cbs_quarterly_observations_at_version"),
        _params(fetched.version.table_id, key),
    )[_ROW_COLUMNS]
    rows = (
        fetched.quarterly[_ROW_COLUMNS]
        if fetched.quarterly is not None
        else pd.DataFrame(columns=_ROW_COLUMNS)
    )
    return row_multiset(normalise_frame(stored)) == row_multiset(normalise_frame(rows))


def _frame(frame: pd.DataFrame) -> pd.DataFrame:
    result = frame[QUARTERLY_OBSERVATION_COLUMNS].reset_index(drop=True)
    return result.astype({"year": "int64", "quarter": "int64", "value": "float64"})


def quarterly_at_version(store: WarehouseStore, table_id: str, source_version: str) -> pd.DataFrame:
    """One table's quarterly observations as they stood at `source_version` (the columns of
    cbs.quarterly_observations, source_version the vintage's). A version without quarters, or
    never taken, has no rows: whether it was taken is cbs.table_versions' to say."""
    frame = store.read(
        load_sql("select_cbs_quarterly_observations_at_version"), _params(table_id, source_version)
    )
    return _frame(frame)


def quarterly_as_of(store: WarehouseStore, at: datetime) -> pd.DataFrame:
    """Every table's quarterly observations as the warehouse held them at moment `at` (naive
    means UTC): those of each table's last take at or before it."""
    frame = store.read(
        load_sql("select_cbs_quarterly_observations_as_of"), {"as_of": naive_utc(at)}
    )
    return _frame(frame)


def restore_quarterly(
    store: WarehouseStore, target: WarehouseStore, versions: Mapping[str, str]
) -> int:
    """Write the tables' quarterly rows at the versions given ({table_id: source_version}) into
    `target`'s cbs.quarterly_observations, as the ingest wrote them then (source_version is
    cbs.tables', NULL for a take CBS gave no Modified); the number of rows written."""
    frames = [quarterly_at_version(store, t, v) for t, v in sorted(versions.items())]
    rows = (
        pd.concat(frames, ignore_index=True)
        if frames
        else _frame(pd.DataFrame(columns=QUARTERLY_OBSERVATION_COLUMNS))
    )
    unversioned = rows["source_version"].astype(str).str.startswith(UNVERSIONED)
    rows["source_version"] = rows["source_version"].astype(object).where(~unversioned, None)
    target.replace(QUARTERLY_TABLE, rows)
    return len(rows)
