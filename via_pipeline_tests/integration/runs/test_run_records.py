"""quality.runs: every CLI run's trace, closed as failed when its process is gone; runs seen in
Dagster's history (the run records sensor) as they stand, never over a CLI run's own row."""

from __future__ import annotations

from datetime import UTC, datetime

from via_pipeline.core.runs.records import (
    RunTrace,
    close_dead_runs,
    record_observed_run,
    record_run_ended,
    record_run_started,
)
from via_pipeline.core.warehouse import WarehouseStore

STARTED = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)


def trace(run_id: str, pid: int, host: str = "host-a") -> RunTrace:
    return RunTrace(
        run_id=run_id,
        job_name="via_yearly_build_job",
        partition="2023",
        pid=pid,
        host=host,
        started_at=STARTED,
    )


def test_a_failed_run_is_traced_in_runs_and_run_failures(store: WarehouseStore) -> None:
    record_run_started(store, trace("r1", 100))
    row = store.read_table("quality.runs", {"run_id": "r1"}).iloc[0]
    assert (row.status, row.pid, row.host, row.started_by) == ("started", 100, "host-a", "cli")
    assert row.ended_at is None or str(row.ended_at) in ("NaT", "None")

    cause = (
        "step failed: partners_intake: No space left on device: /data/archive/x (traceback in /l)"
    )
    record_run_ended(
        store,
        trace("r1", 100),
        succeeded=False,
        cause=cause,
        failed_steps=("partners_intake",),
        log_file="/l",
        ended_at=datetime(2026, 11, 30, 5, 1, tzinfo=UTC),
    )
    row = store.read_table("quality.runs", {"run_id": "r1"}).iloc[0]
    assert (row.status, row.cause, row.log_file) == ("failed", cause, "/l")
    assert str(row.ended_at) == "2026-11-30 05:01:00"
    failure = store.read_table("quality.run_failures", {"run_id": "r1"}).iloc[0]
    assert (failure.failed_steps, failure.error_message, bool(failure.notified)) == (
        "partners_intake",
        cause,
        False,
    )


def test_a_succeeded_run_has_no_cause_and_no_failure_row(store: WarehouseStore) -> None:
    record_run_started(store, trace("r2", 100))
    record_run_ended(store, trace("r2", 100), succeeded=True, cause="ignored")
    rows = store.read_table("quality.runs")
    assert rows[["run_id", "status"]].values.tolist() == [["r2", "succeeded"]]
    assert rows.iloc[0].cause is None
    assert store.count("quality.run_failures") == 0


def test_only_runs_of_dead_processes_on_this_host_are_closed(store: WarehouseStore) -> None:
    record_run_started(store, trace("dead", 111))
    record_run_started(store, trace("alive", 222))
    record_run_started(store, trace("elsewhere", 111, host="host-b"))
    closed = close_dead_runs(store, host="host-a", is_alive=lambda pid: pid == 222)
    assert closed == ["dead"]
    rows = store.read_table("quality.runs").set_index("run_id")
    assert rows.loc["dead", "status"] == "failed"
    assert rows.loc["dead", "cause"] == (
        "process 111 ended without finishing the run (killed, or the machine stopped); rerun the year"
    )
    assert rows.loc["alive", "status"] == "started"
    assert rows.loc["elsewhere", "status"] == "started"
    assert store.read_table("quality.run_failures")["run_id"].tolist() == ["dead"]


def test_an_observed_run_is_written_as_it_stands_and_replaced_when_it_ends(
    store: WarehouseStore,
) -> None:
    ui_run = RunTrace("u1", "warehouse_migrate_job", None, 4242, "host-a", STARTED, "ui")
    assert record_observed_run(store, ui_run, "started")
    row = store.read_table("quality.runs", {"run_id": "u1"}).iloc[0]
    assert (row.status, row.started_by, row.pid, row.partition) == ("started", "ui", 4242, None)
    ended = datetime(2026, 11, 30, 5, 2, tzinfo=UTC)
    assert record_observed_run(store, ui_run, "failed", ended, "step failed: x: disk full")
    rows = store.read_table("quality.runs")
    assert rows[["run_id", "status", "cause"]].values.tolist() == [
        ["u1", "failed", "step failed: x: disk full"]
    ]
    assert str(rows.iloc[0].ended_at) == "2026-11-30 05:02:00"
    # quality.run_failures is the run failure sensor's to write for such runs
    assert store.count("quality.run_failures") == 0


def test_an_observed_run_never_overwrites_the_row_the_cli_wrote(store: WarehouseStore) -> None:
    record_run_started(store, trace("c1", 100))
    record_run_ended(store, trace("c1", 100), succeeded=True, log_file=None)
    seen = RunTrace("c1", "via_yearly_build_job", "2023", 0, "host-a", STARTED, "ui")
    assert not record_observed_run(store, seen, "started")
    row = store.read_table("quality.runs", {"run_id": "c1"}).iloc[0]
    assert (row.status, row.started_by, row.pid) == ("succeeded", "cli", 100)
