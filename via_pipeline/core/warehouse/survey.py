"""What a rerun asks the warehouse before it holds an asset unchanged: which warehouse this is,
whether the tables its last build wrote exist, and how many rows they hold now.

Dagster's event log says what was built, not whether it is still there: a DuckDB file deleted
or replaced, or an old Dagster instance pointed at a new PostgreSQL database, still shows every
asset as built. The warehouse's identity (meta.warehouse_identity, migration 0012) and the row
count each build recorded (`dagster/row_count` of its materialisation) are checked against the
warehouse itself. Reading only: nothing is created, migrated or written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa

from via_pipeline.core.warehouse.errors import WarehouseError
from via_pipeline.core.warehouse.migrations import IDENTITY_TABLE, read_identity
from via_pipeline.core.warehouse.sql_files import check_table_name
from via_pipeline.core.warehouse.store import WarehouseStore

# Partitioned assets write their reporting year's slice of a table (docs/data-dictionary.md).
PARTITION_COLUMN = "reporting_year"


@dataclass(frozen=True)
class BuiltSlice:
    """What an asset's last build recorded about the table slice it wrote."""

    asset: str  # "monitor/gaps"
    warehouse_id: str | None  # the run's via/warehouse_id tag; None before migration 0012
    table: str | None  # warehouse_table of its metadata; None for an asset writing files only
    partition: str | None  # the reporting year, for a partitioned asset
    row_count: int | None  # dagster/row_count of its metadata


@dataclass(frozen=True)
class WarehouseSurvey:
    """The warehouse as it is now, for the slices asked about."""

    exists: bool  # False: a DuckDB file that is not there, or a database never migrated
    identity: str | None
    # (table, partition) -> rows it holds now; None when the table does not exist.
    counts: dict[tuple[str, str | None], int | None] = field(default_factory=dict)


def survey_warehouse(store: WarehouseStore, slices: Iterable[BuiltSlice]) -> WarehouseSurvey:
    """Read the identity and the slices' row counts; a warehouse that cannot be read at all
    (a truncated or foreign DuckDB file) is a WarehouseError naming it."""
    wanted = sorted({(s.table, s.partition) for s in slices if s.table}, key=str)
    if store.is_missing_file:
        return WarehouseSurvey(exists=False, identity=None)
    try:
        with store.engine.connect() as conn:
            tables = {
                f"{row.table_schema}.{row.table_name}"
                for row in conn.execute(
                    sa.text("SELECT table_schema, table_name FROM information_schema.tables")
                )
            }
            if "meta.schema_migrations" not in tables:
                return WarehouseSurvey(exists=False, identity=None)
            identity = read_identity(conn) if IDENTITY_TABLE in tables else None
            counts: dict[tuple[str, str | None], int | None] = {}
            for table, partition in wanted:
                counts[(table, partition)] = (
                    _count(conn, table, partition) if table in tables else None
                )
    except sa.exc.SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise WarehouseError(
            f"cannot read the warehouse {store.redacted_url}: {reason}; nothing was run "
            "(restore it from a backup, or move it aside and `via-pipeline run` builds a new one)"
        ) from None
    return WarehouseSurvey(exists=True, identity=identity, counts=counts)


def _count(conn: sa.Connection, table: str, partition: str | None) -> int:
    sql = f"SELECT count(*) FROM {check_table_name(table)}"  # noqa: S608 (a checked name)
    if partition is None:
        return int(conn.execute(sa.text(sql)).scalar_one())
    sql += f" WHERE {PARTITION_COLUMN} = :partition"
    return int(conn.execute(sa.text(sql), {"partition": int(partition)}).scalar_one())


def slice_reason(built: BuiltSlice, survey: WarehouseSurvey) -> str | None:
    """Why this asset's last build cannot stand in this warehouse; None when it can."""
    if not survey.exists:
        return "the warehouse is new"
    if survey.identity is None:
        return "the warehouse has no identity yet (migration 0012 not applied)"
    if built.warehouse_id is None:
        return "the last build recorded no warehouse identity (it ran before migration 0012)"
    if built.warehouse_id != survey.identity:
        return (
            f"the warehouse was replaced (it is {survey.identity[:8]}…, "
            f"the last build wrote {built.warehouse_id[:8]}…)"
        )
    if built.table is None:
        return None
    count = survey.counts.get((built.table, built.partition))
    where = f" for {built.partition}" if built.partition is not None else ""
    if count is None:
        return f"the warehouse lacks {built.table}"
    if built.row_count is not None and count != built.row_count:
        return (
            f"{built.table} holds {count} rows{where} where its last build wrote {built.row_count}"
        )
    return None
