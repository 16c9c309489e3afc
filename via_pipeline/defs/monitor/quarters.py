"""Quarterly figures (issue 24): monitor.quarterly_indicators and monitor.quarterly_gaps."""

from collections.abc import Iterator

import dagster as dg

from via_pipeline.core.cbs.check_names import CHECK_DESCRIPTIONS, CHECK_PERCENTAGES
from via_pipeline.defs.metadata import table_metadata
from via_pipeline.defs.quality import check_result_from_suite
from via_pipeline.defs.warehouse.resources import Warehouse

OBSERVATIONS_KEY = dg.AssetKey(["cbs", "observations"])
GAPS_KEY = dg.AssetKey(["monitor", "gaps"])
QUARTERLY_INDICATORS_KEY = dg.AssetKey(["monitor", "quarterly_indicators"])
QUARTERLY_GAPS_KEY = dg.AssetKey(["monitor", "quarterly_gaps"])


@dg.asset(
    key=QUARTERLY_INDICATORS_KEY,
    group_name="monitor",
    kinds={"duckdb", "postgres", "pandas"},
    owners=["team:via-data"],
    deps=[OBSERVATIONS_KEY],
    check_specs=[
        dg.AssetCheckSpec(
            CHECK_PERCENTAGES,
            asset=QUARTERLY_INDICATORS_KEY,
            description=CHECK_DESCRIPTIONS[CHECK_PERCENTAGES],
            blocking=True,
        )
    ],
)
def monitor_quarterly_indicators(
    context: dg.AssetExecutionContext, warehouse: Warehouse
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """Quarterly indicators: one row per source table, CBS period key (`2023KW01`), group code
    and indicator code, with year, quarter, unit, CBS status (Definitief / Voorlopig / Nader
    voorlopig) and the CBS table version. The same groups and breakdown cells as
    monitor.indicators; only tables with `quarters: true` in config/cbs_tables.yaml. A year is
    never made from quarters. Source: cbs.quarterly_observations; rebuilt in one transaction,
    not written when a percentage lies outside 0-100 (the blocking check).
    """
    from via_pipeline.core.cbs.catalogue import load_catalogue
    from via_pipeline.core.monitor.quarters import (
        QUARTERLY_INDICATORS_TABLE,
        check_quarterly_indicators,
        quarterly_indicators_frame,
        write_quarterly_indicators,
    )

    catalogue = load_catalogue()
    store = warehouse.migrated_store()
    frame = quarterly_indicators_frame(store, catalogue)
    suite = check_quarterly_indicators(catalogue, frame, "monitor_quarterly_indicators")
    check = check_result_from_suite(
        store, context.run.run_id, CHECK_PERCENTAGES, suite, QUARTERLY_INDICATORS_KEY
    )
    if not check.passed:
        yield check
        raise dg.Failure(
            description=(
                f"monitor.quarterly_indicators failed the blocking check {CHECK_PERCENTAGES}; "
                "not written"
            )
        )
    write_quarterly_indicators(store, frame)
    yield dg.MaterializeResult(
        metadata=table_metadata(
            QUARTERLY_INDICATORS_TABLE,
            frame,
            periods=", ".join(sorted(frame["period"].unique())[-4:]) or "none",
            provisional_rows=int(frame["status"].ne("Definitief").sum()),
            empty_cells=int(frame["value"].isna().sum()),
        ),
        check_results=[check],
    )


@dg.asset(
    key=QUARTERLY_GAPS_KEY,
    group_name="monitor",
    kinds={"sql", "duckdb", "postgres"},
    owners=["team:via-data"],
    # monitor.gaps' build writes monitor.comparisons, the pairs compared here too.
    deps=[QUARTERLY_INDICATORS_KEY, GAPS_KEY],
)
def monitor_quarterly_gaps(warehouse: Warehouse) -> dg.MaterializeResult:
    """Gap in percentage points per quarter between each group and its reference groups (the
    pairs of monitor.comparisons), with the change against the same quarter a year earlier and
    the less final status of the two figures. Source: monitor.quarterly_indicators, through
    sql/build_monitor_quarterly_gaps.sql; an empty CBS cell gives no row.
    """
    from via_pipeline.core.monitor.quarters import QUARTERLY_GAPS_TABLE, write_quarterly_gaps

    frame = write_quarterly_gaps(warehouse.migrated_store())
    return dg.MaterializeResult(
        metadata=table_metadata(
            QUARTERLY_GAPS_TABLE,
            frame,
            provisional_rows=int(frame["provisional"].astype(bool).sum()),
        )
    )
