"""WarehouseStore: one warehouse database (DuckDB or PostgreSQL) and its atomic replace-writes.

All writes are "delete the slice, insert the new rows" inside one transaction, so a write that
fails half-way leaves the previous contents. Migrations, SQL files, frame normalising and the
engines' bulk paths live in the package's other modules; this class ties them to a connection.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from via_pipeline.core.settings.environment import (
    ConfigurationError,
    parse_warehouse_url,
    redact_url,
)
from via_pipeline.core.settings.paths import MIGRATIONS_DIR
from via_pipeline.core.warehouse.bulk import insert_duckdb, insert_postgres
from via_pipeline.core.warehouse.errors import WarehouseError
from via_pipeline.core.warehouse.frames import normalise_frame, row_multiset
from via_pipeline.core.warehouse.migrations import (
    applied_versions,
    apply_migrations,
    read_identity,
)
from via_pipeline.core.warehouse.sql_files import check_table_name, load_sql, split_sql_statements
from via_pipeline.core.warehouse.write_checks import write_check

# replace() compares a slice this small with the new rows and leaves it alone when they are the
# same, so a rerun with nothing new rewrites nothing; larger slices are replaced without reading.
UNCHANGED_CHECK_MAX_ROWS = 50_000


class WarehouseStore:
    """One warehouse database, addressed by an SQLAlchemy URL (DuckDB file or PostgreSQL)."""

    def __init__(
        self, url: str, *, variable: str = "VIA_WAREHOUSE_URL", read_only: bool = False
    ) -> None:
        parsed = parse_warehouse_url(url, variable)
        self.url = url
        self.parsed_url = parsed
        self.variable = variable
        self.dialect = parsed.get_backend_name()
        # Column lists by table: the schema changes only through migrate(), which clears this.
        # Asking information_schema on every write was a fifth of a partner file's intake time.
        self._columns: dict[str, list[str]] = {}
        try:
            if self.dialect == "duckdb":
                if not read_only:
                    Path(str(parsed.database)).parent.mkdir(parents=True, exist_ok=True)
                # NullPool: a run keeps the file open through its write lease (core/runs/lease.py);
                # outside a run nothing may hold the file between two statements.
                self.engine: Engine = sa.create_engine(
                    parsed,
                    poolclass=sa.pool.NullPool,
                    connect_args={"read_only": True} if read_only else {},
                )
            else:
                self.engine = sa.create_engine(
                    parsed, pool_pre_ping=True, connect_args={"connect_timeout": 10}
                )
        except (ImportError, sa.exc.NoSuchModuleError) as error:
            raise ConfigurationError(
                f"{variable}: the database driver of {redact_url(url)} is not installed "
                f"({error}); use duckdb:///path or postgresql+psycopg2://user@host/db"
            ) from None

    def __repr__(self) -> str:
        return f"WarehouseStore({redact_url(self.url)})"

    @property
    def redacted_url(self) -> str:
        return redact_url(self.url)

    @property
    def is_missing_file(self) -> bool:
        """A DuckDB warehouse whose file does not exist yet (opening it would create it)."""
        return self.dialect == "duckdb" and not Path(str(self.parsed_url.database)).exists()

    @cached_property
    def location(self) -> str:
        """Which warehouse this is, the same for every store of it in this process."""
        if self.dialect == "duckdb":
            return f"duckdb:{Path(str(self.parsed_url.database)).resolve()}"
        return self.parsed_url.render_as_string(hide_password=True)

    def check_writable(self, conn: Connection) -> None:
        """Run the write check registered for this warehouse (the write lease, write_checks.py)."""
        check = write_check(self.location)
        if check is not None:
            check(conn)

    def dispose(self) -> None:
        self.engine.dispose()

    def check_connection(self) -> None:
        """Connect once; an unreachable database is a configuration error naming the variable."""
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        except sa.exc.SQLAlchemyError as error:
            reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
            raise ConfigurationError(
                f"{self.variable}: cannot connect to {self.redacted_url}: {reason}"
            ) from None

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction: committed when the block ends, rolled back on any exception.

        The write check (the write lease) runs before the commit: failing, it rolls back.
        """
        with self.engine.begin() as conn:
            yield conn
            self.check_writable(conn)

    # -- migrations -------------------------------------------------------------------------

    def applied_migrations(self) -> list[str]:
        with self.engine.connect() as conn:
            return applied_versions(conn)

    def identity(self) -> str | None:
        """The warehouse's UUID (meta.warehouse_identity); None before migration 0012."""
        with self.engine.connect() as conn:
            return read_identity(conn)

    def migrate(self, migrations_dir: Path = MIGRATIONS_DIR) -> list[str]:
        """Apply the migrations not yet recorded, in order, in one transaction.

        Returns the file names applied. A recorded migration whose file changed is an error:
        migrations are history, a change goes into a new file.
        """
        self._columns.clear()
        with self.transaction() as conn:
            return apply_migrations(conn, self.dialect, migrations_dir)

    # -- reading ----------------------------------------------------------------------------

    def table_columns(self, table: str, conn: Connection | None = None) -> list[str]:
        """The table's columns in order; an unknown table is an error naming it."""
        if table in self._columns:
            return list(self._columns[table])
        schema, name = check_table_name(table).split(".")
        query = sa.text(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = :schema AND table_name = :name ORDER BY ordinal_position"
        )
        if conn is None:
            with self.engine.connect() as own:
                columns = list(own.execute(query, {"schema": schema, "name": name}).scalars())
        else:
            columns = list(conn.execute(query, {"schema": schema, "name": name}).scalars())
        if not columns:
            raise WarehouseError(f"table {table} does not exist; run `via-pipeline migrate`")
        self._columns[table] = list(columns)
        return columns

    def read(self, sql: str, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
        """Run a SELECT (bound parameters only) and return its rows as a frame."""
        with self.engine.connect() as conn:
            return self.read_in(conn, sql, params)

    @staticmethod
    def read_in(
        conn: Connection, sql: str, params: Mapping[str, Any] | None = None
    ) -> pd.DataFrame:
        result = conn.execute(sa.text(sql), dict(params or {}))
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))

    def read_table(self, table: str, where: Mapping[str, Any] | None = None) -> pd.DataFrame:
        check_table_name(table)
        clause, params = self._where_clause(table, where)
        return self.read(f"SELECT * FROM {table}{clause}", params)

    def count(self, table: str, where: Mapping[str, Any] | None = None) -> int:
        check_table_name(table)
        with self.engine.connect() as conn:
            clause, params = self._where_clause(table, where, conn)
            return int(
                conn.execute(sa.text(f"SELECT count(*) FROM {table}{clause}"), params).scalar_one()
            )

    def _where_clause(
        self, table: str, where: Mapping[str, Any] | None, conn: Connection | None = None
    ) -> tuple[str, dict[str, Any]]:
        if not where:
            return "", {}
        columns = set(self.table_columns(table, conn))
        unknown = sorted(set(where) - columns)
        if unknown:
            raise WarehouseError(f"{table} has no column(s) {', '.join(unknown)}")
        clause = " AND ".join(f"{column} = :w_{column}" for column in where)
        return f" WHERE {clause}", {f"w_{column}": value for column, value in where.items()}

    # -- writing ----------------------------------------------------------------------------

    def replace(
        self,
        table: str,
        frame: pd.DataFrame,
        where: Mapping[str, Any] | None = None,
        conn: Connection | None = None,
    ) -> int:
        """Replace the rows matching `where` (all rows when None) with `frame`, atomically.

        Runs in the given connection's transaction, or in a transaction of its own. A slice of
        at most UNCHANGED_CHECK_MAX_ROWS rows that already holds exactly these rows is left as
        it is (nothing deleted or inserted). Returns the number of rows the slice now holds.
        """
        if conn is None:
            try:
                with self.transaction() as own:
                    return self.replace(table, frame, where, own)
            except sa.exc.SQLAlchemyError as error:
                # A connection lost at commit (or at rollback) still names the table.
                reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
                raise WarehouseError(f"replacing rows of {table} failed: {reason}") from error
        clause, params = self._where_clause(table, where, conn)
        if self._slice_holds(conn, table, frame, clause, params):
            return len(frame)
        self.check_writable(conn)
        try:
            conn.execute(sa.text(f"DELETE FROM {check_table_name(table)}{clause}"), params)
        except sa.exc.SQLAlchemyError as error:
            reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
            raise WarehouseError(
                f"deleting the rows to replace in {table} failed: {reason}"
            ) from error
        return self.insert(table, frame, conn)

    def _slice_holds(
        self,
        conn: Connection,
        table: str,
        frame: pd.DataFrame,
        clause: str,
        params: Mapping[str, Any],
    ) -> bool:
        """Whether the slice already holds exactly `frame`'s rows (as a multiset, in any order)."""
        if len(frame) > UNCHANGED_CHECK_MAX_ROWS:
            return False
        columns = self.table_columns(table, conn)
        if sorted(columns) != sorted(map(str, frame.columns)):
            return False  # insert() reports the mismatch
        stored = int(
            conn.execute(
                sa.text(f"SELECT count(*) FROM {table}{clause}"), dict(params)
            ).scalar_one()
        )
        if stored != len(frame):
            return False
        if stored == 0:
            return True
        existing = self.read_in(conn, f"SELECT {', '.join(columns)} FROM {table}{clause}", params)
        return row_multiset(existing) == row_multiset(normalise_frame(frame[columns]))

    def insert(self, table: str, frame: pd.DataFrame, conn: Connection | None = None) -> int:
        """Append `frame` to `table` through the engine's bulk path; columns must match by name."""
        if conn is None:
            with self.transaction() as own:
                return self.insert(table, frame, own)
        columns = self.table_columns(table, conn)
        missing = [c for c in columns if c not in frame.columns]
        extra = [c for c in frame.columns if c not in columns]
        if missing or extra:
            raise WarehouseError(
                f"rows for {table} do not match its columns: missing {missing or 'none'}, unexpected {extra or 'none'}"
            )
        if frame.empty:
            return 0
        ordered = normalise_frame(frame[columns])
        self.check_writable(conn)
        try:
            if self.dialect == "duckdb":
                insert_duckdb(conn, table, ordered)
            else:
                insert_postgres(conn, table, ordered)
        except Exception as error:
            reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
            raise WarehouseError(
                f"writing {len(ordered)} rows to {table} failed: {reason}"
            ) from error
        return len(ordered)

    def execute_sql_file(
        self, name: str, params: Mapping[str, Any] | None = None, conn: Connection | None = None
    ) -> None:
        """Run every statement of sql/<name>.sql in one transaction, with bound parameters."""
        if conn is None:
            with self.transaction() as own:
                self.execute_sql_file(name, params, own)
            return
        for statement in split_sql_statements(load_sql(name)):
            self.check_writable(conn)
            conn.execute(sa.text(statement), dict(params or {}))
