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
from via_pipeline_tests.support.partners import (
    HEADER,
    csv_bytes,
    drop_in_inbox,
    numbered_rows,
    valid_rows,
)


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


def run_logged(
    warehouse_url: str, partition: str, inbox: Inbox | None = None
) -> tuple[dg.ExecuteInProcessResult, list[str]]:
    """A year's intake and the lines it logged (what `via-pipeline run` prints)."""
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize(
        [partners_intake],
        resources={"warehouse": Warehouse(url=warehouse_url), "inbox": inbox or Inbox()},
        instance=instance,
        partition_key=partition,
        raise_on_error=False,
    )
    lines = [entry.user_message for entry in instance.all_logs(result.run_id) if entry.user_message]
    return result, lines


@pytest.mark.slow
def test_each_inbox_entry_is_handled_on_its_own(
    duckdb_url: str, offline_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Findings 4, 6 and 7 in one inbox, as a coordinator leaves it."""
    from via_pipeline.core.partners.inbox import UnreadableInboxFile
    from via_pipeline.defs.partners import assets

    inbox = offline_environment / "inbox"
    abu = csv_bytes(numbered_rows("abu", 2023, 3), delimiter=";")
    drop_in_inbox(inbox, "abu_2023.csv", abu)
    drop_in_inbox(inbox, "awvn_2024.csv", csv_bytes(numbered_rows("awvn", 2024, 2)))
    drop_in_inbox(inbox, "fnv_2023 (1).csv", csv_bytes(numbered_rows("fnv", 2023, 2)))
    (inbox / "vng_2023.csv").mkdir()
    (inbox / "sbb_2023.csv").symlink_to(offline_environment)
    with (inbox / "uwv_2023.csv").open("wb") as stream:
        stream.write(b"partner_id;verslagjaar;actie_id\n")
        stream.truncate(11 * 1024 * 1024)  # over the 10 MiB limit
    real_read = assets.read_inbox_file
    reads: list[str] = []

    def unreadable_awvn(found, archive_dir, max_file_bytes):  # type: ignore[no-untyped-def]
        reads.append(found.file_name)
        if found.file_name == "awvn_2024.csv":
            raise UnreadableInboxFile(PermissionError(13, "Permission denied"))
        return real_read(found, archive_dir, max_file_bytes)

    monkeypatch.setattr(assets, "read_inbox_file", unreadable_awvn)

    # The 2022 run sees the browser's second download first and rejects it with feedback.
    early, early_lines = run_logged(duckdb_url, "2022")
    assert early.success
    assert reads == ["fnv_2023 (1).csv"]
    store = WarehouseStore(duckdb_url)
    assert rows_of_sql(
        store, "SELECT file_name, reporting_year, status FROM partners.submissions"
    ) == [("fnv_2023 (1).csv", None, "rejected")]
    assert "vng_2023.csv: overgeslagen: map, geen bestand" in early_lines
    assert (
        "sbb_2023.csv: overgeslagen: symbolische koppeling (zet het bestand zelf in de inbox)"
        in early_lines
    )

    # The 2023 run takes abu in, rejects the oversize file unread, and never opens awvn_2024.
    reads.clear()
    run, lines = run_logged(duckdb_url, "2023")
    assert run.success
    # fnv's second download is hashed to see it was recorded; awvn_2024 is not this run's.
    assert sorted(reads) == ["abu_2023.csv", "fnv_2023 (1).csv", "uwv_2023.csv"]
    assert store.count("partners.rejections", {"file_name": "fnv_2023 (1).csv"}) == 1
    assert not any("awvn" in line for line in lines)
    (too_large,) = store.read(
        "SELECT rule, value FROM partners.rejections WHERE file_name = 'uwv_2023.csv'"
    ).itertuples(index=False)
    assert tuple(too_large) == ("file_too_large", "11.534.336 bytes")
    archived = sorted(p.name for p in (offline_environment / "archive").iterdir())
    assert sorted(name.split(".", 1)[1] for name in archived) == ["csv", "csv", "too-large.json"]
    assert sum(p.stat().st_size for p in (offline_environment / "archive").iterdir()) < 10_000

    # Later runs do not read the oversize file again; the 2024 run reports awvn and goes on.
    reads.clear()
    again, _ = run_logged(duckdb_url, "2023")
    assert again.success and "uwv_2023.csv" not in reads and reads
    later, later_lines = run_logged(duckdb_url, "2024")
    assert later.success
    assert "awvn_2024.csv: overgeslagen: niet leesbaar (Permission denied)" in later_lines
    store.dispose()


@pytest.mark.slow
def test_the_run_waits_for_a_young_file_then_skips_one_that_keeps_changing(
    duckdb_url: str, offline_environment: Path
) -> None:
    import os
    import time

    inbox = offline_environment / "inbox"
    path = drop_in_inbox(inbox, "abu_2023.csv", csv_bytes(numbered_rows("abu", 2023, 2)))
    future = time.time() + 3600  # a clock running ahead on a file share: "young" for an hour
    os.utime(path, (future, future))
    settling = Inbox(quiet_seconds_override=1.0, max_wait_seconds_override=1.5)
    result, lines = run_logged(duckdb_url, "2023", settling)
    assert result.success
    assert any(
        line.startswith("abu_2023.csv changed ") and line.endswith("waiting for it to settle")
        for line in lines
    )
    assert (
        "abu_2023.csv: overgeslagen: nog in beweging na 2 s wachten; een volgende run neemt het mee"
        in lines
    )
    assert WarehouseStore(duckdb_url).count("partners.submissions") == 0


def rows_of_sql(store: WarehouseStore, sql: str) -> list[tuple[object, ...]]:
    frame = store.read(sql)
    return [
        tuple(row)
        for row in frame.astype(object).where(frame.notna(), None).itertuples(index=False)
    ]
