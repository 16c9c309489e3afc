"""Guards the jobs the schedules and sensors launch, on the real code location: in the yearly
build every asset reports row count, column schema and a preview (or its files); afterwards the
automation asks for nothing more until an input changes, and then rebuilds monitor.* and the
running year's letter; the CBS refresh and partner jobs run offline."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import dagster as dg
import pytest

from via_pipeline.definitions import defs

pytestmark = pytest.mark.slow

# The yearly schedule builds the running year (the latest partition, the only one automation
# looks after); this build has no partner files, as early in a year.
YEAR = str(datetime.now(UTC).year)
TABLE_METADATA = ("warehouse_table", "dagster/row_count", "dagster/column_schema", "preview")


@dataclass(frozen=True)
class Build:
    instance: dg.DagsterInstance
    result: dg.ExecuteInProcessResult
    automation_cursor: Any  # where the automation stood just before the build


def requested_keys(result: dg.EvaluateAutomationConditionsResult) -> set[str]:
    return {
        key.to_user_string()
        for key in defs.resolve_asset_graph().materializable_asset_keys
        if result.get_num_requested(key) > 0
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """One yearly build on the bundled CBS snapshot, shared by the tests below."""
    tmp = tmp_path_factory.mktemp("yearly_build")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("VIA_DATA_DIR", str(tmp / "data"))
        patch.setenv("VIA_CBS_SOURCE", "snapshot")
        patch.setenv("VIA_WAREHOUSE_URL", f"duckdb:///{tmp / 'warehouse.duckdb'}")
        instance = dg.DagsterInstance.ephemeral()
        # The daemon's first look at an empty instance: nothing can be built (inputs missing).
        before = dg.evaluate_automation_conditions(defs=defs, instance=instance)
        assert requested_keys(before) == set()
        result = defs.resolve_job_def("via_yearly_build_job").execute_in_process(
            instance=instance, partition_key=YEAR, raise_on_error=False
        )
    return Build(instance, result, before.cursor)


def test_yearly_build_succeeds(built: Build) -> None:
    failures = [event.step_key for event in built.result.get_step_failure_events()]
    assert built.result.success, f"failed steps: {failures}"


def test_every_asset_reports_rows_schema_and_preview(built: Build) -> None:
    materialized = {
        event.materialization.asset_key.to_user_string(): event.materialization.metadata
        for event in built.result.get_asset_materialization_events()
    }
    expected = {
        key.to_user_string() for key in defs.resolve_asset_graph().materializable_asset_keys
    }
    assert set(materialized) == expected
    for name, metadata in materialized.items():
        if "warehouse_table" in metadata:
            missing = [key for key in TABLE_METADATA if key not in metadata]
            assert not missing, f"{name} lacks {missing}"
            assert metadata["dagster/row_count"].value >= 0
            assert str(metadata["preview"].value).strip(), f"{name}: empty preview"
        else:
            files = [key for key in metadata if key.startswith("file:")]
            assert files, f"{name} reports neither a warehouse table nor files"


# The unpartitioned monitor tables (full history), the quarterly ones of issue 24 included.
MONITOR_ASSETS = {
    "monitor/indicators",
    "monitor/gaps",
    "monitor/trends",
    "monitor/quarterly_indicators",
    "monitor/quarterly_gaps",
}


def test_automation_asks_for_nothing_after_the_build_then_follows_cbs(built: Build) -> None:
    instance = built.instance
    quiet = dg.evaluate_automation_conditions(
        defs=defs, instance=instance, cursor=built.automation_cursor
    )
    assert requested_keys(quiet) == set()

    # CBS is refreshed (as the weekly job does): the monitor tables follow in one evaluation,
    # and the letter tables of the running year only; no partner or CBS asset is requested.
    instance.report_runless_asset_event(dg.AssetMaterialization(asset_key=["cbs", "observations"]))
    after = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=quiet.cursor)
    requested = requested_keys(after)
    assert requested >= MONITOR_ASSETS
    assert {name.split("/")[0] for name in requested} <= {"monitor", "letter"}
    for name in requested - MONITOR_ASSETS:
        partitions = set(after.get_requested_partitions(dg.AssetKey.from_user_string(name)))
        assert partitions == {YEAR}, f"{name}: {partitions}"


@pytest.mark.parametrize(
    ("job_name", "partition", "expected"),
    [
        (
            "cbs_refresh_job",
            None,
            {
                "cbs/tables",
                "cbs/observations",
                *MONITOR_ASSETS,
            },
        ),
        (
            "partners_submission_job",
            "2024",
            {
                "partners/registry",
                "partners/submissions",
                "partners/actions",
                "partners/rejections",
            },
        ),
    ],
)
def test_scheduled_and_sensor_jobs_run_offline(
    job_name: str, partition: str | None, expected: set[str]
) -> None:
    # offline_environment (conftest): VIA_DATA_DIR in tmp, the CBS snapshot, an empty inbox.
    result = defs.resolve_job_def(job_name).execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), partition_key=partition, raise_on_error=False
    )
    assert result.success
    assert {
        event.materialization.asset_key.to_user_string()
        for event in result.get_asset_materialization_events()
    } == expected
