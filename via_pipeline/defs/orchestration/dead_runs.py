"""The dead-runs sensor: runs left STARTED or STARTING by a worker process that is gone.

Dagster's run monitoring cannot see them under the DefaultRunLauncher (it has no worker health
check; docs/deployment.md), so such a run held the `via/warehouse=write` slot for good and every
later writer stayed QUEUED. This sensor looks at every run in progress, however it was launched
(the CLI, the UI, the GraphQL API, schedules, sensors): the worker it recorded
(core/runs/dead_runs.py), if on this host and gone, makes the run FAILED through the instance
(`report_run_failed`, as Dagster's own run monitoring fails a run) and closed in quality.runs
(core/runs/records.py). The decisions are in core; this module only reads
the instance and acts on it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import dagster as dg

from via_pipeline.defs.warehouse.resources import Warehouse

if TYPE_CHECKING:
    from via_pipeline.core.runs.dead_runs import Worker

PARTITION_TAG = "dagster/partition"


def recorded_worker(instance: dg.DagsterInstance, run: dg.DagsterRun, host: str) -> Worker | None:
    """The run's worker from its tags, else (DefaultRunLauncher: this host) Dagster's engine event."""
    from via_pipeline.core.runs.dead_runs import Worker, launched_worker_pid, worker_from_tags

    worker = worker_from_tags(run.tags)
    if worker is not None or not isinstance(instance.run_launcher, dg.DefaultRunLauncher):
        return worker
    events = instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ENGINE_EVENT)
    pid = launched_worker_pid([event.message for event in events])
    return Worker(host=host, pid=pid) if pid else None


def close_dead_runs_of_instance(
    instance: dg.DagsterInstance, warehouse: Warehouse, say: Callable[[str], object] | None = None
) -> list[str]:
    """Fail the runs in progress whose worker on this host is gone; their run ids."""
    from datetime import UTC, datetime

    from via_pipeline.core.runs.dead_runs import (
        process_start_ticks,
        started_by,
        worker_is_gone,
        worker_tags,
    )
    from via_pipeline.core.runs.lease import this_host
    from via_pipeline.core.runs.records import RunTrace, dead_process_cause, record_dead_run

    host = this_host()
    records = instance.get_run_records(
        filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED])
    )
    closed: list[str] = []
    for record in records:
        run = record.dagster_run
        worker = recorded_worker(instance, run, host)
        if worker is None:
            continue
        if not worker_is_gone(worker, host):
            if worker.start_ticks is None and worker.host == host:
                # First seen alive: from now on a reused pid is told apart by its start.
                ticks = process_start_ticks(worker.pid)
                instance.add_run_tags(run.run_id, worker_tags(worker.pid, ticks, host))
            continue
        cause = dead_process_cause(worker.pid)
        started = record.start_time or record.create_timestamp.timestamp()
        trace = RunTrace(
            run_id=run.run_id,
            job_name=run.job_name,
            partition=run.tags.get(PARTITION_TAG),
            pid=worker.pid,
            host=worker.host,
            started_at=datetime.fromtimestamp(started, UTC),
            started_by=started_by(run.tags),
        )
        try:  # the warehouse first; a warehouse that is down must not keep the run STARTED
            record_dead_run(warehouse.migrated_store(), trace)
        except Exception as error:
            if say is not None:
                say(f"run {run.run_id} not closed in quality.runs: {error}")
        current = instance.get_run_by_id(run.run_id)
        if current is not None and not current.is_finished:
            instance.report_run_failed(current, message=cause)
            closed.append(run.run_id)
    return closed


@dg.sensor(
    name="dead_runs_sensor",
    description=(
        "Every minute: a run left STARTED or STARTING by a worker process of this machine that "
        "is gone (pid gone, or reused by another process) is marked FAILED and closed in "
        "quality.runs, so the runs queued behind it can go."
    ),
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def dead_runs_sensor(context: dg.SensorEvaluationContext, warehouse: Warehouse) -> dg.SkipReason:
    """Requests no runs; the tick says what it closed."""
    from via_pipeline.core.runs.lease import short_run_id

    closed = close_dead_runs_of_instance(context.instance, warehouse, context.log.error)
    if not closed:
        return dg.SkipReason("no run left by a process that is gone")
    for run_id in closed:
        context.log.info(f"run {run_id} was left by a process that is gone: FAILED")
    return dg.SkipReason(
        "marked FAILED (worker process gone): " + ", ".join(map(short_run_id, closed))
    )
