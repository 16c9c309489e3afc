"""Guards the run-failure sensor: a failed run lands in quality.run_failures on both engines and
is posted to the webhook; with no webhook, a webhook that is down, or a warehouse that is down,
the sensor still does the rest and never raises."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest

from via_pipeline.core.warehouse import WarehouseStore
from via_pipeline.defs.orchestration.resources import AlertWebhook
from via_pipeline.defs.orchestration.sensors import (
    default_automation_condition_sensor,
    run_failure_from_context,
    via_run_failure_sensor,
)
from via_pipeline.defs.partitions import reporting_year_partitions
from via_pipeline.defs.warehouse.resources import Warehouse
from via_pipeline_tests.support.webhook import SECRET_PATH, RecordingServer, recording_webhook

EPHEMERAL_JOB = "__ephemeral_asset_job__"  # the job name dg.materialize gives its run


@dg.asset(key=["cbs", "tables"], partitions_def=reporting_year_partitions)
def failing_cbs_tables() -> None:
    raise RuntimeError("CBS did not answer: read timeout after 30 s")


@dataclass(frozen=True)
class FailedRun:
    instance: dg.DagsterInstance
    run: dg.DagsterRun
    failure_event: dg.DagsterEvent


@pytest.fixture(scope="module")
def failed_run() -> FailedRun:
    """One run that failed for reporting year 2025, shared by the tests (a run takes seconds)."""
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize(
        [failing_cbs_tables], instance=instance, partition_key="2025", raise_on_error=False
    )
    assert not result.success
    [record] = instance.get_records_for_run(
        result.run_id, of_type=dg.DagsterEventType.RUN_FAILURE
    ).records
    run = instance.get_run_by_id(result.run_id)
    assert run is not None and record.event_log_entry.dagster_event is not None
    return FailedRun(instance, run, record.event_log_entry.dagster_event)


@pytest.fixture
def webhook_server() -> Iterator[RecordingServer]:
    with recording_webhook() as server:
        yield server


def failed_run_context(
    failed_run: FailedRun, resources: dict[str, object]
) -> dg.RunFailureSensorContext:
    return dg.build_run_status_sensor_context(
        sensor_name="via_run_failure_sensor",
        dagster_instance=failed_run.instance,
        dagster_run=failed_run.run,
        dagster_event=failed_run.failure_event,
        resources=resources,
    ).for_run_failure()


def evaluate_on_failed_run(
    failed_run: FailedRun, warehouse_url: str, webhook_url: str = "", times: int = 1
) -> str:
    """Evaluate the sensor on a fresh failed run; returns the run id."""
    resources = {
        "warehouse": Warehouse(url=warehouse_url),
        "alert_webhook": AlertWebhook(url=webhook_url),
    }
    # Entered as a context manager: the warehouse resource has a teardown.
    with failed_run_context(failed_run, resources) as context:
        for _ in range(times):
            via_run_failure_sensor(context)
        return context.dagster_run.run_id


def recorded_failures(url: str) -> list[dict[str, object]]:
    store = WarehouseStore(url)
    try:
        return store.read_table("quality.run_failures").to_dict("records")
    finally:
        store.dispose()


def test_failure_is_recorded_and_posted(
    failed_run: FailedRun, warehouse_url: str, webhook_server: RecordingServer
) -> None:
    run_id = evaluate_on_failed_run(failed_run, warehouse_url, webhook_server.url)

    [posted] = webhook_server.received
    assert posted["path"] == SECRET_PATH
    body = posted["body"]
    assert body["run_id"] == run_id
    assert body["job_name"] == EPHEMERAL_JOB
    assert body["partition"] == "2025"
    assert body["failed_steps"] == ["cbs__tables"]
    assert "CBS did not answer: read timeout after 30 s" in body["error"]
    assert body["text"].startswith(
        f"via_pipeline run {run_id} of {EPHEMERAL_JOB} for reporting year 2025 failed"
    )

    [row] = recorded_failures(warehouse_url)
    assert row["run_id"] == run_id
    assert row["job_name"] == EPHEMERAL_JOB
    assert row["partition"] == "2025"
    assert row["failed_steps"] == "cbs__tables"
    assert "CBS did not answer" in str(row["error_message"])
    assert bool(row["notified"]) is True


def test_second_evaluation_of_the_same_run_keeps_one_row(
    failed_run: FailedRun, duckdb_url: str
) -> None:
    evaluate_on_failed_run(failed_run, duckdb_url, times=2)
    assert len(recorded_failures(duckdb_url)) == 1


def test_without_webhook_the_failure_is_still_recorded(
    failed_run: FailedRun, duckdb_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VIA_ALERT_WEBHOOK_URL", raising=False)
    evaluate_on_failed_run(failed_run, duckdb_url)
    [row] = recorded_failures(duckdb_url)
    assert bool(row["notified"]) is False


def test_webhook_url_is_read_from_the_environment(
    failed_run: FailedRun,
    duckdb_url: str,
    webhook_server: RecordingServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VIA_ALERT_WEBHOOK_URL", webhook_server.url)
    evaluate_on_failed_run(failed_run, duckdb_url)
    assert len(webhook_server.received) == 1
    assert bool(recorded_failures(duckdb_url)[0]["notified"]) is True


def test_webhook_down_still_records(
    failed_run: FailedRun, duckdb_url: str, webhook_server: RecordingServer
) -> None:
    webhook_server.status = 503
    evaluate_on_failed_run(failed_run, duckdb_url, webhook_server.url)
    [row] = recorded_failures(duckdb_url)
    assert bool(row["notified"]) is False


def test_malformed_webhook_url_still_records(
    failed_run: FailedRun, duckdb_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIA_ALERT_WEBHOOK_URL", "file:///etc/passwd")
    evaluate_on_failed_run(failed_run, duckdb_url)
    [row] = recorded_failures(duckdb_url)
    assert bool(row["notified"]) is False


def test_warehouse_down_still_alerts(
    failed_run: FailedRun, tmp_path: Path, webhook_server: RecordingServer
) -> None:
    # A directory where the DuckDB file should be: the warehouse cannot open.
    blocked = tmp_path / "blocked.duckdb"
    blocked.mkdir()
    evaluate_on_failed_run(failed_run, f"duckdb:///{blocked}", webhook_server.url)
    assert len(webhook_server.received) == 1


def test_failure_record_names_partition_and_step(failed_run: FailedRun) -> None:
    failure = run_failure_from_context(failed_run_context(failed_run, {}))
    assert failure.partition == "2025"
    assert failure.failed_steps == ("cbs__tables",)
    assert "CBS did not answer: read timeout after 30 s" in failure.error_message


def test_sensors_start_running_and_automation_runs_are_warehouse_writers() -> None:
    assert default_automation_condition_sensor.name == "default_automation_condition_sensor"
    assert default_automation_condition_sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert default_automation_condition_sensor.run_tags == {"via/warehouse": "write"}
    assert via_run_failure_sensor.default_status == dg.DefaultSensorStatus.RUNNING
