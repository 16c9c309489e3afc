"""A run launched through the webserver's GraphQL API ends up in quality.runs (issue 26, item 5).

The webserver of test_webserver_graphql.py (PostgreSQL instance storage, no daemon, so no queue)
launches warehouse_migrate_job; the run records sensor is then evaluated in this process on the
same instance, as the daemon would every 30 s.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from via_pipeline.core.warehouse import WarehouseStore
from via_pipeline.defs.orchestration.run_records import via_run_records_sensor
from via_pipeline.defs.warehouse.resources import Warehouse
from via_pipeline_tests.e2e.test_webserver_graphql import (  # the fixtures, by name
    FINISHED,
    LAUNCH_RUN_MUTATION,
    LOCATION_NAME,
    REPOSITORY_NAME,
    RUN_STATUS_QUERY,
    RUN_TIMEOUT_SECONDS,
    SMALL_JOB,
    graphql,
    wait_for_code_location,
    warehouse_file,  # noqa: F401
    webserver,  # noqa: F401
)

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.slow]


def launch_and_wait(base_url: str) -> str:
    launched = graphql(
        base_url,
        LAUNCH_RUN_MUTATION,
        {
            "executionParams": {
                "selector": {
                    "repositoryLocationName": LOCATION_NAME,
                    "repositoryName": REPOSITORY_NAME,
                    "jobName": SMALL_JOB,
                },
                "runConfigData": {},
            }
        },
    )["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    run_id = str(launched["run"]["runId"])
    deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
    status = launched["run"]["status"]
    while status not in FINISHED:
        assert time.monotonic() < deadline, f"run {run_id} still {status}"
        time.sleep(0.5)
        status = graphql(base_url, RUN_STATUS_QUERY, {"runId": run_id})["runOrError"]["status"]
    assert status == "SUCCESS"
    return run_id


def test_a_run_launched_through_graphql_is_in_quality_runs(
    webserver: str,  # noqa: F811
    warehouse_file: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    wait_for_code_location(webserver)
    run_id = launch_and_wait(webserver)
    url = f"duckdb:///{warehouse_file}"

    # The webserver's instance (its dagster.yaml under the test's DAGSTER_HOME)
    with dg.DagsterInstance.from_config(str(tmp_path / "dagster_home")) as instance:
        with dg.build_sensor_context(
            instance=instance, resources={"warehouse": Warehouse(url=url)}
        ) as context:
            result = via_run_records_sensor(context)
        assert isinstance(result, dg.SensorResult)
        assert result.skip_reason is not None
        assert result.skip_reason.skip_message == "1 run(s) recorded in quality.runs"
        record = instance.get_run_record_by_id(run_id)
        assert record is not None and record.start_time and record.end_time

    store = WarehouseStore(url)
    try:
        rows = store.read_table("quality.runs")
    finally:
        store.dispose()
    assert rows["run_id"].tolist() == [run_id]
    row = rows.iloc[0]
    assert (row.job_name, row.status, row.started_by) == (SMALL_JOB, "succeeded", "ui")
    assert pd.isna(row.partition) and pd.isna(row.cause)
    # the run's own process: a subprocess of the code server, not this test
    assert row.pid > 0 and row.pid != os.getpid()
    started = pd.Timestamp(record.start_time, unit="s")
    assert abs((pd.Timestamp(row.started_at) - started).total_seconds()) < 0.01
    assert row.ended_at >= row.started_at
