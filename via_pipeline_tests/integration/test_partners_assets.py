"""Guards the partner assets materialised through Dagster: the year's inbox intake, reruns, replay,
the registry table, and the blocking Great Expectations check on partners.actions.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from via_pipeline.core.partners.archive import sha256_of
from via_pipeline.core.warehouse import WarehouseStore
from via_pipeline.defs.partners.assets import ACTIONS_KEY, partners_intake, partners_registry
from via_pipeline.defs.partners.resources import Inbox
from via_pipeline.defs.warehouse.resources import Warehouse
from via_pipeline_tests.support.partners import HEADER, csv_bytes, drop_in_inbox, valid_rows


def materialize(
    warehouse_url: str, assets: list, partition: str = "2023", run_config: dict | None = None
) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        assets,
        resources={"warehouse": Warehouse(url=warehouse_url), "inbox": Inbox()},
        instance=dg.DagsterInstance.ephemeral(),
        partition_key=partition,
        run_config=run_config,
        raise_on_error=False,
    )


def metadata_of(result: dg.ExecuteInProcessResult, key: list[str]) -> dict[str, object]:
    (event,) = [
        e for e in result.get_asset_materialization_events() if e.asset_key == dg.AssetKey(key)
    ]
    return {name: value.value for name, value in event.materialization.metadata.items()}


@pytest.mark.slow
def test_intake_takes_in_the_years_inbox_files_once(
    warehouse_url: str, offline_environment: Path
) -> None:
    inbox = offline_environment / "inbox"
    good = csv_bytes(valid_rows("abu", 2023, 3))
    bad_rows = valid_rows("fnv", 2023, 1)
    bad_rows[0][HEADER.index("thema")] = "onbekend"
    bad = csv_bytes(bad_rows)
    drop_in_inbox(inbox, "abu_2023.csv", good)
    drop_in_inbox(inbox, "fnv_2023.csv", bad)
    drop_in_inbox(inbox, "abu_2022.csv", csv_bytes(valid_rows("abu", 2022)))

    first = materialize(warehouse_url, [partners_registry, partners_intake])
    assert first.success
    submissions = metadata_of(first, ["partners", "submissions"])
    assert (
        submissions["files_accepted"],
        submissions["files_rejected"],
        submissions["files_skipped"],
    ) == (1, 1, 0)
    assert metadata_of(first, ["partners", "actions"])["dagster/row_count"] == 3
    assert metadata_of(first, ["partners", "registry"])["dagster/row_count"] == 21
    rejections = metadata_of(first, ["partners", "rejections"])
    assert rejections["dagster/row_count"] == 1
    feedback_name = f"fnv_2023_{sha256_of(bad)[:8]}.xlsx"
    assert rejections[f"file:{feedback_name}"] == str(
        offline_environment / "feedback" / feedback_name
    )
    (check,) = first.get_asset_check_evaluations()
    assert (check.check_name, check.passed) == ("actions_meet_submission_suite", True)
    archived = sorted(p.name for p in (offline_environment / "archive").iterdir())
    assert archived == sorted(
        [f"{sha256_of(good)}.csv", f"{sha256_of(bad)}.csv"]
    )  # not the 2022 file

    store = WarehouseStore(warehouse_url)
    assert store.count("partners.registry") == 21
    assert (
        store.count("quality.validation_results", {"check_name": "actions_meet_submission_suite"})
        > 0
    )

    again = materialize(warehouse_url, [partners_intake])
    submissions = metadata_of(again, ["partners", "submissions"])
    assert (
        submissions["files_accepted"],
        submissions["files_rejected"],
        submissions["files_skipped"],
    ) == (0, 0, 2)
    assert store.count("partners.submissions") == 2

    replayed = materialize(
        warehouse_url,
        [partners_intake],
        run_config={"ops": {"partners_intake": {"config": {"replay": [sha256_of(bad)[:10]]}}}},
    )
    submissions = metadata_of(replayed, ["partners", "submissions"])
    assert (
        submissions["files_accepted"],
        submissions["files_rejected"],
        submissions["files_skipped"],
    ) == (0, 1, 0)
    assert store.count("partners.rejections") == 1  # replaced, not doubled
    store.dispose()


@pytest.mark.slow
def test_failing_suite_blocks_what_reads_the_actions(duckdb_url: str) -> None:
    """A row that slipped into partners.actions outside the intake fails the check and stops downstream."""
    store = WarehouseStore(duckdb_url)
    store.migrate()
    with store.transaction() as conn:
        conn.exec_driver_sql(
            "INSERT INTO partners.actions (partner_id, reporting_year, action_id, theme, title, status, "
            "people_reached, source_row, submission_sha256) VALUES "
            "('nobody', 2023, 'X1', 'onbekend', 'Handmatig', 'lopend', 5, 2, 'manual')"
        )
    store.dispose()

    @dg.asset(deps=[ACTIONS_KEY], partitions_def=partners_intake.partitions_def)
    def reads_actions() -> None:
        """Stands for the letter assets."""

    result = materialize(duckdb_url, [partners_intake, reads_actions])
    (check,) = result.get_asset_check_evaluations()
    assert (check.check_name, check.passed) == ("actions_meet_submission_suite", False)
    failures = str(check.metadata["failures"].value)
    assert "partner_id" in failures and "theme" in failures
    named = str(check.metadata["failing_rows"].value)
    assert (
        "- (onbekend bestand) (partner nobody): rij 2 breken unknown_partner (partner_id)" in named
    )
    assert "- (onbekend bestand) (partner nobody): rij 2 breken unknown_theme (thema)" in named
    materialised = {e.asset_key for e in result.get_asset_materialization_events()}
    assert dg.AssetKey("reads_actions") not in materialised
    assert not result.success


@pytest.mark.slow
def test_sensor_request_takes_in_the_bytes_the_sensor_archived(
    duckdb_url: str, offline_environment: Path
) -> None:
    """The partner overwrites the file after the sensor saw it: the run still takes in what was seen."""
    from via_pipeline.defs.partners.sensors import partners_inbox_sensor

    seen = csv_bytes(valid_rows("abu", 2023, 2))
    drop_in_inbox(offline_environment / "inbox", "abu_2023.csv", seen)
    result = partners_inbox_sensor(
        dg.build_sensor_context(
            instance=dg.DagsterInstance.ephemeral(), resources={"inbox": Inbox()}
        )
    )
    assert isinstance(result, dg.SensorResult)
    (request,) = result.run_requests or []
    drop_in_inbox(
        offline_environment / "inbox", "abu_2023.csv", csv_bytes(valid_rows("abu", 2023, 5))
    )

    run = materialize(
        duckdb_url, [partners_intake], request.partition_key or "", request.run_config
    )
    assert run.success
    store = WarehouseStore(duckdb_url)
    assert store.read("SELECT sha256, action_count FROM partners.submissions").values.tolist() == [
        [sha256_of(seen), 2]
    ]
    store.dispose()
