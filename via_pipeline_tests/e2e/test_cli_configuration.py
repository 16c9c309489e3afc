"""The CLI as an operator meets it: bad configuration is one clear line, never a traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "via_pipeline.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("this is not a url", "via-pipeline: configuration error: VIA_WAREHOUSE_URL: cannot parse"),
        (
            "postgresql+psycopg2://analyst:s3cr3t@127.0.0.1:1/warehouse",
            "via-pipeline: configuration error: VIA_WAREHOUSE_URL: cannot connect to "
            "postgresql+psycopg2://analyst:***@127.0.0.1:1/warehouse:",
        ),
    ],
)
def test_bad_warehouse_url_is_one_line_naming_the_variable(url: str, expected: str) -> None:
    result = run_cli("migrate", env={"VIA_WAREHOUSE_URL": url})
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(expected)
    assert "s3cr3t" not in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_cbs_source_is_one_line() -> None:
    result = run_cli("status", env={"VIA_CBS_SOURCE": "internet"})
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "via-pipeline: configuration error: VIA_CBS_SOURCE: expected one of live, snapshot, auto, got 'internet'"
    )


def test_migrate_then_up_to_date(tmp_path: Path) -> None:
    env = {"VIA_DATA_DIR": str(tmp_path / "data")}
    first = run_cli("migrate", env=env)
    assert first.returncode == 0, first.stderr
    assert "applied 0001_create_contract_schemas.sql" in first.stdout
    assert (tmp_path / "data" / "warehouse.duckdb").is_file()
    second = run_cli("migrate", env=env)
    assert second.returncode == 0
    assert "warehouse is up to date" in second.stdout
