"""The expectation suites guarding cbs.observations and monitor.indicators, defined once here.

Both tables are checked on the same four statements, each a Dagster check of its own:
percentages within 0-100, years within the table's period, one row per (table, year, group,
indicator), and every configured measure and group present. The frame validated is built by
`validation_frame`, which puts both tables into the same shape (group and indicator codes, the
table's period as columns) so one suite definition serves both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd

from via_pipeline.core.cbs.catalogue import Catalogue

# The check names live in a light module (the code location declares its specs from them);
# re-exported here, where the suites are.
from via_pipeline.core.cbs.check_names import CHECK_DESCRIPTIONS as CHECK_DESCRIPTIONS
from via_pipeline.core.cbs.check_names import CHECK_FOUND as CHECK_FOUND
from via_pipeline.core.cbs.check_names import CHECK_NAMES as CHECK_NAMES
from via_pipeline.core.cbs.check_names import CHECK_PERCENTAGES as CHECK_PERCENTAGES
from via_pipeline.core.cbs.check_names import CHECK_UNIQUE as CHECK_UNIQUE
from via_pipeline.core.cbs.check_names import CHECK_YEARS as CHECK_YEARS
from via_pipeline.core.cbs.ingest import group_code
from via_pipeline.core.cbs.periods import PLAUSIBLE_FIRST_YEAR
from via_pipeline.core.cbs.titles import normalise_title
from via_pipeline.core.quality.expectations import Expectation, SuiteResult, validate_frame

PERCENT_UNITS = ("%", "percent")


@dataclass(frozen=True)
class NamedCheck:
    name: str
    expectations: tuple[Expectation, ...]


def validation_frame(
    catalogue: Catalogue, frame: pd.DataFrame, *, indicators: bool
) -> pd.DataFrame:
    """Either table as: table_id, year, population_group, indicator, percent_value, period bounds,
    and the table|group and table|indicator pairs found."""
    this_year = datetime.now(UTC).year
    tables = {t.table_id: t for t in catalogue.tables}
    table_column = "source_table" if indicators else "table_id"
    records = []
    for row in frame.to_dict("records"):
        table_id = str(row[table_column])
        table = tables.get(table_id)
        if indicators:
            group, indicator = row["population_group"], row["indicator"]
        elif table is not None:
            group = group_code(
                table, str(row["population_group_key"]), str(row["population_group_title"])
            )
            by_title = {normalise_title(m.title): m.indicator for m in table.measures}
            indicator = by_title.get(normalise_title(row["measure_title"]))
        else:
            group = indicator = None
        value = row["value"]
        records.append(
            {
                "table_id": table_id,
                "year": int(row["year"]),
                "population_group": group or f"unmapped:{row.get('population_group_key')}",
                "indicator": indicator or f"unmapped:{row.get('measure_key')}",
                "percent_value": None
                if pd.isna(value) or row["unit"] not in PERCENT_UNITS
                else float(value),
                "period_first": PLAUSIBLE_FIRST_YEAR if table else this_year + 2,
                "period_last": this_year + 1 if table else -1,
                "table_group": f"{table_id}|{group}",
                "table_indicator": f"{table_id}|{indicator}",
            }
        )
    columns = [
        "table_id",
        "year",
        "population_group",
        "indicator",
        "percent_value",
        "period_first",
        "period_last",
        "table_group",
        "table_indicator",
    ]
    result = pd.DataFrame.from_records(records, columns=columns)
    return result.astype({"percent_value": "float64"})


def checks(catalogue: Catalogue) -> tuple[NamedCheck, ...]:
    """The four checks, in the order of CHECK_NAMES."""
    groups = sorted(f"{t.table_id}|{g.group}" for t in catalogue.tables for g in t.groups)
    measures = sorted(f"{t.table_id}|{m.indicator}" for t in catalogue.tables for m in t.measures)
    return (
        NamedCheck(
            CHECK_PERCENTAGES,
            (
                Expectation(
                    "expect_column_values_to_be_between",
                    {"column": "percent_value", "min_value": 0, "max_value": 100},
                ),
            ),
        ),
        NamedCheck(
            CHECK_YEARS,
            (
                Expectation(
                    "expect_column_pair_values_a_to_be_greater_than_b",
                    {"column_A": "year", "column_B": "period_first", "or_equal": True},
                ),
                Expectation(
                    "expect_column_pair_values_a_to_be_greater_than_b",
                    {"column_A": "period_last", "column_B": "year", "or_equal": True},
                ),
            ),
        ),
        NamedCheck(
            CHECK_UNIQUE,
            (
                Expectation(
                    "expect_compound_columns_to_be_unique",
                    {"column_list": ["table_id", "year", "population_group", "indicator"]},
                ),
            ),
        ),
        NamedCheck(
            CHECK_FOUND,
            (
                Expectation(
                    "expect_column_distinct_values_to_contain_set",
                    {"column": "table_group", "value_set": groups},
                ),
                Expectation(
                    "expect_column_distinct_values_to_contain_set",
                    {"column": "table_indicator", "value_set": measures},
                ),
            ),
        ),
    )


def run_checks(
    catalogue: Catalogue, frame: pd.DataFrame, *, indicators: bool, suite_name: str
) -> dict[str, SuiteResult]:
    """Validate once (one GE context), and split the outcomes per check."""
    named = checks(catalogue)
    expectations: Sequence[Expectation] = [e for check in named for e in check.expectations]
    result = validate_frame(
        validation_frame(catalogue, frame, indicators=indicators), suite_name, expectations
    )
    split: dict[str, SuiteResult] = {}
    position = 0
    for check in named:
        count = len(check.expectations)
        split[check.name] = SuiteResult(
            f"{suite_name}.{check.name}", result.outcomes[position : position + count]
        )
        position += count
    return split
