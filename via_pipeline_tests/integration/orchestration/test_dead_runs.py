"""A run launched through a code server by the DefaultRunLauncher, whose worker and code server
are SIGKILLed, stays STARTED in Dagster; the dead-runs sensor marks it FAILED, closes it in
quality.runs, and the next writer run goes; on both engines."""

import os
import signal
import subprocess
import time
from pathlib import Path

import dagster as dg
import pytest
import yaml

from via_pipeline.core.runs.dead_runs import (
    HOST_TAG,
    PID_TAG,
    START_TICKS_TAG,
    process_start_ticks,
)
from via_pipeline.core.runs.lease import short_run_id, this_host
from via_pipeline.core.runs.records import RUNS_TABLE, dead_process_cause
from via_pipeline.core.settings.paths import REPO_ROOT
from via_pipeline.core.warehouse import WarehouseStore
from via_pipeline.defs.jobs import WAREHOUSE_WRITER_TAGS
from via_pipeline.defs.orchestration.dead_runs import dead_runs_sensor
from via_pipeline.defs.warehouse.resources import Warehouse
from via_pipeline_tests.support.run_workers import (
    READY_FILE_VARIABLE,
    launch_through_code_server,
    start_worker,
)

pytestmark = pytest.mark.slow


def instance_at(home: Path) -> dg.DagsterInstance:
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    return dg.DagsterInstance.get()  # DAGSTER_HOME is `home` (conftest)


def tick(instance: dg.DagsterInstance, url: str) -> str:
    resources = {"warehouse": Warehouse(url=url)}
    with dg.build_sensor_context(instance=instance, resources=resources) as context:
        result = dead_runs_sensor(context)
    assert isinstance(result, dg.SkipReason)
    return str(result.skip_message)


def wait_gone(pid: int, timeout: float = 30) -> None:
    """Until the SIGKILLed process has ended (a zombie counts: it runs no more)."""
    deadline = time.monotonic() + timeout
    while process_start_ticks(pid) is not None:
        assert time.monotonic() < deadline, f"process {pid} still there"
        time.sleep(0.05)


def writer_would_be_dequeued(instance: dg.DagsterInstance) -> bool:
    """Whether the queue daemon would start a queued writer run now: Dagster's own counter of
    deploy/dagster.yaml's tag limits over the runs in progress, as the daemon builds it."""
    from dagster._core.storage.dagster_run import IN_PROGRESS_RUN_STATUSES
    from dagster._utils.tags import TagConcurrencyLimitsCounter

    config = yaml.safe_load((REPO_ROOT / "deploy" / "dagster.yaml").read_text(encoding="utf-8"))
    limits = config["concurrency"]["runs"]["tag_concurrency_limits"]
    in_progress = instance.get_runs(dg.RunsFilter(statuses=IN_PROGRESS_RUN_STATUSES))
    queued = dg.DagsterRun(job_name="dead_worker_job", tags=WAREHOUSE_WRITER_TAGS)
    return not TagConcurrencyLimitsCounter(limits, list(in_progress)).is_blocked(queued)


def worker_errors(worker: subprocess.Popen[bytes]) -> str:
    assert worker.stderr is not None
    return worker.stderr.read().decode()[-2000:]


def test_a_killed_worker_is_marked_failed_recorded_and_the_next_run_goes(
    warehouse_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    instance = instance_at(Path(os.environ["DAGSTER_HOME"]))
    ready = tmp_path / "ready"
    env = {**os.environ, "VIA_WAREHOUSE_URL": warehouse_url, READY_FILE_VARIABLE: str(ready)}
    for name in ("VIA_WAREHOUSE_URL", READY_FILE_VARIABLE):  # the code server inherits them
        monkeypatch.setenv(name, env[name])
    with launch_through_code_server(instance, ready) as (run_id, worker, code_server):
        try:
            # Alive: left running, its start recorded so a reused pid cannot pass for it later.
            assert tick(instance, warehouse_url) == "no run left by a process that is gone"
            run = instance.get_run_by_id(run_id)
            assert run is not None and run.status == dg.DagsterRunStatus.STARTED
            assert run.tags[HOST_TAG] == this_host() and run.tags[PID_TAG] == str(worker)
            assert run.tags[START_TICKS_TAG] == str(process_start_ticks(worker))
            assert not writer_would_be_dequeued(instance)
        finally:
            os.kill(worker, signal.SIGKILL)
            os.kill(code_server, signal.SIGKILL)
        wait_gone(worker)
        wait_gone(code_server)
        time.sleep(1)
        run = instance.get_run_by_id(run_id)
        assert (
            run is not None and run.status == dg.DagsterRunStatus.STARTED
        )  # Dagster alone: for good

    assert tick(instance, warehouse_url) == (
        f"marked FAILED (worker process gone): {short_run_id(run_id)}"
    )
    run = instance.get_run_by_id(run_id)
    assert run is not None and run.status == dg.DagsterRunStatus.FAILURE
    [failure] = instance.all_logs(run_id, of_type=dg.DagsterEventType.RUN_FAILURE)
    assert failure.message == dead_process_cause(worker)
    store = WarehouseStore(warehouse_url)
    rows = store.read_table(RUNS_TABLE, {"run_id": run_id})
    failures = store.read_table("quality.run_failures", {"run_id": run_id})
    store.dispose()
    assert rows[["job_name", "status", "cause", "started_by", "pid", "host"]].to_dict(
        "records"
    ) == [
        {
            "job_name": "dead_worker_job",
            "status": "failed",
            "cause": dead_process_cause(worker),
            "started_by": "ui",
            "pid": worker,
            "host": this_host(),
        }
    ]
    assert list(failures["error_message"]) == [dead_process_cause(worker)]
    assert tick(instance, warehouse_url) == "no run left by a process that is gone"

    # Nothing holds the via/warehouse=write slot any more: the next writer starts and succeeds.
    assert writer_would_be_dequeued(instance)
    next_id, next_worker = start_worker(instance, hang=False, env=env)
    assert next_worker.wait(120) == 0, worker_errors(next_worker)
    finished = instance.get_run_by_id(next_id)
    assert finished is not None and finished.status == dg.DagsterRunStatus.SUCCESS
