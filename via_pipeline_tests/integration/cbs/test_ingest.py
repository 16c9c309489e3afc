"""Guards the CBS ingest end to end against the replay server, on DuckDB and PostgreSQL, with
tables in the shape CBS publishes them (support/cbs_tables.py): the real cbsodata code path,
the conformance of every configured cell, the held dimensions recorded, a revision taken with
its new year reported, change detection by TableInfos.Modified, and that every failure
(mismatch, outage, bad answer, failed check) leaves the previous warehouse tables as they were."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import dagster as dg
import pandas as pd
import pytest

from via_pipeline.core.warehouse import WarehouseStore
from via_pipeline.defs.cbs.assets import cbs_tables_and_observations, monitor_indicators
from via_pipeline.defs.cbs.resources import CbsStatLine
from via_pipeline.defs.warehouse.resources import Warehouse
from via_pipeline_tests.support.cbs_replay import Body, CbsReplayServer, Status, Truncate
from via_pipeline_tests.support.cbs_tables import (
    cell_value,
    expected_indicators,
    recording,
    revised,
    table_82809,
    table_85456,
)

MODIFIED_82 = "2022-05-13T02:00:00"
MODIFIED_85 = "2026-11-02T02:00:00"
TABLES = ("cbs.tables", "cbs.observations", "monitor.indicators")
ORDER = {
    "cbs.tables": ["table_id"],
    "cbs.observations": ["table_id", "period_code", "population_group_key", "measure_key"],
    "monitor.indicators": ["source_table", "year", "population_group", "indicator"],
}


@pytest.fixture
def replay(monkeypatch: pytest.MonkeyPatch) -> Iterator[CbsReplayServer]:
    with CbsReplayServer(recording(), page_size=25) as server:
        server.set_modified("82809NED", MODIFIED_82)
        server.set_modified("85456NED", MODIFIED_85)
        point_at(monkeypatch, server.catalog_url, "live")
        yield server


def point_at(monkeypatch: pytest.MonkeyPatch, catalog_url: str, source: str) -> None:
    monkeypatch.setenv("VIA_CBS_CATALOG_URL", catalog_url)
    monkeypatch.setenv("VIA_CBS_USE_HTTPS", "false")
    monkeypatch.setenv("VIA_CBS_SOURCE", source)


def closed_port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{probe.getsockname()[1]}"


def run(
    store: WarehouseStore, indicators: bool = True
) -> tuple[dg.ExecuteInProcessResult, dg.DagsterInstance]:
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize(
        [cbs_tables_and_observations, *([monitor_indicators] if indicators else [])],
        resources={
            "warehouse": Warehouse(url=store.url),
            "cbs": CbsStatLine(timeout_seconds=2.0, retries=2, backoff_seconds=0.01),
        },
        instance=instance,
        raise_on_error=False,
    )
    return result, instance


def failure_text(result: dg.ExecuteInProcessResult) -> str:
    return "\n".join(
        (event.step_failure_data.error.message if event.step_failure_data.error else "")
        + str(
            event.step_failure_data.user_failure_data
            and event.step_failure_data.user_failure_data.description
        )
        for event in result.get_step_failure_events()
    )


def logs(instance: dg.DagsterInstance, result: dg.ExecuteInProcessResult, level: int) -> list[str]:
    return [
        entry.user_message for entry in instance.all_logs(result.run_id) if entry.level == level
    ]


def state(store: WarehouseStore) -> dict[str, pd.DataFrame]:
    return {
        table: store.read_table(table).sort_values(ORDER[table], ignore_index=True)
        for table in TABLES
    }


def assert_same_state(before: dict[str, pd.DataFrame], after: dict[str, pd.DataFrame]) -> None:
    for table in TABLES:
        pd.testing.assert_frame_equal(before[table], after[table], check_dtype=False)


def materialized(result: dg.ExecuteInProcessResult, key: list[str]) -> dict[str, Any]:
    for event in result.get_asset_materialization_events():
        if event.asset_key == dg.AssetKey(key):
            return {name: entry.value for name, entry in event.materialization.metadata.items()}
    raise AssertionError(f"{key} not materialised")


def indicator(
    store: WarehouseStore, table: str, group: str, name: str, year: int
) -> tuple[Any, Any]:
    frame = store.read(
        "SELECT value, provisional FROM monitor.indicators WHERE source_table = :t AND population_group = :g "
        "AND indicator = :i AND year = :y",
        {"t": table, "g": group, "i": name, "y": year},
    )
    assert len(frame) == 1
    value = frame.iloc[0]["value"]
    return (None if pd.isna(value) else float(value)), bool(frame.iloc[0]["provisional"])


def stored_cells(store: WarehouseStore) -> dict[tuple[str, int, str, str], float | None]:
    frame = store.read_table("monitor.indicators")
    return {
        (r.source_table, int(r.year), r.population_group, r.indicator): (
            None if pd.isna(r.value) else float(r.value)
        )
        for r in frame.itertuples(index=False)
    }


def held(store: WarehouseStore) -> dict[tuple[str, str], tuple[str, str, str]]:
    frame = store.read_table("cbs.held_dimensions")
    return {
        (r.table_id, r.dimension_key): (r.category_key, r.category_title, r.chosen_by)
        for r in frame.itertuples(index=False)
    }


HELD_AT = {
    ("82809NED", "Geslacht"): ("T001038", "Totaal mannen en vrouwen", "catalogue"),
    ("82809NED", "Leeftijd"): ("52052", "15 tot 75 jaar", "catalogue"),
    ("85456NED", "Geslacht"): ("T001038", "Totaal mannen en vrouwen", "catalogue"),
    ("85456NED", "Startkwalificatie"): ("T001456", "Totaal", "total_rule"),
    ("85456NED", "GeboortelandOuders"): ("T001638", "Totaal", "total_rule"),
}


def test_conformance_every_configured_yearly_cell_lands_from_tables_as_cbs_publishes_them(
    store: WarehouseStore, replay: CbsReplayServer
) -> None:
    result, instance = run(store)
    assert result.success
    expected = {**expected_indicators(table_82809()), **expected_indicators(table_85456())}
    assert stored_cells(store) == expected
    assert held(store) == HELD_AT

    tables = store.read_table("cbs.tables").set_index("table_id")
    assert list(tables.source) == ["live", "live"]
    assert tables.loc["82809NED", "title"] == "Arbeidsdeelname; migratieachtergrond"
    assert pd.Timestamp(tables.loc["82809NED", "modified"]) == pd.Timestamp(MODIFIED_82)
    assert tables.loc["82809NED", "source_version"] == f"modified:{MODIFIED_82}"
    assert (int(tables.loc["82809NED", "row_count"]), int(tables.loc["85456NED", "row_count"])) == (
        190,
        13 * (4 + 11) * 2,  # origin groups and breakdown cells
    )
    provisional = store.read("SELECT DISTINCT year FROM monitor.indicators WHERE provisional")
    assert list(provisional.year) == [2025]
    measures = store.read_table("cbs.measures").set_index(["table_id", "indicator"])
    assert measures.loc[("82809NED", "net_participation_rate"), "measure_key"] == (
        "NettoArbeidsparticipatie_24"
    )
    assert int(measures.loc[("85456NED", "unemployment_rate"), "decimals"]) == 1

    observation = store.read(
        "SELECT * FROM cbs.observations WHERE table_id = '82809NED' AND period_code = '2012JJ00' "
        "AND population_group_key = '2012657' AND measure_key = 'Werkloosheidspercentage_21'"
    )
    assert observation.iloc[0]["population_group_title"] == "Niet-westerse migratieachtergrond"
    assert float(observation.iloc[0]["value"]) == cell_value(
        "82809NED",
        ("Totaal mannen en vrouwen", "15 tot 75 jaar", "Niet-westerse migratieachtergrond"),
        "2012JJ00",
        "Werkloosheidspercentage",
    )

    assert (
        "85456NED Startkwalificatie = Totaal (T001456, total_rule)"
        in materialized(result, ["cbs", "observations"])["held_dimensions"]
    )
    said = logs(instance, result, 20)
    assert "85456NED: Startkwalificatie held at 'Totaal' (T001456)" in said
    assert "85456NED: Geboorteland (ouders) held at 'Totaal' (T001638)" in said
    left_out = [m for m in said if "left out" in m]
    assert len(left_out) == 1 and "'Marokko'" in left_out[0]

    # Paged (95 rows of 82809NED at 25 a page), only the slice asked for: no quarters.
    data = [r for r in replay.requests if r.table_id == "82809NED" and r.entity == "TypedDataSet"]
    assert len(data) == 4
    assert all("$filter" in r.query and "$select" in r.query for r in data)


def test_conformance_on_a_revision_takes_every_cell_and_reports_the_added_year(
    store: WarehouseStore, replay: CbsReplayServer
) -> None:
    assert run(store)[0].success
    old, new = revised(table_82809()), revised(table_85456())
    replay.recording.clear()
    replay.recording.update(recording(old, new))

    result, instance = run(store)
    assert result.success
    assert stored_cells(store) == {**expected_indicators(old), **expected_indicators(new)}
    assert held(store) == HELD_AT
    assert set(store.read_table("cbs.measures").measure_key) == {
        "Werkloosheidspercentage_22",
        "NettoArbeidsparticipatie_25",
        "Werkloosheidspercentage_6",
        "NettoArbeidsparticipatie_9",
    }
    warnings = logs(instance, result, 30)
    assert "85456NED: new year(s) 2012 in this table version (stored before: 2013-2025)" in warnings
    assert "82809NED: new year(s) 2002 in this table version (stored before: 2003-2021)" in warnings
    assert any(
        w.startswith("82809NED: year(s) 2002 outside the expected 2003-2021") for w in warnings
    )


def test_an_unchanged_table_is_not_downloaded_again_nor_rewritten(
    store: WarehouseStore, replay: CbsReplayServer
) -> None:
    assert run(store)[0].success
    before = state(store)
    replay.reset_log()

    result, _ = run(store)
    assert result.success
    assert [(r.table_id, r.entity) for r in replay.requests] == [
        ("82809NED", "TableInfos"),
        ("85456NED", "TableInfos"),
    ]
    assert_same_state(before, state(store))  # fetched_at included: nothing rewritten
    assert materialized(result, ["cbs", "observations"])["changed_tables"] == "none"
    assert materialized(result, ["monitor", "indicators"])["rewritten"] is False

    # A new Modified date for one table: only that table is downloaded again.
    replay.set_modified("85456NED", "2026-11-20T02:00:00")
    replay.reset_log()
    result, _ = run(store)
    assert result.success
    assert {r.table_id for r in replay.requests if r.entity != "TableInfos"} == {"85456NED"}
    after = store.read_table("cbs.tables").set_index("table_id")
    assert (
        after.loc["82809NED", "fetched_at"]
        == before["cbs.tables"].set_index("table_id").loc["82809NED", "fetched_at"]
    )
    assert after.loc["85456NED", "source_version"] == "modified:2026-11-20T02:00:00"


def test_a_table_ingested_before_its_measures_were_recorded_is_read_again(
    store: WarehouseStore, replay: CbsReplayServer
) -> None:
    assert run(store)[0].success
    store.replace("cbs.measures", store.read_table("cbs.measures").iloc[0:0])
    replay.reset_log()
    result, _ = run(store)
    assert result.success
    assert {r.table_id for r in replay.requests if r.entity == "TypedDataSet"} == {
        "82809NED",
        "85456NED",
    }
    assert store.count("cbs.measures") == 4


def rename_measure(table: dict[str, Any]) -> None:
    for record in table["DataProperties"]:
        if record["Title"] == "Werkloosheidspercentage":
            record["Title"] = "Werkloosheid"


def drop_group(table: dict[str, Any]) -> None:
    # Gone by key and by title: a category CBS merged away.
    table["Migratieachtergrond"] = [
        c for c in table["Migratieachtergrond"] if c["Title"] != "Westerse migratieachtergrond"
    ]


@pytest.mark.parametrize(
    ("change", "looked_for", "found"),
    [
        (rename_measure, "'Werkloosheidspercentage'", "'Werkloosheid'"),
        (drop_group, "'Westerse migratieachtergrond'", "'Niet-westerse migratieachtergrond'"),
    ],
)
def test_a_missing_measure_or_group_fails_naming_it_and_keeps_the_tables(
    store: WarehouseStore, replay: CbsReplayServer, change: Any, looked_for: str, found: str
) -> None:
    assert run(store)[0].success
    before = state(store)
    change(replay.recording["82809NED"])
    replay.set_modified("82809NED", "2023-01-01T00:00:00")

    result, _ = run(store, indicators=False)
    assert not result.success
    message = failure_text(result)
    assert "82809NED" in message and looked_for in message and found in message
    assert "nothing written" in message
    assert_same_state(before, state(store))


def test_two_server_errors_then_an_answer_succeeds(
    store: WarehouseStore, replay: CbsReplayServer
) -> None:
    replay.inject("82809NED/TypedDataSet", Status(500), Status(500))
    result, instance = run(store, indicators=False)
    assert result.success
    assert [r.status for r in replay.requests if r.entity == "TypedDataSet"][:3] == [500, 500, 200]
    assert store.count("cbs.observations", {"table_id": "82809NED"}) == 190
    assert any("HTTP 500; retry 1 of 2" in m for m in logs(instance, result, 30))


def test_unreachable_cbs_with_auto_uses_the_snapshot(
    store: WarehouseStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    point_at(monkeypatch, closed_port(), "auto")
    result, instance = run(store)
    assert result.success
    assert set(store.read_table("cbs.tables").source) == {"snapshot"}
    assert indicator(store, "82809NED", "total", "unemployment_rate", 2021) == (4.2, False)
    warnings = logs(instance, result, 30)
    assert any("CBS unavailable for 82809NED, using the bundled snapshot" in m for m in warnings)
    assert any("cannot connect" in m for m in warnings)


def test_unreachable_cbs_with_live_fails_and_leaves_the_warehouse(
    store: WarehouseStore, replay: CbsReplayServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(store)[0].success
    before = state(store)
    point_at(monkeypatch, closed_port(), "live")
    result, _ = run(store, indicators=False)
    assert not result.success
    message = failure_text(result)
    assert (
        "CBS table 82809NED" in message and "cannot connect" in message and "3 attempts" in message
    )
    assert_same_state(before, state(store))


def test_auto_never_replaces_live_figures_by_the_snapshot(
    store: WarehouseStore, replay: CbsReplayServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(store)[0].success
    before = state(store)
    point_at(monkeypatch, closed_port(), "auto")
    result, instance = run(store)
    assert result.success
    assert materialized(result, ["cbs", "observations"])["kept_live_tables"] == "82809NED, 85456NED"
    assert any("keeping the live figures already stored" in m for m in logs(instance, result, 30))
    assert_same_state(before, state(store))


@pytest.mark.parametrize(
    ("faults", "expected"),
    [
        ([Truncate(100)] * 3, "cut off"),
        ([Body(b"<!DOCTYPE html><html><body>Storing</body></html>")], "not JSON"),
        ([Body(b'{"odata.metadata": "x", "value": [{"ID": 0, "Geslacht": "T0')], "not JSON"),
    ],
)
def test_a_truncated_or_non_json_answer_fails_and_leaves_the_warehouse(
    store: WarehouseStore, replay: CbsReplayServer, faults: list[Any], expected: str
) -> None:
    assert run(store)[0].success
    before = state(store)
    replay.set_modified("82809NED", "2023-01-01T00:00:00")
    replay.inject("82809NED/TypedDataSet", *faults)
    result, _ = run(store, indicators=False)
    assert not result.success
    message = failure_text(result)
    assert "82809NED" in message and "TypedDataSet" in message and expected in message
    assert_same_state(before, state(store))


def test_a_failing_blocking_check_writes_nothing(
    store: WarehouseStore, replay: CbsReplayServer
) -> None:
    assert run(store)[0].success
    before = state(store)
    replay.recording["82809NED"]["TypedDataSet"][0]["Werkloosheidspercentage_21"] = 120.0
    replay.set_modified("82809NED", "2023-01-01T00:00:00")
    result, _ = run(store, indicators=False)
    assert not result.success
    assert "percentages_within_bounds" in failure_text(result)
    failed = [
        (c.check_name, c.passed) for c in result.get_asset_check_evaluations() if not c.passed
    ]
    assert failed == [("percentages_within_bounds", False)]
    assert_same_state(before, state(store))
    recorded = store.read(
        "SELECT check_name, success, details FROM quality.validation_results "
        "WHERE asset_key = 'cbs/observations' AND success = FALSE"
    )
    assert list(recorded.check_name) == ["percentages_within_bounds"]
    assert "120.0" in recorded.iloc[0]["details"]


def test_statline_observation_reads_only_table_infos(replay: CbsReplayServer) -> None:
    from via_pipeline.defs.cbs.assets import STATLINE_KEY, cbs_statline

    def observe() -> tuple[str, str]:
        job = dg.Definitions(
            assets=[cbs_statline], resources={"cbs": CbsStatLine(retries=0)}
        ).resolve_implicit_global_asset_job_def()
        result = job.execute_in_process(instance=dg.DagsterInstance.ephemeral())
        assert result.success
        observations = [
            event.event_specific_data.asset_observation  # type: ignore[union-attr]
            for event in result.all_events
            if event.event_type_value == "ASSET_OBSERVATION"
        ]
        assert [o.asset_key for o in observations] == [STATLINE_KEY]
        return str(observations[0].data_version), str(observations[0].metadata["82809NED"].value)

    first, described = observe()
    assert described.startswith(f"live modified:{MODIFIED_82}")
    assert {(r.table_id, r.entity) for r in replay.requests} == {
        ("82809NED", "TableInfos"),
        ("85456NED", "TableInfos"),
    }
    assert observe()[0] == first
    replay.set_modified("82809NED", "2024-01-01T00:00:00")
    assert observe()[0] != first
