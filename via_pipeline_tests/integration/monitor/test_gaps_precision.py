"""Guards the published precision of monitor.gaps and monitor.trends on DuckDB and PostgreSQL:
every derived value is stored rounded to its measure's Decimals (cbs.measures), so reporting
tools read 2.9 for 6.4 - 3.5, never 2.9000000000000004."""

from __future__ import annotations

import pandas as pd

from via_pipeline.core.monitor import load_monitor_config, write_gaps, write_trends
from via_pipeline.core.warehouse import WarehouseStore
from via_pipeline_tests.support.monitor_metrics import indicator_rows, indicators_frame

CONFIG = load_monitor_config()
GAP_VALUES = ["gap_pp", "gap_change_prev_year_pp", "gap_change_vs_baseline_pp"]
TREND_VALUES = ["gap_first_pp", "gap_last_pp"]


def measures(decimals: int | None) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "table_id": "85456NED",
                "measure_key": "Werkloosheidspercentage_5",
                "measure_title": "Werkloosheidspercentage",
                "indicator": "unemployment_rate",
                "unit": "%",
                "decimals": decimals,
            }
        ]
    ).astype({"decimals": "Int64"})


def build(store: WarehouseStore, decimals: int | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    store.replace("cbs.measures", measures(decimals))
    store.replace(
        "monitor.indicators",
        indicators_frame(
            indicator_rows(
                "85456NED",
                {
                    "total": {2019: 3.7, 2020: 3.8, 2021: 3.5, 2022: 3.5},
                    "outside_europe_origin": {2019: 6.9, 2020: 6.6, 2021: 6.4, 2022: 6.4},
                },
            )
        ),
    )
    write_gaps(store, CONFIG)
    write_trends(store, CONFIG)
    gaps = store.read_table("monitor.gaps").set_index("year").sort_index()
    return gaps, store.read_table("monitor.trends")


def decimals_of(value: float) -> int:
    text = repr(float(value))
    return len(text.split(".")[1].rstrip("0")) if "." in text else 0


def test_gaps_are_stored_with_the_measures_decimals(store: WarehouseStore) -> None:
    gaps, trends = build(store, decimals=1)
    assert float(gaps.loc[2021, "gap_pp"]) == 2.9  # 6.4 - 3.5, exactly as published
    assert float(gaps.loc[2020, "gap_pp"]) == 2.8
    assert float(gaps.loc[2021, "gap_change_prev_year_pp"]) == 0.1
    assert float(gaps.loc[2021, "gap_change_vs_baseline_pp"]) == -0.3
    assert float(gaps.loc[2022, "gap_change_prev_year_pp"]) == 0.0
    for column in GAP_VALUES:
        assert all(decimals_of(v) <= 1 for v in gaps[column].dropna()), column
    assert len(trends) == 1
    for column in TREND_VALUES:
        assert all(decimals_of(v) <= 1 for v in trends[column].dropna()), column
    assert float(trends.iloc[0]["gap_last_pp"]) == 2.9


def test_zero_decimals_round_to_whole_points(store: WarehouseStore) -> None:
    gaps, _ = build(store, decimals=0)
    assert float(gaps.loc[2021, "gap_pp"]) == 3.0
    assert float(gaps.loc[2019, "gap_pp"]) == 3.0  # 3.2 at no decimals


def test_without_a_known_precision_the_value_is_kept(store: WarehouseStore) -> None:
    gaps, _ = build(store, decimals=None)
    assert float(gaps.loc[2021, "gap_pp"]) == 6.4 - 3.5
