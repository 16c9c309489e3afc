"""Checks on monitor.gaps: each rule is a SQL file whose rows are the violations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import sqlalchemy as sa

from via_pipeline.core.expectations import ExpectationOutcome, SuiteResult
from via_pipeline.core.monitor.config import MonitorConfig
from via_pipeline.core.warehouse import WarehouseStore, load_sql

EXAMPLES_KEPT = 10


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


def find_gap_violations(
    store: WarehouseStore, check: GapCheck, config: MonitorConfig
) -> pd.DataFrame:
    """The rows of monitor.gaps (or missing rows) that break the check; empty when it holds."""
    statement = sa.text(load_sql(check.sql_file))
    # Each check file binds the parameters it names, out of these; the pairs compared are
    # monitor.comparisons, written with monitor.gaps.
    available: dict[str, Any] = {"tolerance": config.catch_up.tolerance}
    params = {
        name: value for name, value in available.items() if name in statement.compile().params
    }
    with store.engine.connect() as conn:
        result = conn.execute(statement, params)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def violations_suite_result(check: GapCheck, violations: pd.DataFrame) -> SuiteResult:
    """The findings as a suite result, so they are recorded like every other check's."""
    examples = tuple(
        ", ".join(f"{column}={value}" for column, value in row.items())
        for row in violations.head(EXAMPLES_KEPT).to_dict(orient="records")
    )
    outcome = ExpectationOutcome(
        expectation=check.expectation,
        column=None,
        success=violations.empty,
        unexpected_count=len(violations),
        examples=examples,
        details="; ".join(examples) if examples else "no violations",
    )
    return SuiteResult(suite_name=check.name, outcomes=(outcome,))
