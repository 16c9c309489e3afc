"""Check results from GE suites are recorded in quality.validation_results on both engines."""

import dagster as dg
import pandas as pd

from via_pipeline.core.quality.expectations import Expectation, validate_frame
from via_pipeline.defs.quality import check_result_from_suite


def test_failed_suite_is_recorded_and_shown(store) -> None:
    frame = pd.DataFrame({"value": [3.2, 150.0, -1.0]})
    suite_result = validate_frame(
        frame,
        "percentages",
        [
            Expectation(
                "expect_column_values_to_be_between",
                {"column": "value", "min_value": 0, "max_value": 100},
            )
        ],
    )
    result = check_result_from_suite(
        store,
        run_id="run-1",
        check_name="percentages_within_bounds",
        suite_result=suite_result,
        asset_key=dg.AssetKey(["cbs", "observations"]),
        partition="2023",
    )
    assert result.passed is False
    assert result.severity == dg.AssetCheckSeverity.ERROR
    assert "150.0" in result.metadata["failures"].value
    rows = store.read_table("quality.validation_results")
    assert len(rows) == 1
    row = rows.iloc[0]
    assert (row.run_id, row.asset_key, row.partition, row.check_name) == (
        "run-1",
        "cbs/observations",
        "2023",
        "percentages_within_bounds",
    )
    assert not row.success
    assert row.unexpected_count == 2
