"""`via-pipeline run` trusts the warehouse, not the run log: an old Dagster instance pointed at a
new warehouse (the DuckDB to PostgreSQL cut-over), a deleted DuckDB file and an unreadable one
are never "nothing changed"."""

import os
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
import sqlalchemy as sa

from via_pipeline_tests.support.cli_processes import cli_env, duckdb_lock_holder, run_cli
from via_pipeline_tests.support.postgres import scratch_database

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture
def second_warehouse_url(warehouse_url: str, tmp_path: Path) -> Iterator[str]:
    """Another empty warehouse on the same engine as `warehouse_url`."""
    if warehouse_url.startswith("duckdb"):
        yield f"duckdb:///{tmp_path / 'new' / 'warehouse.duckdb'}"
        return
    with ExitStack() as cleanup:
        yield cleanup.enter_context(scratch_database(os.environ["VIA_TEST_POSTGRES_URL"]))


def _count(url: str, sql: str) -> int:
    connect_args = {"read_only": True} if url.startswith("duckdb") else {}
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool, connect_args=connect_args)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text(sql)).scalar_one())
    finally:
        engine.dispose()


def _built(stdout: str) -> set[str]:
    return {
        line.split()[1].rstrip(":")
        for line in stdout.splitlines()
        if line.startswith("   materialised ")
    }


def test_an_old_instance_on_a_new_warehouse_rebuilds_it(
    warehouse_url: str, second_warehouse_url: str, tmp_path: Path
) -> None:
    first = run_cli("run", "--year", "2023", env=cli_env(tmp_path, warehouse_url))
    assert first.returncode == 0, first.stdout + first.stderr
    gaps = _count(warehouse_url, "SELECT count(*) FROM monitor.gaps")
    assert gaps > 0

    # The same DAGSTER_HOME, a new empty warehouse: everything is built there.
    moved = run_cli("run", "--year", "2023", env=cli_env(tmp_path, second_warehouse_url))
    assert moved.returncode == 0, moved.stdout + moved.stderr
    assert "the warehouse is new: rebuilding every asset" in moved.stdout.splitlines()
    assert "nothing changed" not in moved.stdout
    assert "unchanged since" not in moved.stdout
    assert "applied 0012_create_meta_warehouse_identity.sql" in moved.stdout
    assert _built(moved.stdout) == _built(first.stdout)
    assert _count(second_warehouse_url, "SELECT count(*) FROM monitor.gaps") == gaps
    assert _count(second_warehouse_url, "SELECT count(*) FROM meta.warehouse_identity") == 1

    # Now the new warehouse is the one built: nothing changed.
    again = run_cli("run", "--year", "2023", env=cli_env(tmp_path, second_warehouse_url))
    assert again.returncode == 0, again.stdout + again.stderr
    assert "nothing changed for reporting year 2023: no run" in again.stdout
    assert "rebuilding" not in again.stdout

    # Back on the first warehouse: the last builds wrote the second, so it was replaced.
    back = run_cli("run", "--year", "2023", env=cli_env(tmp_path, warehouse_url))
    assert back.returncode == 0, back.stdout + back.stderr
    (line,) = [ln for ln in back.stdout.splitlines() if "rebuilding" in ln]
    assert line.startswith("the warehouse was replaced (it is ")
    assert line.endswith(": rebuilding every asset")


def test_a_deleted_or_unreadable_duckdb_file_is_never_nothing_changed(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    warehouse = tmp_path / "data" / "warehouse.duckdb"
    first = run_cli("run", "--year", "2023", env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    good = warehouse.read_bytes()

    # Another process has the file open: the plan cannot read it, so it waits for the lease
    # (here not at all), and says who holds it; never "nothing changed".
    holder = duckdb_lock_holder(warehouse)
    try:
        busy = run_cli("run", "--year", "2023", env={**env, "VIA_WAREHOUSE_LOCK_WAIT_SECONDS": "0"})
    finally:
        holder.kill()
    assert busy.returncode == 1, busy.stdout + busy.stderr
    assert busy.stderr.splitlines() == [
        f"via-pipeline: warehouse error: the warehouse is being written by process {holder.pid}; "
        "gave up after 0 s (VIA_WAREHOUSE_LOCK_WAIT_SECONDS)"
    ]
    assert "nothing changed" not in busy.stdout

    for damaged in (good[: len(good) // 2], b"VIA" * (len(good) // 3)):
        warehouse.write_bytes(damaged)
        result = run_cli("run", "--year", "2023", env=env)
        assert result.returncode == 1, result.stdout + result.stderr
        (line,) = result.stderr.splitlines()
        assert line.startswith(
            f"via-pipeline: warehouse error: cannot read the warehouse duckdb:///{warehouse}: "
            "IO Error: "
        )
        assert line.endswith(
            "nothing was run (restore it from a backup, or move it aside and "
            "`via-pipeline run` builds a new one)"
        )
        assert "nothing changed" not in result.stdout
        assert "running " not in result.stdout
        assert warehouse.read_bytes() == damaged  # left as it was, for the operator to look at

    warehouse.unlink()
    rebuilt = run_cli("run", "--year", "2023", env=env)
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    assert "the warehouse is new: rebuilding every asset" in rebuilt.stdout.splitlines()
    assert _built(rebuilt.stdout) == _built(first.stdout)
    assert _count(f"duckdb:///{warehouse}", "SELECT count(*) FROM partners.registry") == 21
