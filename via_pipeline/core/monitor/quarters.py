"""Building monitor.quarterly_indicators and monitor.quarterly_gaps in the warehouse.

The indicators come from cbs.quarterly_observations through the yearly indicators' mapping
(core/cbs/quarters.py); the gaps from sql/build_monitor_quarterly_gaps.sql, over the pairs of
monitor.comparisons (written by the monitor.gaps build). A quarter never becomes a year here.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from via_pipeline.core.cbs.catalogue import Catalogue
from via_pipeline.core.cbs.quarters import QUARTERLY_INDICATOR_COLUMNS, build_quarterly_indicators
from via_pipeline.core.quality.expectations import SuiteResult, validate_frame
from via_pipeline.core.warehouse import WarehouseStore, load_sql

QUARTERLY_OBSERVATIONS_TABLE = "cbs.quarterly_observations"
QUARTERLY_INDICATORS_TABLE = "monitor.quarterly_indicators"
QUARTERLY_GAPS_TABLE = "monitor.quarterly_gaps"
QUARTERLY_GAP_COLUMNS = [
    "source_table",
    "period",
    "year",
    "quarter",
    "indicator",
    "population_group",
    "reference_group",
    "breakdown",
    "value",
    "reference_value",
    "gap_pp",
    "gap_change_year_earlier_pp",
    "status",
    "provisional",
    "decimals",
]


def quarterly_indicators_frame(store: WarehouseStore, catalogue: Catalogue) -> pd.DataFrame:
    """monitor.quarterly_indicators as it would be built now from cbs.quarterly_observations."""
    observations = store.read_table(QUARTERLY_OBSERVATIONS_TABLE)
    return build_quarterly_indicators(catalogue, observations)[QUARTERLY_INDICATOR_COLUMNS]


def check_quarterly_indicators(
    catalogue: Catalogue, frame: pd.DataFrame, suite_name: str
) -> SuiteResult:
    """The yearly indicators' percentage check (core/cbs/suites.py), on the quarterly rows: the
    other three do not apply (four rows a year; a table need not have quarters)."""
    from via_pipeline.core.cbs.suites import CHECK_PERCENTAGES, checks, validation_frame

    [percentages] = [check for check in checks(catalogue) if check.name == CHECK_PERCENTAGES]
    return validate_frame(
        validation_frame(catalogue, frame, indicators=True), suite_name, percentages.expectations
    )


def write_quarterly_indicators(store: WarehouseStore, frame: pd.DataFrame) -> int:
    """Replace monitor.quarterly_indicators by `frame` in one transaction."""
    return store.replace(QUARTERLY_INDICATORS_TABLE, frame[QUARTERLY_INDICATOR_COLUMNS])


def write_quarterly_gaps(store: WarehouseStore) -> pd.DataFrame:
    """Rebuild monitor.quarterly_gaps inside the warehouse (INSERT ... SELECT, one transaction);
    returns the rows now stored, ordered."""
    insert = (
        "INSERT INTO monitor.quarterly_gaps (source_table, period, year, quarter, indicator, "
        "population_group, reference_group, breakdown, value, reference_value, gap_pp, "
        "gap_change_year_earlier_pp, status, provisional, decimals)\n"
    )
    with store.transaction() as conn:
        conn.execute(sa.text("DELETE FROM monitor.quarterly_gaps"))
        conn.execute(sa.text(insert + load_sql("build_monitor_quarterly_gaps")))
    return read_quarterly_gaps(store)


def read_quarterly_gaps(store: WarehouseStore) -> pd.DataFrame:
    """monitor.quarterly_gaps in a stable order (source table, series, period)."""
    frame = store.read_table(QUARTERLY_GAPS_TABLE)
    return frame[QUARTERLY_GAP_COLUMNS].sort_values(
        ["source_table", "indicator", "population_group", "reference_group", "period"],
        ignore_index=True,
    )
