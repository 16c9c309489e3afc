"""The warehouse: migrations, atomic replace-writes and fast bulk loads on DuckDB and PostgreSQL.

All writes are "delete the slice, insert the new rows" inside one transaction, so a write that
fails half-way leaves the previous contents. Bulk loads use each engine's own fast path
(DuckDB reads a registered frame; PostgreSQL takes COPY), because pandas' to_sql inserts row
by row through duckdb-engine.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from via_pipeline.core.paths import MIGRATIONS_DIR, SQL_DIR
from via_pipeline.core.settings import ConfigurationError, parse_warehouse_url, redact_url

MIGRATION_FILE = re.compile(r"^(?P<version>\d{4})_(?P<name>[a-z0-9_]+)\.sql$")
# Tables are named schema.table in lowercase snake_case; anything else never reaches SQL text.
TABLE_NAME = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
SQL_FILE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
MIGRATIONS_TABLE = "meta.schema_migrations"
# replace() compares a slice this small with the new rows and leaves it alone when they are the
# same, so a rerun with nothing new rewrites nothing; larger slices are replaced without reading.
UNCHANGED_CHECK_MAX_ROWS = 50_000


class WarehouseError(RuntimeError):
    """A warehouse operation failed; the message says which table and why."""


@dataclass(frozen=True)
class Migration:
    version: str
    name: str
    path: Path

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def discover_migrations(migrations_dir: Path = MIGRATIONS_DIR) -> list[Migration]:
    """The NNNN_name.sql files in version order; a misnamed or duplicated version is an error."""
    migrations: dict[str, Migration] = {}
    for path in sorted(migrations_dir.glob("*.sql")):
        match = MIGRATION_FILE.match(path.name)
        if match is None:
            raise WarehouseError(f"{path}: migration files are named NNNN_lowercase_name.sql")
        version = match["version"]
        if version in migrations:
            raise WarehouseError(
                f"{path}: version {version} is also used by {migrations[version].path.name}"
            )
        migrations[version] = Migration(version, match["name"], path)
    return [migrations[v] for v in sorted(migrations)]


def split_sql_statements(sql_text: str) -> list[str]:
    """Split a SQL file on semicolons that end a line; our SQL files keep one statement per block."""
    without_comments = "\n".join(
        line for line in sql_text.splitlines() if not line.lstrip().startswith("--")
    )
    parts = re.split(r";\s*(?:\n|$)", without_comments)
    return [part.strip() for part in parts if part.strip()]


def load_sql(name: str) -> str:
    """The text of sql/<name>.sql: the one way SELECT and DML files are read."""
    if not SQL_FILE_NAME.match(name):
        raise WarehouseError(f"invalid SQL file name {name!r}")
    path = SQL_DIR / f"{name}.sql"
    if not path.is_file():
        raise WarehouseError(f"no SQL file {path}")
    return path.read_text(encoding="utf-8")


def check_table_name(table: str) -> str:
    if not TABLE_NAME.match(table):
        raise WarehouseError(
            f"invalid table name {table!r}: expected schema.table in lowercase snake_case"
        )
    return table


def _normalise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Empty text becomes NULL, on both engines alike (PostgreSQL's CSV COPY cannot tell them apart)."""
    # A shallow copy and one object array per text column: three times faster than
    # Series.where on the small frames a partner file's intake writes (docs/performance.md).
    result = frame.copy(deep=False)
    for column in result.columns:
        series = result[column]
        if pd.api.types.is_string_dtype(series.dtype) or series.dtype == object:
            values = series.to_numpy(dtype=object, copy=True)
            empty = pd.isna(values) | (values == "")
            if empty.any():
                values[empty] = None
            result[column] = pd.Series(values, index=series.index, dtype=object)
    return result


