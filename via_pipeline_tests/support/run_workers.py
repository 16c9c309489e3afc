"""Run workers started as a run launcher starts them (`dagster api execute_run`), so a test can
SIGKILL one: no CLI process, no code server, the worker alone with the run's persistent instance.

The job's one asset writes 50 rows of cbs.observations under the warehouse lease, then, with
`hang`, writes its pid to the file named by VIA_TEST_READY_FILE and sleeps until killed.
"""

import os
import subprocess
import sys
import time
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
