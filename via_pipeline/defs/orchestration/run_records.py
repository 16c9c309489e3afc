"""Every run in quality.runs, however launched: daemon, schedule, sensor, automation, UI, GraphQL.

A plain sensor that follows Dagster's run history by update time, not a run status sensor: a run
status sensor moves its cursor on even when its body fails, and on DuckDB the warehouse cannot be
opened at all while a run holds the write lease (every run of the queue, one after the other), so
rows would be lost. This one writes each run as it stands (upsert by run id) and moves its cursor
only past the runs it wrote; a busy or unreachable warehouse waits for the next tick. CLI runs
record their own row (core/runs/records.py) and are passed by. Decision (issue 26):
docs/operations.md, "Every run in quality.runs".
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import dagster as dg

from via_pipeline.defs.warehouse.resources import Warehouse

if TYPE_CHECKING:
    from via_pipeline.core.runs.records import RunTrace

RUN_RECORDS_SENSOR = "via_run_records_sensor"
# core/runs/dead_runs.py STARTED_BY_TAG, set to "cli" only by `via-pipeline run` (a test keeps
# them equal). Not `via/pid`: the dead-runs sensor adds that tag to launched runs too.
CLI_TAG = "via/started_by"
PARTITION_TAG = "dagster/partition"
BATCH = 50  # runs per tick: a first tick on a long history catches up over a few ticks


def _worker_pid(instance: dg.DagsterInstance, run_id: str) -> int:
    """The pid of the process that started the run (its RUN_START event), 0 when it never did."""
    records = instance.get_records_for_run(
        run_id, of_type=dg.DagsterEventType.RUN_START, limit=1
    ).records
    event = records[0].event_log_entry.dagster_event if records else None
    return int(event.pid) if event is not None and event.pid else 0


def _failure_cause(instance: dg.DagsterInstance, run_id: str) -> str:
    """The first failed step's own error, else the run failure's message, in one line."""
    from via_pipeline.core.runs.causes import root_cause_message

    records = instance.get_records_for_run(
        run_id, of_type={dg.DagsterEventType.STEP_FAILURE, dg.DagsterEventType.RUN_FAILURE}
    ).records
    run_message = ""
    for record in records:
        event = record.event_log_entry.dagster_event
        if event is None:
            continue
        if event.event_type == dg.DagsterEventType.STEP_FAILURE:
            error = event.step_failure_data.error
            cause = root_cause_message(error) if error else "unknown error"
            return f"step failed: {event.step_key}: {cause}"
        run_message = run_message or (event.message or "").strip()
    return f"run failed: {run_message or 'no error recorded'}"


def observed_trace(instance: dg.DagsterInstance, record: dg.RunRecord) -> RunTrace:
    """The run as quality.runs holds it. The host is this sensor's: the code server evaluates
    it, and the default run launcher runs each run in a subprocess of that code server."""
    from via_pipeline.core.runs.lease import this_host
    from via_pipeline.core.runs.records import RunTrace, launched_by

    run = record.dagster_run
    started = record.start_time
    return RunTrace(
        run_id=run.run_id,
        job_name=run.job_name,
        partition=run.tags.get(PARTITION_TAG),
        pid=_worker_pid(instance, run.run_id),
        host=this_host(),
        started_at=(
            datetime.fromtimestamp(started, UTC)
            if started is not None
            else record.create_timestamp.replace(tzinfo=UTC)
        ),
        started_by=launched_by(run.tags, CLI_TAG),
    )


def _cursor_after(records: list[dg.RunRecord], done: int) -> datetime | None:
    """The update time the next tick reads after: that of the last run handled, but never in
    the middle of runs sharing one update time that a full batch may have cut."""
    if done == 0:
        return None
    last = records[done - 1].update_timestamp
    if done == len(records) == BATCH:
        earlier = [r.update_timestamp for r in records[:done] if r.update_timestamp < last]
        return max(earlier) if earlier else last
    return last


@dg.sensor(
    name=RUN_RECORDS_SENSOR,
    description=(
        "Records every run of the Dagster instance in quality.runs (start, end, status, "
        "reporting year, who launched it); CLI runs record themselves."
    ),
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def via_run_records_sensor(
    context: dg.SensorEvaluationContext, warehouse: Warehouse
) -> dg.SensorResult | dg.SkipReason:
    from via_pipeline.core.runs.causes import exception_cause
    from via_pipeline.core.runs.records import (
        CANCELED_CAUSE,
        OBSERVED_STATUSES,
        RUNS_TABLE,
        record_observed_run,
    )

    after = datetime.fromisoformat(context.cursor) if context.cursor else None
    records = list(
        context.instance.get_run_records(
            filters=dg.RunsFilter(updated_after=after),
            limit=BATCH,
            order_by="update_timestamp",
            ascending=True,
        )
    )
    if not records:
        return dg.SkipReason("no run started or ended since the last tick")
    written = 0
    done = 0
    waiting = ""
    for record in records:
        run = record.dagster_run
        status = OBSERVED_STATUSES.get(run.status.value)
        if status is not None and run.tags.get(CLI_TAG) != "cli":
            cause = None
            if run.status == dg.DagsterRunStatus.CANCELED:
                cause = CANCELED_CAUSE
            elif status == "failed":
                cause = _failure_cause(context.instance, run.run_id)
            ended = (
                datetime.fromtimestamp(record.end_time, UTC)
                if record.end_time is not None and status != "started"
                else None
            )
            try:
                trace = observed_trace(context.instance, record)
                if record_observed_run(warehouse.migrated_store(), trace, status, ended, cause):
                    written += 1
            except Exception as error:  # DuckDB held by a run, PostgreSQL down: next tick
                waiting = (
                    f"; {len(records) - done} run(s) wait for the next tick, the warehouse "
                    f"cannot be written now: {exception_cause(error)}"
                )
                break
        done += 1
    cursor_after = _cursor_after(records, done)
    summary = f"{written} run(s) recorded in {RUNS_TABLE}{waiting}"
    return dg.SensorResult(
        skip_reason=summary,
        cursor=cursor_after.isoformat() if cursor_after is not None else context.cursor,
    )
