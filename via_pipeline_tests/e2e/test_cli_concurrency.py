"""Runs that share a warehouse, as operators start them: one writes, the others wait or read.

Each test starts a few CLI processes (a run is ~10-15 s offline): kept to one or two per case.
"""

from __future__ import annotations

import re
import signal
from pathlib import Path

import duckdb
import pytest

from via_pipeline.core.runs.records import dead_process_cause
from via_pipeline_tests.support.cli_processes import (
    OTHER_RUN,
    CliProcess,
    cli_env,
    duckdb_lock_holder,
    lease_holder,
    run_cli,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
RUNNING = "running via_yearly_build_job"


def test_status_and_a_second_run_during_a_run_leave_it_successful(
    warehouse_url: str, tmp_path: Path
) -> None:
    env = cli_env(tmp_path, warehouse_url)
    first = CliProcess("run", "--year", "2023", env=env)
    first_id = first.wait_for(RUNNING).split("(run ")[1].split(",")[0]
    status = run_cli("status", env=env)
    second = CliProcess("run", "--year", "2023", env=env)
    first_code, first_out, first_err = first.finish()
    second_code, second_out, second_err = second.finish()

    assert first_code == 0, first_out + first_err
    assert f"run {first_id}: succeeded" in first_out
    assert "FAILED" not in first_out
    assert second_code == 0, second_out + second_err
    assert re.search(r"^run \S+: succeeded$", second_out, re.MULTILINE), second_out
    assert status.returncode == 0, status.stderr
    # On DuckDB the reader cannot open the file during the run: it names the run instead.
    being_written = [line for line in status.stdout.splitlines() if "being written by" in line]
    for line in being_written:
        assert f"run {first_id[:8]}… (pid {first.pid})" in line


def test_a_held_lease_makes_a_run_wait_or_stop_in_one_line(
    warehouse_url: str, tmp_path: Path
) -> None:
    env = cli_env(tmp_path, warehouse_url)
    holder = lease_holder(warehouse_url)
    holder_name = f"run {OTHER_RUN[:8]}… (pid {holder.pid})"
    try:
        status = run_cli("status", env=env)
        assert status.returncode == 0, status.stderr
        assert f"  being written by {holder_name}" in status.stdout

        impatient = run_cli(
            "run", "--year", "2023", env={**env, "VIA_WAREHOUSE_LOCK_WAIT_SECONDS": "1"}
        )
        assert impatient.returncode == 1
        assert f"waiting for {holder_name} to finish, 0 s" in impatient.stdout
        assert impatient.stderr.strip().splitlines() == [
            f"via-pipeline: warehouse error: the warehouse is being written by {holder_name}; "
            "gave up after 1 s (VIA_WAREHOUSE_LOCK_WAIT_SECONDS)"
        ]

        patient = CliProcess("run", "--year", "2023", env=env)
        patient.wait_for(f"waiting for {holder_name} to finish")
        holder.send_line()  # the other run ends
        code, out, err = patient.finish()
    finally:
        holder.kill()
    assert code == 0, out + err
    assert RUNNING in out
    assert "succeeded" in out


def test_a_process_holding_the_duckdb_file_gives_one_line(tmp_path: Path) -> None:
    env = cli_env(tmp_path, VIA_WAREHOUSE_LOCK_WAIT_SECONDS="0")
    holder = duckdb_lock_holder(tmp_path / "data" / "warehouse.duckdb")
    try:
        result = run_cli("run", "--year", "2023", env=env)
        status = run_cli("status", env=env)
    finally:
        holder.kill()
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"via-pipeline: warehouse error: the warehouse is being written by process {holder.pid}; "
        "gave up after 0 s (VIA_WAREHOUSE_LOCK_WAIT_SECONDS)"
    ]
    assert status.returncode == 0, status.stderr
    assert f"  being written by process {holder.pid}: DuckDB lets no reader in" in status.stdout


def test_a_killed_run_is_marked_failed_by_status_and_the_next_run(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    doomed = CliProcess("run", "--year", "2023", env=env)
    run_id = doomed.wait_for(RUNNING).split("(run ")[1].split(",")[0]
    doomed.wait_for("-> cbs_tables_and_observations")  # the Dagster run has started
    doomed.process.send_signal(signal.SIGKILL)
    doomed.process.wait()

    status = run_cli("status", env=env)
    assert status.returncode == 0, status.stderr
    assert (
        f"run {run_id[:8]}… was left started by a process that is gone: FAILED in Dagster"
        in status.stdout
    )
    rerun = run_cli("run", "--year", "2023", env=env)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert (
        f"run {run_id[:8]}… was left started by a process that is gone: FAILED in quality.runs"
        in rerun.stdout
    )
    assert "FAILED in Dagster" not in rerun.stdout  # status closed it already

    import dagster as dg

    with dg.DagsterInstance.from_config(str(tmp_path / "dagster_home")) as instance:
        killed = instance.get_run_by_id(run_id)
        assert killed is not None and killed.status == dg.DagsterRunStatus.FAILURE
    with duckdb.connect(str(tmp_path / "data" / "warehouse.duckdb"), read_only=True) as conn:
        rows = conn.execute(
            "SELECT run_id, status, cause FROM quality.runs ORDER BY started_at"
        ).fetchall()
    assert rows[0] == (run_id, "failed", dead_process_cause(doomed.pid))
    assert rows[1][1:] == ("succeeded", None)
    assert len(rows) == 2
