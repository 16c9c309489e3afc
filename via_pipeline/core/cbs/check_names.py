"""The names and descriptions of the CBS checks: light (no pandas), so the code location can
declare its check specs without importing the suites (core/cbs/suites.py) that run them."""

from via_pipeline.core.cbs.periods import PLAUSIBLE_FIRST_YEAR

CHECK_PERCENTAGES = "percentages_within_bounds"
CHECK_YEARS = "years_within_table_period"
CHECK_UNIQUE = "one_row_per_table_year_group_indicator"
CHECK_FOUND = "configured_measures_and_groups_found"
CHECK_NAMES = (CHECK_PERCENTAGES, CHECK_YEARS, CHECK_UNIQUE, CHECK_FOUND)
CHECK_DESCRIPTIONS = {
    CHECK_PERCENTAGES: "Every percentage lies between 0 and 100.",
    CHECK_YEARS: (
        f"Every year is a plausible period of a published table: {PLAUSIBLE_FIRST_YEAR} to next "
        "year (the years themselves come from the table version read)."
    ),
    CHECK_UNIQUE: "One row per table, year, population group and indicator.",
    CHECK_FOUND: "Every configured measure and population group of every table has rows.",
}
