"""Monitoring metrics: gaps between population groups and the structural catch-up verdict.

The arithmetic runs in the warehouse (sql/build_monitor_gaps.sql, sql/build_monitor_trends.sql)
so it is the same on DuckDB and PostgreSQL and stays in the database as data grows. This package
holds what SQL should not, one concern a module:
  config    config/monitor.yaml (baseline year, reference groups, catch-up rule)
  rules     the catch-up rule read from one series' figures
  wording   the Dutch reason sentence (via_pipeline.core.dutch's number formatting)
  tables    building monitor.gaps and monitor.trends through the SQL files
  checks    the findings of the gap checks
docs/methodology.md defines every metric in words.
"""

from via_pipeline.core.monitor.checks import (
    EXAMPLES_KEPT,
    GAP_CHECKS,
    GapCheck,
    find_gap_violations,
    violations_suite_result,
)
from via_pipeline.core.monitor.config import (
    CONFIG_FILE,
    TOLERANCE,
    CatchUpRule,
    MonitorConfig,
    MonitorError,
    load_monitor_config,
    parse_monitor_config,
)
from via_pipeline.core.monitor.rules import CatchUpConditions, TrendFigures, catch_up_conditions
from via_pipeline.core.monitor.tables import (
    COMPARISONS_TABLE,
    GAP_COLUMNS,
    GAP_DTYPES,
    GAPS_TABLE,
    TREND_COLUMNS,
    TRENDS_TABLE,
    GapsBuild,
    comparisons_frame,
    select_gaps,
    select_trends,
    write_comparisons,
    write_gaps,
    write_trends,
)
from via_pipeline.core.monitor.wording import reason_nl

__all__ = [
    "COMPARISONS_TABLE",
    "CONFIG_FILE",
    "EXAMPLES_KEPT",
    "GAPS_TABLE",
    "GAP_CHECKS",
    "GAP_COLUMNS",
    "GAP_DTYPES",
    "TOLERANCE",
    "TRENDS_TABLE",
    "TREND_COLUMNS",
    "CatchUpConditions",
    "CatchUpRule",
    "GapCheck",
    "GapsBuild",
    "MonitorConfig",
    "MonitorError",
    "TrendFigures",
    "catch_up_conditions",
    "comparisons_frame",
    "find_gap_violations",
    "load_monitor_config",
    "parse_monitor_config",
    "reason_nl",
    "select_gaps",
    "select_trends",
    "violations_suite_result",
    "write_comparisons",
    "write_gaps",
    "write_trends",
]
