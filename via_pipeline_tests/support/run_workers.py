"""Run workers as Dagster starts them, so a test can SIGKILL one (and its code server).

`launch_through_code_server`: a code server (`dagster api grpc`, started by a workspace) loads
`defs` below and the instance's DefaultRunLauncher launches the run through it; the worker is a
child process of that code server, as in production. `start_worker`: the worker alone, started
as `dagster api execute_run` (what a launcher runs), with no code server.

The job's one asset writes 50 rows of cbs.observations under the warehouse lease, then, with
`hang`, writes its pid to the file named by VIA_TEST_READY_FILE and sleeps until killed.
"""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg

from via_pipeline.defs.jobs import WAREHOUSE_WRITER_TAGS
from via_pipeline.defs.warehouse.resources import Warehouse

READY_FILE_VARIABLE = "VIA_TEST_READY_FILE"


class WriterConfig(dg.Config):
    hang: bool = False


@dg.asset(name="dead_worker_probe")
def dead_worker_probe(config: WriterConfig, warehouse: Warehouse) -> None:
    from via_pipeline_tests.reliability.crash_writer import TABLE, observation_frame

    warehouse.migrated_store().replace(TABLE, observation_frame(1, 50))
    if config.hang:
        Path(os.environ[READY_FILE_VARIABLE]).write_text(str(os.getpid()), encoding="utf-8")
        time.sleep(600)


def writer_job() -> dg.JobDefinition:
    return dg.define_asset_job(
        "dead_worker_job",
        selection=[dead_worker_probe],
        tags=WAREHOUSE_WRITER_TAGS,
        executor_def=dg.in_process_executor,  # as the code location: the worker is the run
    ).resolve(
        asset_graph=dg.Definitions(
            assets=[dead_worker_probe], resources={"warehouse": Warehouse()}
        ).resolve_asset_graph()
    )


def start_worker(
    instance: dg.DagsterInstance, hang: bool, env: dict[str, str]
) -> tuple[str, subprocess.Popen[bytes]]:
    """Create a run of writer_job and start its worker process, as the DefaultRunLauncher would."""
    from dagster._grpc.types import ExecuteRunArgs
    from dagster._serdes import serialize_value

    recon = dg.reconstructable(writer_job)
    run = instance.create_run_for_job(
        job_def=recon.get_definition(),
        run_config={"ops": {"dead_worker_probe": {"config": {"hang": hang}}}},
        tags=WAREHOUSE_WRITER_TAGS,
        job_code_origin=recon.get_python_origin(),
        status=dg.DagsterRunStatus.STARTING,
    )
    args = ExecuteRunArgs(
        job_origin=recon.get_python_origin(), run_id=run.run_id, instance_ref=instance.get_ref()
    )
    command = [sys.executable, "-m", "dagster", "api", "execute_run", serialize_value(args)]
    worker = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: killed whole
    )
    return run.run_id, worker


# The same job as a code location, for a code server to load (and the DefaultRunLauncher to launch).
defs = dg.Definitions(
    assets=[dead_worker_probe],
    jobs=[
        dg.define_asset_job(
            "dead_worker_job",
            selection=[dead_worker_probe],
            tags=WAREHOUSE_WRITER_TAGS,
            executor_def=dg.in_process_executor,
        )
    ],
    resources={"warehouse": Warehouse()},
)


def parent_pid(pid: int) -> int:
    """Field 4 of /proc/<pid>/stat (after the parenthesised command name)."""
    stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    return int(stat[stat.rindex(")") + 1 :].split()[1])


@contextmanager
def launch_through_code_server(
    instance: dg.DagsterInstance, ready_file: Path, timeout: float = 120
) -> Iterator[tuple[str, int, int]]:
    """A hanging run of dead_worker_job launched by the instance's run launcher through a code
    server; yields (run id, worker pid, code server pid) once its step runs."""
    from dagster._core.workspace.context import WorkspaceProcessContext
    from dagster._core.workspace.load_target import ModuleTarget

    target = ModuleTarget(
        module_name=__name__,
        attribute="defs",
        working_directory=os.getcwd(),
        location_name="dead_workers",
    )
    with WorkspaceProcessContext(instance, target) as process_context:
        workspace = process_context.create_request_context()
        location = workspace.get_code_location("dead_workers")
        remote_job = location.get_repository("__repository__").get_full_job("dead_worker_job")
        run = instance.create_run_for_job(
            job_def=writer_job(),
            run_config={"ops": {"dead_worker_probe": {"config": {"hang": True}}}},
            tags=WAREHOUSE_WRITER_TAGS,
            remote_job_origin=remote_job.get_remote_origin(),
            job_code_origin=remote_job.get_python_origin(),
        )
        instance.launch_run(run.run_id, workspace)
        deadline = time.monotonic() + timeout
        while not ready_file.exists():
            if time.monotonic() > deadline:
                raise AssertionError(f"the launched run never reached its step: {run.run_id}")
            time.sleep(0.1)
        worker = int(ready_file.read_text(encoding="utf-8"))
        yield run.run_id, worker, parent_pid(worker)
