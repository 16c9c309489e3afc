"""Checks on monitor.gaps: each rule is a SQL file whose rows are the violations."""

from __future__ import annotations

from typing import Any

import pandas as pd
import sqlalchemy as sa

from via_pipeline.core.monitor.config import MonitorConfig
from via_pipeline.core.quality.expectations import ExpectationOutcome, SuiteResult
from via_pipeline.core.quality.gap_checks import GAP_CHECKS as GAP_CHECKS
from via_pipeline.core.quality.gap_checks import GapCheck as GapCheck
from via_pipeline.core.warehouse import WarehouseStore, load_sql

EXAMPLES_KEPT = 10


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
