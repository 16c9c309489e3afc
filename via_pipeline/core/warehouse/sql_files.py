"""SQL text and names: reading sql/<name>.sql, splitting it into statements, checking table names.

Everything that may end up inside SQL text as an identifier is checked here first.
"""

from __future__ import annotations

import re

from via_pipeline.core.settings.paths import SQL_DIR
from via_pipeline.core.warehouse.errors import WarehouseError

# Tables are named schema.table in lowercase snake_case; anything else never reaches SQL text.
TABLE_NAME = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
SQL_FILE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


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
