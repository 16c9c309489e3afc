"""Quarterly figures (issue 24) on DuckDB and PostgreSQL: from a replay of 85456NED holding
2023 Q1-Q3 (titles with * and **) through the ingest to monitor.quarterly_indicators and
monitor.quarterly_gaps: every quarterly cell kept with its status, no 2023 yearly figure,
each gap value - reference value, and the quarters kept when the table is unchanged."""

from __future__ import annotations

from collections.abc import Iterator

import dagster as dg
import pandas as pd
import pytest

from via_pipeline.core.warehouse import WarehouseStore
from via_pipeline.defs.cbs.assets import cbs_tables_and_observations, monitor_indicators
from via_pipeline.defs.cbs.resources import CbsStatLine
from via_pipeline.defs.monitor.assets import monitor_gaps
from via_pipeline.defs.monitor.quarters import monitor_quarterly_gaps, monitor_quarterly_indicators
from via_pipeline.defs.warehouse.resources import Warehouse
from via_pipeline_tests.integration.cbs.test_ingest import point_at
from via_pipeline_tests.support.cbs_replay import CbsReplayServer
from via_pipeline_tests.support.cbs_tables import (
    expected_quarterly_indicators,
    recording,
    table_82809,
    table_85456_running_year,
)


@pytest.fixture
def replay(monkeypatch: pytest.MonkeyPatch) -> Iterator[CbsReplayServer]:
    with CbsReplayServer(recording(table_82809(), table_85456_running_year())) as server:
        point_at(monkeypatch, server.catalog_url, "live")
        yield server


def build(store: WarehouseStore) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [
            cbs_tables_and_observations,
            monitor_indicators,
            monitor_gaps,
            monitor_quarterly_indicators,
            monitor_quarterly_gaps,
        ],
        resources={
            "warehouse": Warehouse(url=store.url),
            "cbs": CbsStatLine(timeout_seconds=2.0, retries=2, backoff_seconds=0.01),
        },
        instance=dg.DagsterInstance.ephemeral(),
    )


def test_quarters_are_kept_and_their_gaps_built(
    store: WarehouseStore, replay: CbsReplayServer
) -> None:
    assert build(store).success
    expected = expected_quarterly_indicators(table_85456_running_year())
    stored = store.read_table("monitor.quarterly_indicators")
    got = {
        (r.source_table, r.period, r.population_group, r.indicator): (r.value, r.status)
        for r in stored.itertuples()
    }
    assert got == expected
    assert set(stored["source_version"]) == {"modified:2026-02-13T02:00:00"}
    assert set(stored.loc[stored["period"] == "2023KW03", "status"]) == {"Voorlopig"}
    assert set(stored.loc[stored["year"] == 2022, "status"]) == {"Nader voorlopig"}
    # No yearly figure of 2023 in any monitor table.
    years = store.read(
        "SELECT DISTINCT year FROM monitor.indicators WHERE source_table = '85456NED'"
    )
    assert int(years["year"].max()) == 2022
    assert store.count("monitor.gaps", {"year": 2023}) == 0

    gaps = store.read_table("monitor.quarterly_gaps").set_index(
        ["period", "indicator", "population_group", "reference_group"]
    )
    key = ("unemployment_rate", "outside_europe_origin", "total")
    for period in ("2023KW03", "2022KW03", "2021KW01"):
        row = gaps.loc[(period, *key)]
        value = expected[("85456NED", period, "outside_europe_origin", "unemployment_rate")][0]
        reference = expected[("85456NED", period, "total", "unemployment_rate")][0]
        assert (row.value, row.reference_value) == (value, reference)
        assert row.gap_pp == round(value - reference, 1)
        assert row.breakdown == "none"
    now, before = gaps.loc[("2023KW03", *key)], gaps.loc[("2022KW03", *key)]
    assert now.gap_change_year_earlier_pp == round(now.gap_pp - before.gap_pp, 1)
    assert (now.status, bool(now.provisional)) == ("Voorlopig", True)
    assert (before.status, bool(before.provisional)) == ("Nader voorlopig", True)
    first = gaps.loc[("2021KW01", *key)]
    assert first.status == "Definitief" and not first.provisional
    assert pd.isna(first.gap_change_year_earlier_pp)  # no 2020 quarter in the table
    # A breakdown cell is compared within its breakdown only, as the yearly gaps are.
    second = gaps.xs("outside_europe_second_generation", level="population_group")
    assert set(second.index.get_level_values("reference_group")) == {"total", "netherlands_origin"}

    # A rerun with the table unchanged downloads nothing and keeps every quarter.
    replay.reset_log()
    assert build(store).success
    assert replay.count(entity="TypedDataSet") == 0
    assert store.count("monitor.quarterly_indicators") == len(expected)


def test_a_quarterly_percentage_over_100_is_not_written(
    store: WarehouseStore, replay: CbsReplayServer
) -> None:
    # The population's cell (every dimension at its total) of 2023 Q2, as the replay serves it.
    totals = {"Geslacht": "T001038", "Startkwalificatie": "T001456"}
    totals |= {"GeboortelandOuders": "T001638", "Herkomstland": "T001040"}
    [bad] = [
        row
        for row in replay.recording["85456NED"]["TypedDataSet"]
        if row["Perioden"] == "2023KW02" and all(row[d].strip() == k for d, k in totals.items())
    ]
    for key in [k for k in bad if k.startswith("Werkloosheidspercentage")]:
        bad[key] = 120.0
    result = dg.materialize(
        [cbs_tables_and_observations, monitor_quarterly_indicators],
        resources={
            "warehouse": Warehouse(url=store.url),
            "cbs": CbsStatLine(timeout_seconds=2.0, retries=2, backoff_seconds=0.01),
        },
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    assert not result.success
    [check] = [
        c
        for c in result.get_asset_check_evaluations()
        if c.check_name == "percentages_within_bounds"
        and c.asset_key == dg.AssetKey(["monitor", "quarterly_indicators"])
    ]
    assert not check.passed
    assert store.count("monitor.quarterly_indicators") == 0
    recorded = store.read(
        "SELECT success FROM quality.validation_results "
        "WHERE asset_key = 'monitor/quarterly_indicators'"
    )
    assert list(recorded["success"]) == [False]
