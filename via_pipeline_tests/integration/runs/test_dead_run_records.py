"""quality.runs rows of runs whose worker is gone, as the dead-runs sensor writes them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pandas as pd

from via_pipeline.core.runs.records import (
    RUNS_TABLE,
    RunTrace,
    dead_process_cause,
    record_dead_run,
    record_run_ended,
    record_run_started,
)
from via_pipeline.core.warehouse import WarehouseStore

CLI_STARTED = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)
DAGSTER_STARTED = datetime(2026, 11, 30, 5, 0, 7, tzinfo=UTC)
NOTICED = datetime(2026, 11, 30, 5, 3, tzinfo=UTC)


def daemon_trace(run_id: str) -> RunTrace:
    return RunTrace(
        run_id=run_id,
        job_name="partners_submission_job",
        partition="2024",
        pid=31337,
        host="host-a",
        started_at=DAGSTER_STARTED,
        started_by="sensor",
    )


def columns(store: WarehouseStore, run_id: str) -> dict[str, object]:
    row = store.read_table(RUNS_TABLE, {"run_id": run_id}).iloc[0]
    return {
        "status": row.status,
        "started_by": row.started_by,
        "started_at": pd.Timestamp(row.started_at),
        "ended_at": pd.Timestamp(row.ended_at),
        "cause": row.cause,
        "pid": int(row.pid),
    }


def test_a_run_without_a_row_gets_a_failed_one(store: WarehouseStore) -> None:
    assert record_dead_run(store, daemon_trace("d1"), now=NOTICED)
    assert columns(store, "d1") == {
        "status": "failed",
        "started_by": "sensor",
        "started_at": pd.Timestamp("2026-11-30 05:00:07"),
        "ended_at": pd.Timestamp("2026-11-30 05:03:00"),
        "cause": dead_process_cause(31337),
        "pid": 31337,
    }
    failures = store.read_table("quality.run_failures", {"run_id": "d1"})
    assert list(failures["error_message"]) == [dead_process_cause(31337)]


def test_a_cli_row_keeps_who_started_it_and_when(store: WarehouseStore) -> None:
    record_run_started(store, replace(daemon_trace("c1"), started_by="cli", started_at=CLI_STARTED))
    assert record_dead_run(store, daemon_trace("c1"), now=NOTICED)
    found = columns(store, "c1")
    assert (found["status"], found["started_by"], found["started_at"]) == (
        "failed",
        "cli",
        pd.Timestamp("2026-11-30 05:00:00"),
    )


def test_a_closed_row_is_left_as_it_is(store: WarehouseStore) -> None:
    record_run_started(store, daemon_trace("s1"))
    record_run_ended(store, daemon_trace("s1"), succeeded=True, ended_at=NOTICED)
    assert not record_dead_run(store, daemon_trace("s1"))
    assert columns(store, "s1")["status"] == "succeeded"
    assert store.count("quality.run_failures", {"run_id": "s1"}) == 0
