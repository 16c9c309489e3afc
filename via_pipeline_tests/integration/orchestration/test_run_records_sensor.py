"""Guards the run records sensor: every run of the instance reaches quality.runs as it stands,
with who launched it; CLI runs keep their own rows; a warehouse that cannot be written (DuckDB
held by a run) loses nothing, the runs wait for the next tick."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest
from dagster._core.test_utils import create_run_for_test

from via_pipeline.core.runs.dead_runs import HOST_TAG, PID_TAG, STARTED_BY_TAG
from via_pipeline.core.runs.records import CANCELED_CAUSE, RunTrace, record_run_started
from via_pipeline.core.warehouse import WarehouseStore
from via_pipeline.defs.orchestration import run_records
from via_pipeline.defs.orchestration.run_records import CLI_TAG, via_run_records_sensor
from via_pipeline.defs.partitions import reporting_year_partitions
from via_pipeline.defs.warehouse.resources import Warehouse


@dg.asset(key=["partners", "submissions"], partitions_def=reporting_year_partitions)
def intake_stand_in() -> None:
    return None


@dg.asset(key=["cbs", "tables"])
def failing_cbs_tables() -> None:
    raise RuntimeError("CBS did not answer: read timeout after 30 s")


def tick(
    instance: dg.DagsterInstance, url: str, cursor: str | None
) -> dg.SensorResult | dg.SkipReason:
    with dg.build_sensor_context(
        instance=instance, cursor=cursor, resources={"warehouse": Warehouse(url=url)}
    ) as context:
        result = via_run_records_sensor(context)
    assert isinstance(result, (dg.SensorResult, dg.SkipReason))
    return result


def rows(url: str) -> pd.DataFrame:
    store = WarehouseStore(url)
    try:
        return store.read_table("quality.runs").set_index("run_id")
    finally:
        store.dispose()


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as test_instance:
        yield test_instance


def test_the_sensor_knows_the_clis_tag() -> None:
    assert CLI_TAG == STARTED_BY_TAG


def test_runs_of_every_launcher_are_recorded_once_with_their_outcome(
    instance: dg.DagsterInstance, warehouse_url: str
) -> None:
    scheduled = dg.materialize(
        [intake_stand_in],
        instance=instance,
        partition_key="2023",
        # The dead-runs sensor tags a launched run's worker: it stays a run to record.
        tags={
            "dagster/schedule_name": "via_yearly_build_schedule",
            PID_TAG: "4243",
            HOST_TAG: "code-server-host",
        },
    )
    failed = dg.materialize([failing_cbs_tables], instance=instance, raise_on_error=False)
    sensed = dg.materialize(
        [intake_stand_in],
        instance=instance,
        partition_key="2024",
        tags={"dagster/sensor_name": "partners_inbox_sensor"},
    )
    cli = dg.materialize(
        [intake_stand_in],
        instance=instance,
        partition_key="2022",
        tags={STARTED_BY_TAG: "cli", PID_TAG: "4242"},
    )
    never_started = create_run_for_test(
        instance, job_name="via_yearly_build_job", status=dg.DagsterRunStatus.NOT_STARTED
    )
    instance.report_run_canceled(never_started)

    first = tick(instance, warehouse_url, None)
    assert isinstance(first, dg.SensorResult)
    assert first.skip_reason is not None
    assert first.skip_reason.skip_message == "4 run(s) recorded in quality.runs"
    table = rows(warehouse_url)
    assert cli.run_id not in table.index  # the CLI records its runs itself
    assert table.loc[scheduled.run_id, ["status", "partition", "started_by"]].tolist() == [
        "succeeded",
        "2023",
        "schedule:via_yearly_build_schedule",
    ]
    assert table.loc[sensed.run_id, "started_by"] == "sensor:partners_inbox_sensor"
    assert table.loc[failed.run_id, ["status", "started_by", "cause"]].tolist() == [
        "failed",
        "ui",
        "step failed: cbs__tables: CBS did not answer: read timeout after 30 s",
    ]
    assert table.loc[never_started.run_id, ["job_name", "status", "cause"]].tolist() == [
        "via_yearly_build_job",
        "failed",
        CANCELED_CAUSE,
    ]
    ran = table.loc[scheduled.run_id]
    assert ran.pid > 0 and pd.notna(ran.started_at) and ran.ended_at >= ran.started_at
    assert pd.isna(table.loc[scheduled.run_id, "cause"])

    second = tick(instance, warehouse_url, first.cursor)
    assert isinstance(second, dg.SkipReason)
    assert second.skip_message == "no run started or ended since the last tick"


def test_a_started_run_is_recorded_and_closed_when_it_ends(
    instance: dg.DagsterInstance, duckdb_url: str
) -> None:
    run = create_run_for_test(
        instance,
        job_name="partners_submission_job",
        status=dg.DagsterRunStatus.STARTED,
        tags={"dagster/partition": "2022"},
    )
    first = tick(instance, duckdb_url, None)
    assert isinstance(first, dg.SensorResult)
    row = rows(duckdb_url).loc[run.run_id]
    assert (row.status, row.partition, row.started_by) == ("started", "2022", "ui")
    assert pd.isna(row.ended_at)

    instance.report_run_failed(run, message="process 4242 for run ended without finishing")
    second = tick(instance, duckdb_url, first.cursor)
    assert isinstance(second, dg.SensorResult)
    row = rows(duckdb_url).loc[run.run_id]
    assert (row.status, row.cause) == (
        "failed",
        "run failed: process 4242 for run ended without finishing",
    )


def test_a_cli_row_is_left_as_the_cli_wrote_it_even_without_the_tag(
    instance: dg.DagsterInstance, duckdb_url: str
) -> None:
    """An older CLI run (or one whose tags were lost) still has its own row: kept."""
    result = dg.materialize([intake_stand_in], instance=instance, partition_key="2023")
    store = WarehouseStore(duckdb_url)
    store.migrate()
    record = instance.get_run_record_by_id(result.run_id)
    assert record is not None
    record_run_started(
        store,
        RunTrace(result.run_id, "via_yearly_build_job", "2023", 77, "vm", record.create_timestamp),
    )
    store.dispose()
    outcome = tick(instance, duckdb_url, None)
    assert isinstance(outcome, dg.SensorResult)
    assert outcome.skip_reason is not None
    assert outcome.skip_reason.skip_message == "0 run(s) recorded in quality.runs"
    row = rows(duckdb_url).loc[result.run_id]
    assert (row.status, row.started_by, row.pid) == ("started", "cli", 77)


HOLD_DUCKDB = """
import sys, duckdb
connection = duckdb.connect(sys.argv[1])
print("held", flush=True)
sys.stdin.read()
"""


def test_a_warehouse_held_by_a_run_loses_no_run(
    instance: dg.DagsterInstance, tmp_path: Path
) -> None:
    """DuckDB cannot be opened while a run holds it: the cursor stays, the next tick records."""
    path = tmp_path / "warehouse.duckdb"
    url = f"duckdb:///{path}"
    WarehouseStore(url).migrate()
    result = dg.materialize([intake_stand_in], instance=instance, partition_key="2023")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_DUCKDB, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
        busy = tick(instance, url, None)
    finally:
        holder.communicate(b"", timeout=10)
    assert isinstance(busy, dg.SensorResult)
    assert busy.cursor is None  # nothing passed by
    assert busy.skip_reason is not None
    message = busy.skip_reason.skip_message or ""
    assert message.startswith(
        "0 run(s) recorded in quality.runs; 1 run(s) wait for the next tick, the warehouse "
        "cannot be written now: "
    )
    assert f"the warehouse is locked by process {holder.pid}" in message
    later = tick(instance, url, busy.cursor)
    assert isinstance(later, dg.SensorResult)
    assert rows(url).loc[result.run_id, "status"] == "succeeded"


def test_a_long_history_is_caught_up_over_ticks(
    instance: dg.DagsterInstance, duckdb_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(run_records, "BATCH", 2)
    run_ids = [
        dg.materialize([intake_stand_in], instance=instance, partition_key=year).run_id
        for year in ("2022", "2023", "2024")
    ]
    cursor = None
    for _ in range(4):
        result = tick(instance, duckdb_url, cursor)
        if isinstance(result, dg.SkipReason):
            break
        cursor = result.cursor
    assert isinstance(result, dg.SkipReason)
    table = rows(duckdb_url)
    assert sorted(table.index) == sorted(run_ids)
    assert set(table["status"]) == {"succeeded"}


def test_the_sensor_runs_by_default_in_the_code_location() -> None:
    from via_pipeline.definitions import defs

    sensor = defs.get_repository_def().get_sensor_def("via_run_records_sensor")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert sensor.minimum_interval_seconds == 30
