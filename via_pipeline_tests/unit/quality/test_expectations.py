"""The GE suite runner: failing expectations are reported with counts and examples, never raised."""

import json
import logging

import pandas as pd
import pytest

from via_pipeline.core.quality.expectations import Expectation, validate_frame

PERCENT_SUITE = [
    Expectation(
        "expect_column_values_to_be_between", {"column": "value", "min_value": 0, "max_value": 100}
    ),
    Expectation(
        "expect_column_values_to_be_between",
        {"column": "year", "min_value": 2003, "max_value": 2021},
    ),
    Expectation("expect_column_to_exist", {"column": "unit"}),
]


@pytest.fixture(scope="module")
def bad_frame_result():
    frame = pd.DataFrame({"year": [2008, 2009, 2030], "value": [3.2, 150.0, None]})
    return validate_frame(frame, "percentages", PERCENT_SUITE)


def test_failures_carry_counts_and_examples(bad_frame_result) -> None:
    value_check, year_check, unit_check = bad_frame_result.outcomes
    assert not bad_frame_result.success
    assert (value_check.success, value_check.unexpected_count, value_check.examples) == (
        False,
        1,
        (150.0,),
    )
    assert (year_check.success, year_check.unexpected_count, year_check.examples) == (
        False,
        1,
        (2030,),
    )
    assert value_check.column == "value"
    assert json.loads(value_check.details)["examples"] == [150.0]
    assert unit_check.success is False


def test_result_rows_for_the_quality_table(bad_frame_result) -> None:
    rows = bad_frame_result.to_frame(
        run_id="r1", asset_key="cbs/observations", check_name="percentages"
    )
    assert list(rows["success"]) == [False, False, False]
    assert list(rows["unexpected_count"].fillna(-1)) == [1, 1, -1]
    assert rows.loc[0, "expectation"] == (
        "expect_column_values_to_be_between(column='value', min_value=0, max_value=100)"
    )


def test_good_frame_passes() -> None:
    frame = pd.DataFrame({"year": [2008, 2021], "value": [3.2, 67.9], "unit": ["%", "%"]})
    result = validate_frame(frame, "percentages", PERCENT_SUITE)
    assert result.success
    assert result.failures == ()


def test_outcomes_follow_the_suite_order_not_ges() -> None:
    """GE groups its results by column; each outcome must still belong to its own expectation."""
    frame = pd.DataFrame({"text": ["x -0,4 y", "ok"], "source": ["s", "s"]})
    suite = [
        Expectation("expect_column_values_to_not_be_null", {"column": "text"}),
        Expectation("expect_column_values_to_not_be_null", {"column": "source"}),
        Expectation("expect_column_values_to_not_match_regex", {"column": "text", "regex": "-0"}),
    ]
    result = validate_frame(frame, "order", suite)
    assert [outcome.success for outcome in result.outcomes] == [True, True, False]
    assert result.outcomes[2].examples == ("x -0,4 y",)
    assert result.outcomes[1].column == "source" and result.outcomes[1].examples == ()


def test_suites_log_nothing_from_great_expectations(caplog: pytest.LogCaptureFixture) -> None:
    """GE sets some of its loggers to INFO itself (the ephemeral docs folder line): none may
    reach a run's output, however many suites run in the process."""
    frame = pd.DataFrame({"x": [1, 2, 3]})
    rules = (Expectation("expect_column_values_to_not_be_null", {"column": "x"}),)
    with caplog.at_level(logging.DEBUG):
        first = validate_frame(frame, "quiet_one", rules)
        second = validate_frame(frame, "quiet_two", rules)
    assert first.success and second.success
    assert [r.name for r in caplog.records if r.name.startswith("great_expectations")] == []


LAZY_PROBE = """
import sys
import pandas as pd
from via_pipeline.core.quality.expectations import Expectation, validate_frame
result = validate_frame(
    pd.DataFrame({"a": [1, 2, 200]}),
    "probe",
    [Expectation("expect_column_values_to_be_between", {"column": "a", "max_value": 100})],
)
loaded = [n for n in ("scipy.stats", "altair") if type(sys.modules[n]).__name__ != "_DeferredModule"]
print(result.outcomes[0].unexpected_count, ",".join(loaded))
from scipy import stats
import altair
print(round(float(stats.norm.cdf(0)), 2), altair.Chart.__name__, type(sys.modules["altair"]).__name__)
"""


def test_suites_run_without_loading_what_great_expectations_imports_for_unused_expectations() -> (
    None
):
    """scipy.stats and altair (about 80 MiB) stay unloaded until something really uses them."""
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", LAZY_PROBE], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split("\n")[:2] == ["1 ", "0.5 Chart module"]
