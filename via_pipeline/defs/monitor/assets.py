"""Monitoring metrics: group gaps and the catch-up trend, built in the warehouse."""

import dagster as dg

from via_pipeline.defs.metadata import table_metadata
from via_pipeline.defs.warehouse.resources import Warehouse

INDICATORS_KEY = dg.AssetKey(["monitor", "indicators"])
GAPS_KEY = dg.AssetKey(["monitor", "gaps"])
TRENDS_KEY = dg.AssetKey(["monitor", "trends"])


@dg.asset(
    key=GAPS_KEY,
    group_name="monitor",
    kinds={"sql", "duckdb", "postgres"},
    owners=["team:via-data"],
    deps=[INDICATORS_KEY],
)
def monitor_gaps(warehouse: Warehouse) -> dg.MaterializeResult:
    """Gap in percentage points between each population group and each reference group (the
    population average `total` and the Dutch background/origin group) of the same CBS table;
    a breakdown group (generation, sex, start qualification) only against the reference groups
    of its own breakdown. Which pair is compared is written first to monitor.comparisons.

    Grain: one row per source table, year, indicator, group and reference group, with the change
    since the previous year present and since the baseline year: one per source table, the first
    year on or after config/monitor.yaml's baseline_year (2008) that the table has.
    Source: monitor.indicators, through sql/build_monitor_gaps.sql. A missing CBS cell gives no
    row. A rerun rebuilds the whole table in one transaction.
    """
    from via_pipeline.core.monitor import GAPS_TABLE, load_monitor_config, write_gaps

    config = load_monitor_config()
    build = write_gaps(warehouse.migrated_store(), config)
    return dg.MaterializeResult(
        metadata=table_metadata(
            GAPS_TABLE,
            build.preview,
            # The rows stay in the warehouse; the frame is only the preview.
            **{"dagster/row_count": build.row_count},
            baseline_year=config.baseline_year,
            reference_groups=", ".join(config.reference_groups),
            source_tables=build.source_tables,
            provisional_rows=build.provisional_rows,
        )
    )


@dg.asset(
    key=TRENDS_KEY,
    group_name="monitor",
    kinds={"sql", "duckdb", "postgres"},
    owners=["team:via-data"],
    # The trends SQL reads the indicators too (to say which figure CBS did not publish).
    deps=[GAPS_KEY, INDICATORS_KEY],
)
def monitor_trends(warehouse: Warehouse) -> dg.MaterializeResult:
    """Per series (source table, indicator, group, reference group): the gap in the baseline year
    and the last year, how many of the last years it narrowed, and whether the catch-up is
    structural, with the reason in a Dutch sentence. A series with no gap in its table's baseline
    year (an empty CBS cell) gets no verdict: structural_catch_up and gap_first_pp are NULL.

    Source: monitor.gaps, through sql/build_monitor_trends.sql; the rule's parameters come from
    config/monitor.yaml. A rerun rebuilds the whole table in one transaction.
    """
    from via_pipeline.core.monitor import TRENDS_TABLE, load_monitor_config, write_trends

    config = load_monitor_config()
    frame = write_trends(warehouse.migrated_store(), config)
    return dg.MaterializeResult(
        metadata=table_metadata(
            TRENDS_TABLE,
            frame,
            narrowing_years=config.catch_up.narrowing_years,
            max_gap_ratio=config.catch_up.max_gap_ratio,
            # NULL is "no verdict" (no gap in the baseline year): counted apart, never as false.
            structural_catch_up_series=int(frame["structural_catch_up"].eq(True).sum()),
            series_without_verdict=int(frame["structural_catch_up"].isna().sum()),
        )
    )
