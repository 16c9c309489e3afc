"""The rules monitor.gaps must satisfy, declared as data: light (no pandas, no SQLAlchemy), so the
code location declares one check per rule without importing the core.monitor package, which runs them."""

from dataclasses import dataclass


@dataclass(frozen=True)
class GapCheck:
    """A rule monitor.gaps must satisfy, found violated by the rows of one SQL file."""

    name: str
    sql_file: str
    expectation: str


GAP_CHECKS = (
    GapCheck(
        name="gaps_equal_value_minus_reference",
        sql_file="find_monitor_gaps_miscomputed",
        expectation="gap_pp = value - reference_value within 1e-9",
    ),
    GapCheck(
        name="gaps_compare_within_one_source_table",
        sql_file="find_monitor_gaps_crossing_tables",
        expectation="value and reference_value are the figures of the row's own source_table",
    ),
    GapCheck(
        name="latest_year_groups_have_gap_rows",
        sql_file="find_monitor_gaps_missing_latest_year",
        expectation=(
            "every group with a figure in its table's latest year has a gap row against every "
            "reference group with a figure that year"
        ),
    ),
)
