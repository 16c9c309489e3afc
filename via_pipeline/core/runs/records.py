"""The trace of runs in quality.runs (migration 0010): started, then succeeded or failed.

A run writes its row while it holds the warehouse write lease (core/runs/lease.py), so these writes
never compete with another run's. A row left `started` by a process that is gone is closed as
failed by the next run or `status` on the same host; a run of any launch whose worker is gone
is closed by the dead-runs sensor (record_dead_run, core/runs/dead_runs.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from via_pipeline.core.runs.alerts import RUN_FAILURES_TABLE, RunFailure, run_failure_frame
from via_pipeline.core.runs.lease import process_is_alive, this_host
from via_pipeline.core.timestamps import naive_utc
from via_pipeline.core.warehouse import WarehouseStore

RUNS_TABLE = "quality.runs"
RUN_COLUMNS = (
    "run_id",
    "job_name",
    "partition",
    "started_by",
    "host",
    "pid",
    "started_at",
    "ended_at",
    "status",
    "cause",
    "log_file",
)
MAX_CAUSE_CHARS = 2000


def dead_process_cause(pid: int) -> str:
    return (
        f"process {pid} ended without finishing the run (killed, or the machine stopped); "
        "rerun the year"
    )


@dataclass(frozen=True)
class RunTrace:
    run_id: str
    job_name: str
    partition: str | None
    pid: int
    host: str
    started_at: datetime
    started_by: str = "cli"


def _row(
    trace: RunTrace,
    status: str,
    ended_at: datetime | None = None,
    cause: str | None = None,
    log_file: str | None = None,
) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "run_id": trace.run_id,
                "job_name": trace.job_name,
                "partition": trace.partition,
                "started_by": trace.started_by,
                "host": trace.host,
                "pid": trace.pid,
                "started_at": pd.Timestamp(naive_utc(trace.started_at)),
                "ended_at": pd.Timestamp(naive_utc(ended_at)) if ended_at else None,
                "status": status,
                "cause": cause[:MAX_CAUSE_CHARS] if cause else None,
                "log_file": log_file,
            }
        ],
        columns=list(RUN_COLUMNS),
    )


def record_run_started(store: WarehouseStore, trace: RunTrace) -> None:
    store.replace(RUNS_TABLE, _row(trace, "started"), where={"run_id": trace.run_id})


def record_run_ended(
    store: WarehouseStore,
    trace: RunTrace,
    *,
    succeeded: bool,
    cause: str | None = None,
    failed_steps: tuple[str, ...] = (),
    log_file: str | None = None,
    ended_at: datetime | None = None,
) -> None:
    """The run's row, closed; a failure also goes to quality.run_failures (one list of failures)."""
    ended = ended_at or datetime.now(UTC)
    status = "succeeded" if succeeded else "failed"
    with store.transaction() as conn:
        store.replace(
            RUNS_TABLE,
            _row(trace, status, ended, None if succeeded else cause, log_file),
            where={"run_id": trace.run_id},
            conn=conn,
        )
        if not succeeded:
            failure = RunFailure(
                run_id=trace.run_id,
                job_name=trace.job_name,
                partition=trace.partition,
                failed_at=ended,
                failed_steps=failed_steps,
                error_message=cause or "",
            )
            store.replace(
                RUN_FAILURES_TABLE,
                run_failure_frame(failure, notified=False),
                where={"run_id": trace.run_id},
                conn=conn,
            )


def _trace_of(row: Any) -> RunTrace:
    """The trace of a quality.runs row."""
    return RunTrace(
        run_id=str(row.run_id),
        job_name=str(row.job_name),
        partition=None if pd.isna(row.partition) else str(row.partition),
        pid=int(row.pid),
        host=str(row.host),
        started_at=pd.Timestamp(row.started_at).to_pydatetime().replace(tzinfo=UTC),
        started_by=str(row.started_by),
    )


def close_dead_runs(
    store: WarehouseStore,
    host: str | None = None,
    is_alive: Callable[[int], bool] = process_is_alive,
    now: datetime | None = None,
) -> list[str]:
    """Mark failed the rows left `started` on this host by a process that no longer exists.

    Returns their run ids. Rows of other hosts are left alone: their pids mean nothing here.
    """
    host = host or this_host()
    open_rows = store.read_table(RUNS_TABLE, {"status": "started", "host": host})
    closed: list[str] = []
    for row in open_rows.itertuples(index=False):
        pid = int(row.pid)
        if is_alive(pid):
            continue
        trace = _trace_of(row)
        record_run_ended(store, trace, succeeded=False, cause=dead_process_cause(pid), ended_at=now)
        closed.append(trace.run_id)
    return closed


def record_dead_run(store: WarehouseStore, trace: RunTrace, now: datetime | None = None) -> bool:
    """A run whose worker process is gone, closed as failed (quality.runs and run_failures).

    The row a run wrote itself (a CLI run) keeps who started it and when; a row already closed
    is left as it is (False).
    """
    existing = store.read_table(RUNS_TABLE, {"run_id": trace.run_id})
    if not existing.empty:
        row = next(existing.itertuples(index=False))
        if row.status != "started":
            return False
        recorded = _trace_of(row)
        trace = replace(trace, started_by=recorded.started_by, started_at=recorded.started_at)
    record_run_ended(
        store, trace, succeeded=False, cause=dead_process_cause(trace.pid), ended_at=now
    )
    return True
