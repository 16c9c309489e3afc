"""Plausibility warnings on CBS figures (docs/methodology.md, "Plausibility warnings"):
  config    monitor.yaml's `plausibility:` block (move limits, rate bounds, revision_warning_pp)
  findings  the odd figures of monitor.indicators, each naming table, measure, group, years, values
  report    warning lines (capped), the Markdown table, the suite result recorded
Warnings, never blocking: a finding is for a reader to confirm against CBS, not an error."""

from via_pipeline.core.monitor.plausibility.config import (
    RATE_UNIT,
    MoveLimit,
    PlausibilityConfig,
    load_plausibility_config,
    load_revision_warning_pp,
    parse_plausibility_config,
)
from via_pipeline.core.monitor.plausibility.findings import (
    RATE_BOUNDS,
    YEAR_MOVE,
    Finding,
    SeriesNames,
    find_findings,
    find_rates_out_of_bounds,
    find_year_moves,
    load_series_names,
)
from via_pipeline.core.monitor.plausibility.report import (
    WARNING_LINES_SHOWN,
    findings_markdown,
    findings_suite_result,
    warning_lines,
)

__all__ = [
    "RATE_BOUNDS",
    "RATE_UNIT",
    "WARNING_LINES_SHOWN",
    "YEAR_MOVE",
    "Finding",
    "MoveLimit",
    "PlausibilityConfig",
    "SeriesNames",
    "find_findings",
    "find_rates_out_of_bounds",
    "find_year_moves",
    "findings_markdown",
    "findings_suite_result",
    "load_plausibility_config",
    "load_revision_warning_pp",
    "load_series_names",
    "parse_plausibility_config",
    "warning_lines",
]
