"""CBS vintages: every version of a table ever taken keeps its rows, and "as of" is a query.

cbs.observations holds the current figures (each table's newest vintage) and is what readers
such as monitor.indicators read; cbs.table_versions records each take of a new version and
cbs.observation_vintages each version's rows, append-only (migration 0013). The ingest calls
`record_vintage` in the transaction that replaces a table's current rows, so the two never
disagree. Taking the version a table already stands at adds nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from via_pipeline.core.cbs.observations import OBSERVATION_COLUMNS
from via_pipeline.core.cbs.quarter_vintages import quarters_held, record_quarterly_vintage
from via_pipeline.core.timestamps import naive_utc
from via_pipeline.core.warehouse import WarehouseError, WarehouseStore, load_sql
from via_pipeline.core.warehouse.frames import normalise_frame, row_multiset

if TYPE_CHECKING:
    from via_pipeline.core.cbs.ingest import FetchedTable

VERSIONS_TABLE = "cbs.table_versions"
VINTAGES_TABLE = "cbs.observation_vintages"
MEASURE_VINTAGES_TABLE = "cbs.measure_vintages"
HELD_VINTAGES_TABLE = "cbs.held_dimension_vintages"
VERSION_COLUMNS = [
    "table_id",
    "source_version",
    "source",
    "title",
    "modified",
    "taken_at",
    "row_count",
]
VINTAGE_COLUMNS = ["table_id", "source_version", *OBSERVATION_COLUMNS[1:]]
AS_OF_COLUMNS = [*OBSERVATION_COLUMNS, "source_version"]
CELL_KEY = ["period_code", "population_group_key", "measure_key"]


class VintageError(WarehouseError):
    """An as-of query names a version the warehouse never took."""


@dataclass(frozen=True)
class Vintage:
    """One take of a table version (a row of cbs.table_versions)."""

    table_id: str
    source_version: str
    source: str
    title: str
    modified: datetime | None
    taken_at: datetime
    row_count: int


def vintage_key(version: str | None, taken_at: datetime) -> str:
    """The vintage a take belongs to: its source version, or when CBS gave no Modified, the
    moment it was taken (migration 0013 labels the rows it found the same way)."""
    return version if version is not None else f"unversioned:{taken_at.isoformat(sep=' ')}"


def _vintages(frame: pd.DataFrame) -> list[Vintage]:
    return [
        Vintage(
            str(r.table_id),
            str(r.source_version),
            str(r.source),
            str(r.title),
            None if pd.isna(r.modified) else pd.Timestamp(r.modified).to_pydatetime(),
            pd.Timestamp(r.taken_at).to_pydatetime(),
            int(r.row_count),
        )
        for r in frame.itertuples(index=False)
    ]


def _newest(conn: Connection, table_id: str) -> Vintage | None:
    frame = WarehouseStore.read_in(conn, load_sql("select_cbs_table_versions"))
    found = _vintages(frame[frame["table_id"] == table_id])
    return found[-1] if found else None


def _stored_cells(conn: Connection, table_id: str, source_version: str) -> pd.DataFrame:
    return WarehouseStore.read_in(
        conn, load_sql("select_cbs_observations_at_version"), _params(table_id, source_version)
    )


def _params(table_id: str, source_version: str) -> dict[str, str]:
    return {"table_id": table_id, "source_version": source_version}


def record_vintage(store: WarehouseStore, conn: Connection, fetched: FetchedTable) -> int:
    """Keep `fetched` as a vintage of its table, inside the caller's transaction.

    Returns the number of rows added to cbs.observation_vintages. Nothing is added when the
    table already stands at this version (or, without a Modified, holds these very rows). A
    version taken before and taken again later (CBS went back) gets a new take in
    cbs.table_versions; its rows are stored once. Rows once stored are never changed.
    """
    table_id = fetched.version.table_id
    key = vintage_key(fetched.version.version, fetched.fetched_at)
    newest = _newest(conn, table_id)
    rows = fetched.observations[OBSERVATION_COLUMNS].copy()
    if (
        newest is not None
        and fetched.version.version is None
        and newest.source_version.startswith("unversioned:")
    ):
        held = _stored_cells(conn, table_id, newest.source_version)[OBSERVATION_COLUMNS]
        if row_multiset(normalise_frame(held)) == row_multiset(
            normalise_frame(rows)
        ) and quarters_held(conn, fetched, newest.source_version):
            return 0
    stored = _stored_cells(conn, table_id, key)
    if not stored.empty:
        # The same version read again (a wider catalogue, or read before migration 0007):
        # only cells this vintage lacks are added; a stored cell keeps the value it was taken with.
        known = set(stored[CELL_KEY].itertuples(index=False, name=None))
        rows = rows[
            [cell not in known for cell in rows[CELL_KEY].itertuples(index=False, name=None)]
        ]
    rows.insert(1, "source_version", key)
    added = store.insert(VINTAGES_TABLE, rows[VINTAGE_COLUMNS], conn)
    record_quarterly_vintage(store, conn, fetched, key)  # the take's quarters (migration 0017)
    _keep_resolution(store, conn, fetched, key)
    if newest is None or newest.source_version != key:
        take = {
            "table_id": table_id,
            "source_version": key,
            "source": fetched.version.source,
            "title": fetched.version.title,
            "modified": fetched.version.modified,
            "taken_at": fetched.fetched_at,
            "row_count": len(fetched.observations),
        }
        store.insert(VERSIONS_TABLE, pd.DataFrame([take], columns=VERSION_COLUMNS), conn)
    return added


# Whether a version's resolution is kept already: one fixed statement per table.
RESOLUTION_KEPT = {
    MEASURE_VINTAGES_TABLE: "SELECT count(*) FROM cbs.measure_vintages "
    "WHERE table_id = :table_id AND source_version = :source_version",
    HELD_VINTAGES_TABLE: "SELECT count(*) FROM cbs.held_dimension_vintages "
    "WHERE table_id = :table_id AND source_version = :source_version",
}


def _keep_resolution(
    store: WarehouseStore, conn: Connection, fetched: FetchedTable, key: str
) -> None:
    """cbs.measures and cbs.held_dimensions of this version, once (Decimals round monitor.gaps)."""
    for table, frame in (
        (MEASURE_VINTAGES_TABLE, fetched.measure_rows()),
        (HELD_VINTAGES_TABLE, fetched.held_rows()),
    ):
        where = _params(fetched.version.table_id, key)
        if not conn.execute(sa.text(RESOLUTION_KEPT[table]), where).scalar_one():
            kept = frame.copy()
            kept.insert(1, "source_version", key)
            store.insert(table, kept, conn)


# -- as of ----------------------------------------------------------------------------------------


def table_versions(store: WarehouseStore, table_id: str | None = None) -> list[Vintage]:
    """Every take, oldest first (of one table, or of all)."""
    frame = store.read(load_sql("select_cbs_table_versions"))
    if table_id is not None:
        frame = frame[frame["table_id"] == table_id]
    return _vintages(frame)


def versions_as_of(store: WarehouseStore, at: datetime) -> dict[str, Vintage]:
    """The version each table stood at, at moment `at` (naive means UTC), by table id."""
    frame = store.read(load_sql("select_cbs_table_versions_as_of"), {"as_of": naive_utc(at)})
    return {v.table_id: v for v in _vintages(frame)}


def current_versions(store: WarehouseStore) -> dict[str, Vintage]:
    """The version each table stands at now: its newest take (that of cbs.observations)."""
    newest: dict[str, Vintage] = {}
    for vintage in table_versions(store):
        newest[vintage.table_id] = vintage  # oldest first: the last one stays
    return newest


def _as_of_frame(frame: pd.DataFrame) -> pd.DataFrame:
    result = frame[AS_OF_COLUMNS].reset_index(drop=True)
    return result.astype({"year": "int64", "provisional": "bool", "value": "float64"})


def observations_at_version(
    store: WarehouseStore, table_id: str, source_version: str
) -> pd.DataFrame:
    """One table's observations as they stood at `source_version` (cbs.observations' columns
    plus source_version). A version never taken is an error naming the versions kept."""
    frame = store.read(
        load_sql("select_cbs_observations_at_version"), _params(table_id, source_version)
    )
    if frame.empty:
        kept = [v.source_version for v in table_versions(store, table_id)]
        if source_version not in kept:
            raise VintageError(
                f"CBS table {table_id}: version {source_version!r} was never taken; "
                f"kept: {', '.join(dict.fromkeys(kept)) or 'none'}"
            )
    return _as_of_frame(frame)


def observations_at_versions(store: WarehouseStore, versions: Mapping[str, str]) -> pd.DataFrame:
    """Several tables at the versions given ({table_id: source_version}), e.g. those a letter
    was built from; the same frame shape as cbs.observations plus source_version."""
    frames: Sequence[pd.DataFrame] = [
        observations_at_version(store, table_id, version)
        for table_id, version in sorted(versions.items())
    ]
    if not frames:
        return pd.DataFrame(columns=AS_OF_COLUMNS)
    return _as_of_frame(pd.concat(frames, ignore_index=True))


def observations_as_of(store: WarehouseStore, at: datetime) -> pd.DataFrame:
    """Every table's observations as the warehouse held them at moment `at` (naive means UTC):
    each table's last take at or before it. A table not yet taken then has no rows."""
    frame = store.read(load_sql("select_cbs_observations_as_of"), {"as_of": naive_utc(at)})
    return _as_of_frame(frame)


def resolution_at_version(
    store: WarehouseStore, table_id: str, source_version: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """cbs.measures and cbs.held_dimensions rows as they were at a version (without the
    version column): what monitor.gaps rounds with, and the categories held."""
    where = {"table_id": table_id, "source_version": source_version}
    measures = store.read_table(MEASURE_VINTAGES_TABLE, where).drop(columns="source_version")
    held = store.read_table(HELD_VINTAGES_TABLE, where).drop(columns="source_version")
    return (
        measures.sort_values("measure_key", ignore_index=True),
        held.sort_values("dimension_key", ignore_index=True),
    )
