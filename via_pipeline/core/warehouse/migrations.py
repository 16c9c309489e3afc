"""Migrations: finding the NNNN_name.sql files and applying the ones not yet recorded.

The record lives in meta.schema_migrations with each file's checksum, so a migration changed
after it was applied is caught instead of silently diverging between databases.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from via_pipeline.core.settings.paths import MIGRATIONS_DIR
from via_pipeline.core.warehouse.errors import WarehouseError
from via_pipeline.core.warehouse.sql_files import split_sql_statements

MIGRATION_FILE = re.compile(r"^(?P<version>\d{4})_(?P<name>[a-z0-9_]+)\.sql$")
MIGRATIONS_TABLE = "meta.schema_migrations"


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


def applied_versions(conn: Connection) -> list[str]:
    """The versions recorded in meta.schema_migrations, in order; none before the first migrate."""
    if not _migrations_table_exists(conn):
        return []
    rows = conn.execute(sa.text(f"SELECT version FROM {MIGRATIONS_TABLE} ORDER BY version"))
    return list(rows.scalars())


def _migrations_table_exists(conn: Connection) -> bool:
    found = conn.execute(
        sa.text(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = 'meta' AND table_name = 'schema_migrations'"
        )
    ).scalar_one()
    return bool(found)


def apply_migrations(conn: Connection, dialect: str, migrations_dir: Path) -> list[str]:
    """Apply the migrations not yet recorded, in order, inside the caller's transaction.

    Returns the file names applied. A recorded migration whose file changed is an error:
    migrations are history, a change goes into a new file.
    """
    migrations = discover_migrations(migrations_dir)
    applied_now: list[str] = []
    if dialect == "postgresql":
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
        for row in conn.execute(sa.text(f"SELECT version, checksum FROM {MIGRATIONS_TABLE}"))
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
