"""`via-pipeline run` on PostgreSQL whose lease session is terminated mid-run stops in one line,
while a second writer takes the lease; the rerun completes."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from via_pipeline.core.runs.lease import LEASE_LOST
from via_pipeline.core.warehouse import WarehouseStore
from via_pipeline_tests.support.cli_processes import CliProcess, cli_env, lease_holder, run_cli

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.postgres]


def terminate_lease_sessions(url: str) -> list[int]:
    admin = sa.create_engine(url, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        pids = list(
            conn.execute(
                sa.text(
                    "SELECT pid FROM pg_stat_activity WHERE application_name LIKE 'via writer %' "
                    "AND pg_terminate_backend(pid, 5000)"
                )
            ).scalars()
        )
    admin.dispose()
    return [int(pid) for pid in pids]


def test_a_run_whose_lease_session_ends_stops_in_one_line(
    tmp_path: Path, postgres_url: str
) -> None:
    env = cli_env(tmp_path, postgres_url)
    run = CliProcess("run", "--year", "2023", env=env)
    run.wait_for("materialised cbs/observations")  # written under the lease; more to come
    assert len(terminate_lease_sessions(postgres_url)) == 1
    holder = lease_holder(postgres_url)  # the next writer gets the lease at once
    code, out, err = run.finish()
    holder.send_line()
    holder.finish()

    assert code == 1, out + err
    last = out.splitlines()[-1]
    assert last.startswith("step failed: ") and f": {LEASE_LOST} (traceback in " in last, out
    assert err == ""
    assert f"run not recorded in quality.runs: {LEASE_LOST}" in out
    # The first step that failed wrote nothing into this new warehouse; cbs.observations,
    # written before the loss, is whole.
    failed_step = last.removeprefix("step failed: ").split(":")[0]
    tables = {"monitor__indicators": "monitor.indicators", "partners_intake": "partners.actions"}
    store = WarehouseStore(postgres_url)
    assert store.count(tables.get(failed_step, "monitor.gaps")) == 0
    assert store.count("cbs.observations") > 0
    store.dispose()

    rerun = run_cli("run", "--year", "2023", env=env)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert "FAILED in quality.runs" in rerun.stdout  # the stopped run's row, closed
