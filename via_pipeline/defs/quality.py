"""Turning a Great Expectations suite result into a Dagster check result, recorded in the warehouse.

Every check that runs a suite goes through `check_result_from_suite`, so quality.validation_results
holds one row per expectation evaluated, whichever asset it guarded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import dagster as dg

from via_pipeline.core.files.markdown import markdown_frame

if TYPE_CHECKING:
    from via_pipeline.core.quality.expectations import SuiteResult
    from via_pipeline.core.warehouse import WarehouseStore


VALIDATION_RESULTS_TABLE = "quality.validation_results"


def failures_markdown(suite_result: SuiteResult) -> str:
    """The failed expectations with their counts and examples, for the check's page in the UI."""
    import pandas as pd

    failures = suite_result.failures
    if not failures:
        return "All expectations met."
    frame = pd.DataFrame(
        [
            {
                "expectation": outcome.expectation,
                "unexpected": outcome.unexpected_count,
                "examples": ", ".join(str(example) for example in outcome.examples)
                or outcome.details,
            }
            for outcome in failures
        ]
    )
    return markdown_frame(frame)


def check_result_from_suite(
    store: WarehouseStore,
    run_id: str,
    check_name: str,
    suite_result: SuiteResult,
    asset_key: dg.AssetKey,
    partition: str | None = None,
    severity: dg.AssetCheckSeverity = dg.AssetCheckSeverity.ERROR,
    metadata: Mapping[str, dg.RawMetadataValue] | None = None,
) -> dg.AssetCheckResult:
    """Record the suite's outcomes in quality.validation_results and return the check result
    (`metadata`: the check's own entries, after the counts and failures)."""
    store.insert(
        VALIDATION_RESULTS_TABLE,
        suite_result.to_frame(
            run_id=run_id,
            asset_key=asset_key.to_user_string(),
            check_name=check_name,
            partition=partition,
        ),
    )
    return dg.AssetCheckResult(
        asset_key=asset_key,
        check_name=check_name,
        passed=suite_result.success,
        severity=severity,
        metadata={
            "expectations": len(suite_result.outcomes),
            "failed_expectations": len(suite_result.failures),
            "failures": dg.MetadataValue.md(failures_markdown(suite_result)),
            **(metadata or {}),
        },
    )
