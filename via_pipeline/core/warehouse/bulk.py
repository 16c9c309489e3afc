"""Bulk loads through each engine's own fast path: DuckDB reads a registered frame, PostgreSQL
takes COPY, because pandas' to_sql inserts row by row through duckdb-engine.

The caller has checked the table name and matched the frame's columns to the table's.
"""

from __future__ import annotations

import csv
import io
from contextlib import suppress

import pandas as pd
from sqlalchemy.engine import Connection


def insert_duckdb(conn: Connection, table: str, frame: pd.DataFrame) -> None:
    raw = conn.connection.driver_connection
    view = "via_bulk_frame"
    column_list = ", ".join(frame.columns)
    # DuckDB refuses register() while an earlier result on this connection is unfinished
    # (a caller's `.first()` leaves one); running a query to its end settles it.
    conn.exec_driver_sql("SELECT 1").fetchall()
    raw.register(view, frame)  # type: ignore[union-attr]
    try:
        conn.exec_driver_sql(
            f"INSERT INTO {table} ({column_list}) SELECT {column_list} FROM {view}"
        )
    finally:
        # After a failed INSERT the transaction is aborted and unregister fails too;
        # that second error would hide the first, which is the one worth reporting.
        with suppress(Exception):
            raw.unregister(view)  # type: ignore[union-attr]


def insert_postgres(conn: Connection, table: str, frame: pd.DataFrame) -> None:
    buffer = io.StringIO()
    # Unquoted empty fields are NULL in CSV COPY; real text is quoted by QUOTE_MINIMAL
    # only when needed, and empty text was already turned into NULL.
    frame.to_csv(buffer, index=False, header=False, quoting=csv.QUOTE_MINIMAL, na_rep="")
    buffer.seek(0)
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.copy_expert(
            f"COPY {table} ({', '.join(frame.columns)}) FROM STDIN WITH (FORMAT csv)", buffer
        )
    finally:
        cursor.close()