def _plain(value: Any) -> Any:
    """A cell as the plain Python value the database gives back; NULL-likes become None.

    Anything not recognised compares unequal, which only costs a rewrite."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()  # numpy scalars
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _row_multiset(frame: pd.DataFrame) -> Counter[tuple[Any, ...]]:
    return Counter(
        tuple(_plain(value) for value in row) for row in frame.itertuples(index=False, name=None)
    )


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
                # NullPool: a run keeps the file open through its write lease (core/lease.py);
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
        """One transaction: committed when the block ends, rolled back on any exception."""
        with self.engine.begin() as conn:
            yield conn

    # -- migrations -------------------------------------------------------------------------

    def applied_migrations(self) -> list[str]:
        with self.engine.connect() as conn:
            if not self._migrations_table_exists(conn):
                return []
            rows = conn.execute(
                sa.text(f"SELECT version FROM {MIGRATIONS_TABLE} ORDER BY version")
            ).scalars()
            return list(rows)

    def _migrations_table_exists(self, conn: Connection) -> bool:
        found = conn.execute(
            sa.text(
                "SELECT count(*) FROM information_schema.tables "
                "WHERE table_schema = 'meta' AND table_name = 'schema_migrations'"
            )
        ).scalar_one()
        return bool(found)

    def migrate(self, migrations_dir: Path = MIGRATIONS_DIR) -> list[str]:
        """Apply the migrations not yet recorded, in order, each in its own transaction.

        Returns the file names applied. A recorded migration whose file changed is an error:
        migrations are history, a change goes into a new file.
        """
        migrations = discover_migrations(migrations_dir)
        applied_now: list[str] = []
        self._columns.clear()
        with self.transaction() as conn:
            if self.dialect == "postgresql":
                # Two processes migrating at once: the second waits, then finds nothing to do.
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(4242001)"))
            conn.exec_driver_sql("CREATE SCHEMA IF NOT EXISTS meta")
            conn.exec_driver_sql(
                f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} ("
                "version TEXT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, "
                "applied_at TIMESTAMP NOT NULL)"
            )
            recorded = {
                row.version: row.checksum
                for row in conn.execute(
                    sa.text(f"SELECT version, checksum FROM {MIGRATIONS_TABLE}")
                )
            }
            for migration in migrations:
                if migration.version in recorded:
                    if recorded[migration.version] != migration.checksum:
                        raise WarehouseError(
                            f"migration {migration.path.name} was changed after it was applied; "
                            "put the change in a new migration file"
                        )
                    continue
                for statement in split_sql_statements(migration.path.read_text(encoding="utf-8")):
                    try:
                        conn.exec_driver_sql(statement)
                    except sa.exc.SQLAlchemyError as error:
                        raise WarehouseError(
                            f"migration {migration.path.name} failed: {str(getattr(error, 'orig', error)).strip()}"
                        ) from error
                conn.execute(
                    sa.text(
                        f"INSERT INTO {MIGRATIONS_TABLE} (version, name, checksum, applied_at) "
                        "VALUES (:version, :name, :checksum, :applied_at)"
                    ),
                    {
                        "version": migration.version,
                        "name": migration.name,
                        "checksum": migration.checksum,
                        "applied_at": datetime.now(UTC).replace(tzinfo=None),
                    },
                )
                applied_now.append(migration.path.name)
        return applied_now

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
        return _row_multiset(existing) == _row_multiset(_normalise_frame(frame[columns]))

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
        ordered = _normalise_frame(frame[columns])
        try:
            if self.dialect == "duckdb":
                self._insert_duckdb(conn, table, ordered)
            else:
                self._insert_postgres(conn, table, ordered)
        except Exception as error:
            reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
            raise WarehouseError(
                f"writing {len(ordered)} rows to {table} failed: {reason}"
            ) from error
        return len(ordered)

    @staticmethod
    def _insert_duckdb(conn: Connection, table: str, frame: pd.DataFrame) -> None:
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

    @staticmethod
    def _insert_postgres(conn: Connection, table: str, frame: pd.DataFrame) -> None:
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

    def execute_sql_file(
        self, name: str, params: Mapping[str, Any] | None = None, conn: Connection | None = None
    ) -> None:
        """Run every statement of sql/<name>.sql in one transaction, with bound parameters."""
        if conn is None:
            with self.transaction() as own:
                self.execute_sql_file(name, params, own)
            return
        for statement in split_sql_statements(load_sql(name)):
            conn.execute(sa.text(statement), dict(params or {}))
