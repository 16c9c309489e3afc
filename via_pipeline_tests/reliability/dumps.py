"""A canonical dump of every warehouse table, to prove that a fault left the warehouse unchanged.

Two dumps are equal exactly when every table holds the same rows with the same values (order
ignored), so `assert dump_warehouse(url) == before` is the "byte-for-byte unchanged" check.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

SYSTEM_SCHEMAS = ("information_schema", "pg_catalog", "pg_toast")

Dump = dict[str, list[tuple[Any, ...]]]


def _sort_key(row: tuple[Any, ...]) -> tuple[tuple[bool, str, str], ...]:
    return tuple((value is None, type(value).__name__, repr(value)) for value in row)


def warehouse_tables(conn: sa.Connection) -> list[str]:
    rows = conn.execute(
        sa.text(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_type = 'BASE TABLE' AND table_schema NOT IN "
            "('information_schema', 'pg_catalog', 'pg_toast') "
            "ORDER BY table_schema, table_name"
        )
    ).fetchall()
    return [f"{schema}.{name}" for schema, name in rows if not str(schema).startswith("pg_temp")]


def dump_warehouse(
    url: str, ignore_columns: Mapping[str, set[str]] | None = None, read_only: bool = True
) -> Dump:
    """Every table's column names and sorted rows; `ignore_columns` drops e.g. timestamps of when."""
    ignore = dict(ignore_columns or {})
    connect_args: dict[str, Any] = {}
    if url.startswith("duckdb") and read_only:
        # A reader must not change the file it is proving unchanged (no checkpoint on close).
        connect_args = {"read_only": True}
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool, connect_args=connect_args)
    dump: Dump = {}
    try:
        with engine.connect() as conn:
            for table in warehouse_tables(conn):
                result = conn.execute(sa.text(f"SELECT * FROM {table}"))
                columns = list(result.keys())
                keep = [i for i, c in enumerate(columns) if c not in ignore.get(table, set())]
                rows = [tuple(row[i] for i in keep) for row in result.fetchall()]
                dump[table] = [tuple(columns[i] for i in keep), *sorted(rows, key=_sort_key)]
    finally:
        engine.dispose()
    return dump


def without_migration_times(url: str) -> Dump:
    """The dump, leaving out when migrations were applied and the warehouse's own identity (both
    differ between two databases)."""
    return dump_warehouse(
        url,
        {
            "meta.schema_migrations": {"applied_at"},
            "meta.warehouse_identity": {"warehouse_id", "created_at"},
        },
    )
