"""Guards two security rules by reading the code: SQL text is never built from values, and every
server the project starts listens on loopback unless an operator configures otherwise.

SQL: every f-string that contains SQL may only interpolate the identifiers listed below, each
checked against the configuration or the database's own catalogue before it reaches SQL; values
are bound parameters (`:name`). No SQL is built with % or .format, and the sql/ files hold no
Python placeholders.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from via_pipeline.core.settings.paths import REPO_ROOT
from via_pipeline_tests.support.cbs_replay import CbsReplayServer

SQL_WORDS = re.compile(
    r"\b(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|COPY|WHERE|FROM|JOIN|VALUES|TRUNCATE)\b"
)
# Interpolations allowed in SQL f-strings, and why each is an identifier, never a value.
CHECKED_IDENTIFIERS = {
    "MIGRATIONS_TABLE": "module constant meta.schema_migrations",
    "GAPS_TABLE": "module constant",
    "', '.join(GAP_COLUMNS)": "module constant list of column names",
    "table": "passed through check_table_name (schema.table, lowercase snake_case) first",
    "check_table_name(table)": "the check itself",
    "clause": "built by _where_clause from column names checked against the table's columns",
    "column_list": "the table's own columns from information_schema, matched to the frame",
    "', '.join(columns)": "the table's own columns from information_schema",
    "', '.join(frame.columns)": "frame columns already checked equal to the table's columns",
    "view": "module constant name of the registered frame",
    "IDENTITY_TABLE": "module constant meta.warehouse_identity",
}

# Interpolations allowed in one file only (name -> why). Adding an entry is a review decision.
CHECKED_IN_FILE = {
    "via_pipeline/core/monitor/tables.py": {
        "build": "the text of sql/build_monitor_gaps.sql, read by load_sql",
        "stored": "a SELECT built from the GAP_COLUMNS and GAPS_TABLE constants",
    },
    "via_pipeline/core/warehouse/survey.py": {
        "PARTITION_COLUMN": "module constant reporting_year, the partition key column",
    },
}


def product_sources() -> list[Path]:
    return sorted((REPO_ROOT / "via_pipeline").rglob("*.py"))


def sql_fstrings(path: Path) -> list[tuple[int, list[str], str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.JoinedStr):
            text = "".join(
                part.value
                for part in node.values
                if isinstance(part, ast.Constant) and isinstance(part.value, str)
            )
            if SQL_WORDS.search(text):
                expressions = [
                    ast.unparse(part.value)
                    for part in node.values
                    if isinstance(part, ast.FormattedValue)
                ]
                found.append((node.lineno, expressions, text))
    return found


def test_sql_fstrings_interpolate_only_checked_identifiers() -> None:
    offending = [
        f"{path.relative_to(REPO_ROOT)}:{line}: {expression}"
        for path in product_sources()
        for line, expressions, _ in sql_fstrings(path)
        for expression in expressions
        if expression not in CHECKED_IDENTIFIERS
        and expression not in CHECKED_IN_FILE.get(str(path.relative_to(REPO_ROOT)), {})
    ]
    assert offending == [], "SQL built from something not checked as an identifier"
    # The scan finds the warehouse's own SQL, so it is looking in the right place.
    assert any(sql_fstrings(REPO_ROOT / "via_pipeline" / "core" / "warehouse" / "store.py"))


def test_no_sql_is_built_with_percent_or_format() -> None:
    offending = []
    for path in product_sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            template = None
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
                template = node.left
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "format"
            ):
                template = node.func.value
            if (
                isinstance(template, ast.Constant)
                and isinstance(template.value, str)
                and SQL_WORDS.search(template.value)
            ):
                offending.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno}")
    assert offending == []


def test_sql_files_hold_no_python_placeholders() -> None:
    files = sorted((REPO_ROOT / "sql").rglob("*.sql"))
    assert files
    offending = [
        str(path.relative_to(REPO_ROOT))
        for path in files
        if re.search(r"\{[a-z_]*\}|%\(|%s", path.read_text(encoding="utf-8"))
    ]
    assert offending == []


def test_the_table_name_check_refuses_anything_but_identifiers() -> None:
    import pytest

    from via_pipeline.core.warehouse import WarehouseError, check_table_name

    assert check_table_name("partners.actions") == "partners.actions"
    for hostile in [
        "partners.actions; DROP TABLE x",
        "partners.actions--",
        'partners."actions"',
        "partners.actions WHERE 1=1",
        "Partners.Actions",
        "actions",
        "",
    ]:
        with pytest.raises(WarehouseError):
            check_table_name(hostile)


def test_every_server_the_project_starts_listens_on_loopback() -> None:
    launch = re.compile(r"(dagster(-webserver| dev| code-server start| api grpc)[^\n]*)")
    places = [REPO_ROOT / "Makefile", *sorted((REPO_ROOT / "deploy").rglob("*"))]
    commands = [
        match.group(1)
        for path in places
        if path.is_file()
        for match in launch.finditer(path.read_text(encoding="utf-8"))
    ]
    assert commands, "no server command found to check"
    for command in commands:
        assert re.search(r"(-h|--host) 127\.0\.0\.1\b", command), command
    for path in places:
        if path.is_file():
            assert "0.0.0.0" not in path.read_text(encoding="utf-8"), path
    workspace = (REPO_ROOT / "deploy" / "workspace.yaml").read_text(encoding="utf-8")
    assert "host: 127.0.0.1" in workspace


def test_the_cbs_replay_server_binds_loopback() -> None:
    with CbsReplayServer() as server:
        assert server.catalog_url.startswith("127.0.0.1:")
