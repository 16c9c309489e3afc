"""Guards the monitor assets and their blocking checks as Dagster runs them, on both engines:
the tables are written with their metadata, each check passes on correct gaps and fails (and
stops monitor.trends) on the fault it exists to catch, and its findings reach
quality.validation_results."""

from __future__ import annotations

import dagster as dg
import pandas as pd
import pytest

from via_pipeline.core import monitor
from via_pipeline.core.warehouse import WarehouseStore
from via_pipeline.defs.monitor import assets, checks
from via_pipeline.defs.warehouse.resources import Warehouse
from via_pipeline_tests.support.monitor_metrics import indicator_rows, indicators_frame

CHECK_NAMES = [check.name for check in monitor.GAP_CHECKS]
DEFINITIONS = [
    assets.monitor_gaps,
    assets.monitor_trends,
    checks.gaps_equal_value_minus_reference,
    checks.gaps_compare_within_one_source_table,
    checks.latest_year_groups_have_gap_rows,
]


def load_indicators(store: WarehouseStore) -> None:
    store.replace(
        "monitor.indicators",
        indicators_frame(
            indicator_rows(
                "82809NED",
                {
                    "total": {2008: 3.7, 2013: 7.3},
                    "dutch_background": {2008: 2.9, 2013: 5.8},
                    "non_western": {2008: 8.5, 2013: 16.5},
                },
            ),
            indicator_rows(
                "85456NED",
                {
                    "total": {2013: 8.2, 2022: 3.5},
                    "netherlands_origin": {2013: 6.8, 2022: 3.0},
                    "outside_europe_origin": {2013: 16.0, 2022: 6.4},
                },
                provisional_years=[2022],
            ),
        ),
    )


def run(store: WarehouseStore) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        DEFINITIONS,
        resources={"warehouse": Warehouse(url=store.url)},
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def materializations(
    result: dg.ExecuteInProcessResult, key: dg.AssetKey
) -> list[dg.AssetMaterialization]:
    return [
        event.materialization
        for event in result.get_asset_materialization_events()
        if event.asset_key == key
    ]


def evaluations(result: dg.ExecuteInProcessResult) -> dict[str, bool]:
    return {e.check_name: e.passed for e in result.get_asset_check_evaluations()}


def test_assets_build_both_tables_and_checks_pass(store: WarehouseStore) -> None:
    load_indicators(store)
    result = run(store)
    assert result.success
    assert evaluations(result) == dict.fromkeys(CHECK_NAMES, True)

    gaps = store.read_table("monitor.gaps")
    # Per table 4 pairs (group vs total, group vs Dutch, Dutch vs total, total vs Dutch) x 2 years.
    assert len(gaps) == 16
    gap_meta = materializations(result, assets.GAPS_KEY)[0].metadata
    assert gap_meta["warehouse_table"].value == "monitor.gaps"
    assert gap_meta["dagster/row_count"].value == 16
    assert gap_meta["baseline_year"].value == 2008
    assert gap_meta["provisional_rows"].value == 4

    trends = store.read_table("monitor.trends")
    assert len(trends) == 8
    trend_meta = materializations(result, assets.TRENDS_KEY)[0].metadata
    assert trend_meta["dagster/row_count"].value == 8
    assert trend_meta["structural_catch_up_series"].value == 0
    assert trend_meta["series_without_verdict"].value == 0
    assert set(trends.loc[trends.source_table == "85456NED", "first_year"]) == {2013}

    recorded = store.read_table("quality.validation_results")
    assert sorted(recorded["check_name"]) == sorted(CHECK_NAMES)
    assert recorded["success"].astype(bool).all()
    assert set(recorded["asset_key"]) == {"monitor/gaps"}


def test_series_without_a_baseline_figure_is_counted_apart(store: WarehouseStore) -> None:
    store.replace(
        "monitor.indicators",
        indicators_frame(
            indicator_rows(
                "82809NED",
                {
                    "total": {2008: 3.7, 2012: 5.8, 2013: 7.3},
                    "dutch_background": {2008: 2.9, 2012: 4.6, 2013: 5.8},
                    "non_western": {2008: None, 2012: 14.1, 2013: 16.5},
                },
            )
        ),
    )
    result = run(store)
    assert result.success
    assert evaluations(result) == dict.fromkeys(CHECK_NAMES, True)
    trend_meta = materializations(result, assets.TRENDS_KEY)[0].metadata
    assert trend_meta["dagster/row_count"].value == 4
    assert trend_meta["structural_catch_up_series"].value == 0
    assert trend_meta["series_without_verdict"].value == 2
    gaps = store.read_table("monitor.gaps")
    assert set(gaps["baseline_year"]) == {2008}


def miscompute(frame: pd.DataFrame) -> pd.DataFrame:
    frame.loc[0, "gap_pp"] += 0.1
    return frame


def cross_tables(frame: pd.DataFrame) -> pd.DataFrame:
    # 85456NED's 2013 outside-Europe figure compared with the old series' 2013 total (7.3).
    row = (
        (frame.source_table == "85456NED")
        & (frame.year == 2013)
        & (frame.population_group == "outside_europe_origin")
        & (frame.reference_group == "total")
    )
    frame.loc[row, "reference_value"] = 7.3
    frame.loc[row, "gap_pp"] = frame.loc[row, "value"] - 7.3
    return frame


def drop_latest_year_row(frame: pd.DataFrame) -> pd.DataFrame:
    row = (
        (frame.source_table == "85456NED")
        & (frame.year == 2022)
        & (frame.population_group == "netherlands_origin")
    )
    return frame[~row].reset_index(drop=True)


@pytest.mark.parametrize(
    ("corrupt", "failing_check", "example"),
    [
        (miscompute, "gaps_equal_value_minus_reference", "source_table=82809NED"),
        (cross_tables, "gaps_compare_within_one_source_table", "reference_value=7.3"),
        (
            drop_latest_year_row,
            "latest_year_groups_have_gap_rows",
            "population_group=netherlands_origin",
        ),
    ],
)
def test_each_check_blocks_its_fault(
    store: WarehouseStore,
    monkeypatch: pytest.MonkeyPatch,
    corrupt,
    failing_check: str,
    example: str,
) -> None:
    def write_corrupted_gaps(
        store: WarehouseStore, config: monitor.MonitorConfig
    ) -> monitor.GapsBuild:
        with store.transaction() as conn:
            monitor.write_comparisons(store, conn, config)
            frame = corrupt(monitor.select_gaps(conn, config))
            store.replace("monitor.gaps", frame, conn=conn)
        return monitor.GapsBuild(len(frame), 0, 2, frame.head(10))

    # The asset imports core.monitor where it runs (docs/architecture.md): patched there.
    monkeypatch.setattr(monitor, "write_gaps", write_corrupted_gaps)
    load_indicators(store)
    store.replace("monitor.trends", pd.DataFrame(columns=monitor.TREND_COLUMNS))
    result = run(store)

    assert not result.success
    assert evaluations(result) == {name: name != failing_check for name in CHECK_NAMES}
    # Blocking: monitor.trends is not built from gaps that failed a check.
    assert materializations(result, assets.TRENDS_KEY) == []
    assert store.count("monitor.trends") == 0

    failed = store.read_table("quality.validation_results", {"check_name": failing_check}).iloc[0]
    assert not failed.success
    assert failed.unexpected_count == 1
    assert example in failed.details
