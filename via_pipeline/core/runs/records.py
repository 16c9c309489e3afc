"""The trace of every run in quality.runs (migration 0010): started, then succeeded or failed.

A CLI run writes its row while it holds the warehouse write lease (core/runs/lease.py), so these
writes never compete with another run's. A row left `started` by a process that is gone is closed
as failed by the next run or `status` on the same host; a run of any launch whose worker is gone
is closed by the dead-runs sensor (record_dead_run, core/runs/dead_runs.py). Runs launched
otherwise (daemon, schedule, sensor, UI, GraphQL) are recorded from Dagster's run history by the
run records sensor (defs/orchestration/run_records.py) through `record_observed_run`, which leaves
a CLI run's own row alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
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
CLI = "cli"
CANCELED_CAUSE = "canceled in Dagster (UI, API or a run monitor) before it finished"
# Dagster's run tags that say who launched a run (dagster/_core/storage/tags.py).
SCHEDULE_TAG = "dagster/schedule_name"
SENSOR_TAG = "dagster/sensor_name"
BACKFILL_TAG = "dagster/backfill"
AUTOMATION_TAGS = ("dagster/from_automation_condition", "dagster/auto_materialize")
# Dagster run statuses (DagsterRunStatus values) as quality.runs has them; others are not yet
# (or no longer) a run that started: queued, starting, canceling.
OBSERVED_STATUSES = {
    "STARTED": "started",
    "SUCCESS": "succeeded",
    "FAILURE": "failed",
    "CANCELED": "failed",
}


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
    started_by: str = CLI


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


def launched_by(tags: Mapping[str, str], cli_tag: str) -> str:
    """Who launched a run, from its tags: `schedule:<name>`, `sensor:<name>`, `backfill:<id>`,
    `automation`, `cli` (a run carrying the CLI's `cli_tag`), else `ui` (the UI, its GraphQL API,
    `dagster job launch`)."""
    if tags.get(SCHEDULE_TAG):
        return f"schedule:{tags[SCHEDULE_TAG]}"
    if tags.get(SENSOR_TAG):
        return f"sensor:{tags[SENSOR_TAG]}"
    if tags.get(BACKFILL_TAG):
        return f"backfill:{tags[BACKFILL_TAG]}"
    if any(tags.get(tag) for tag in AUTOMATION_TAGS):
        return "automation"
    if tags.get(cli_tag):
        return CLI
    return "ui"


def record_observed_run(
    store: WarehouseStore,
    trace: RunTrace,
    status: str,
    ended_at: datetime | None = None,
    cause: str | None = None,
) -> bool:
    """Write a run seen in Dagster's run history as it stands (upsert by run id); False, and no
    write, when the row is a CLI run's own (the CLI records its runs with pid, cause and log)."""
    # The CLI writes its row before its Dagster run exists, so a CLI row is there to be seen.
    existing = store.read_table(RUNS_TABLE, {"run_id": trace.run_id})
    if not existing.empty and str(existing.iloc[0]["started_by"]) == CLI:
        return False
    store.replace(
        RUNS_TABLE,
        _row(trace, status, ended_at, cause if status == "failed" else None),
        where={"run_id": trace.run_id},
    )
    return True
