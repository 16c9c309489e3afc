"""Guards that a password in VIA_WAREHOUSE_URL never shows: not in CLI output, error messages,
logs, run metadata, the Dagster instance's storage or the warehouse itself.
"""

from __future__ import annotations

import logging
import os
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy.engine import make_url

from via_pipeline.core.settings.environment import ConfigurationError, load_settings, redact_url
from via_pipeline.core.settings.paths import REPO_ROOT
from via_pipeline.core.warehouse import WarehouseError, WarehouseStore
from via_pipeline_tests.reliability.dumps import dump_warehouse

SECRET = "s3cr3t"
CLI = str(REPO_ROOT / ".venv" / "bin" / "via-pipeline")
UNREACHABLE = f"postgresql+psycopg2://user:{SECRET}@127.0.0.1:1/db"


def run_cli(
    args: list[str], warehouse_url: str, tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("VIA_") and key.lower() not in ("http_proxy", "https_proxy")
    }
    env.update(
        VIA_WAREHOUSE_URL=warehouse_url,
        VIA_DATA_DIR=str(tmp_path / "data"),
        VIA_CBS_SOURCE="snapshot",
        DAGSTER_HOME=str(tmp_path / "dagster_home"),
    )
    return subprocess.run(
        [CLI, *args], env=env, capture_output=True, text=True, timeout=600, cwd=tmp_path
    )


def with_password(url: str) -> str:
    """The same database URL with a password added (trust authentication ignores it)."""
    return make_url(url).set(password=SECRET).render_as_string(hide_password=False)


def test_migrate_against_an_unreachable_database_prints_one_line_without_the_password(
    tmp_path: Path,
) -> None:
    result = run_cli(["migrate"], UNREACHABLE, tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 2
    assert SECRET not in output
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert lines[0].startswith(
        "via-pipeline: configuration error: VIA_WAREHOUSE_URL: cannot connect"
    )
    assert "postgresql+psycopg2://user:***@127.0.0.1:1/db" in lines[0]


@pytest.mark.parametrize(
    "bad_url",
    [
        f"postgresql+psycopg2://user:{SECRET}@127.0.0.1:notaport/db",  # port not a number
        f"mysql://user:{SECRET}@127.0.0.1/db",  # unsupported engine
        f"user:{SECRET}@127.0.0.1/db",  # no scheme at all
        f"postgresql+psycopg2://user:{SECRET}@127.0.0.1:99999/db",  # port out of range
    ],
)
def test_a_malformed_url_is_one_line_naming_the_variable_without_the_password(
    bad_url: str, tmp_path: Path
) -> None:
    result = run_cli(["migrate"], bad_url, tmp_path)
    output = result.stdout + result.stderr
    assert SECRET not in output
    assert "Traceback" not in output
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert "VIA_WAREHOUSE_URL" in lines[0]
    assert result.returncode == 2


@pytest.mark.parametrize(
    "bad_url",
    [
        UNREACHABLE,
        f"postgresql+psycopg2://user:{SECRET}@127.0.0.1:notaport/db",
        f"user:{SECRET}@127.0.0.1/db",
    ],
)
def test_settings_and_store_errors_never_carry_the_password(
    bad_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    assert SECRET not in redact_url(bad_url)
    with pytest.raises(ConfigurationError) as raised:
        load_settings({"VIA_WAREHOUSE_URL": bad_url})
        WarehouseStore(bad_url).check_connection()
    assert SECRET not in str(raised.value)
    assert "VIA_WAREHOUSE_URL" in str(raised.value)
    assert raised.value.__cause__ is None and raised.value.__suppress_context__
    assert SECRET not in caplog.text


@pytest.mark.postgres
def test_a_reachable_store_with_a_password_keeps_it_out_of_repr_and_errors(
    postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    store = WarehouseStore(with_password(postgres_url))
    store.migrate()
    assert SECRET not in repr(store) and SECRET not in store.redacted_url
    with pytest.raises(WarehouseError) as wrong_columns:
        store.insert("cbs.tables", pd.DataFrame({"nope": [1]}))
    with pytest.raises(WarehouseError) as unknown_table:
        store.read_table("cbs.nothing_here", {"a": 1})
    frame = pd.DataFrame(
        {
            "table_id": ["T1", "T1"],
            "title": ["x", "x"],
            "modified": [None, None],
            "fetched_at": [pd.Timestamp("2026-01-01")] * 2,
            "source": ["live", "live"],
            "row_count": [1, 1],
        }
    )
    frame = frame.reindex(columns=store.table_columns("cbs.tables"))
    with pytest.raises(WarehouseError) as duplicate:
        store.insert("cbs.tables", frame)
    for error in (wrong_columns, unknown_table, duplicate):
        assert SECRET not in str(error.value)
        assert SECRET not in repr(error.value)
    assert SECRET not in caplog.text
    store.dispose()


@pytest.mark.slow
@pytest.mark.postgres
def test_a_whole_run_never_writes_the_password_anywhere(postgres_url: str, tmp_path: Path) -> None:
    """`via-pipeline run` on PostgreSQL with a password: grep every byte it produced."""
    result = run_cli(["run", "--year", "2023"], with_password(postgres_url), tmp_path)
    output = result.stdout + result.stderr
    assert "run " in output and "warehouse (postgresql+psycopg2://postgres:***@" in output, output
    assert SECRET not in output
    files = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert any(path.parent.name == "dagster_home" or "dagster_home" in path.parts for path in files)
    leaking = [str(path) for path in files if SECRET.encode() in path.read_bytes()]
    assert leaking == []
    assert SECRET not in repr(dump_warehouse(postgres_url))
