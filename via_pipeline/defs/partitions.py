"""Partitions shared by the domains: one per reporting year of the progress letter."""

import dagster as dg

# The letter of year Y is written in Y (the 2023 letter reports on 2023's actions), so the
# running year is a partition already: end_offset=1 opens it on 1 January.
reporting_year_partitions = dg.TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1 *",
    fmt="%Y",
    start="2022",
    end_offset=1,
)
