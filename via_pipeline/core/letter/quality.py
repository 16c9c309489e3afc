"""Expectation suites for the letter tables, declared as data (GE runs only when a check does).

Each suite runs on the rows just written, prepared with derived columns where a rule spans
columns (GE's pandas expectations are per column), and is returned with the materialisation.
"""

from __future__ import annotations

import pandas as pd

from via_pipeline.core.letter.across_years.movements import MOVEMENTS
from via_pipeline.core.letter.check_names import ACTION_PROGRESS_CHECK as ACTION_PROGRESS_CHECK
from via_pipeline.core.letter.check_names import KEY_FIGURES_CHECK as KEY_FIGURES_CHECK
from via_pipeline.core.letter.check_names import PARTNER_REPORTING_CHECK as PARTNER_REPORTING_CHECK
from via_pipeline.core.letter.check_names import THEME_PROGRESS_CHECK as THEME_PROGRESS_CHECK
from via_pipeline.core.letter.key_figures import PROSE_MINUS
from via_pipeline.core.quality.expectations import Expectation

KEY_FIGURE_EXPECTATIONS = (
    Expectation("expect_column_values_to_not_be_null", {"column": "text_nl"}),
    Expectation("expect_column_values_to_not_be_null", {"column": "source"}),
    Expectation(
        "expect_column_values_to_not_match_regex",
        {"column": "text_nl", "regex": PROSE_MINUS.pattern},
    ),
    # A gap beyond 100 percentage points cannot come from two percentages.
    Expectation(
        "expect_column_values_to_be_between",
        {"column": "value", "min_value": -100, "max_value": 100},
    ),
    Expectation("expect_compound_columns_to_be_unique", {"column_list": ["figure_key", "year"]}),
)

THEME_PROGRESS_EXPECTATIONS = (
    Expectation("expect_compound_columns_to_be_unique", {"column_list": ["programme", "theme"]}),
    Expectation(
        "expect_column_values_to_be_in_set", {"column": "status_counts_add_up", "value_set": [True]}
    ),
    Expectation(
        "expect_column_values_to_be_in_set",
        {"column": "partners_not_more_than_actions", "value_set": [True]},
    ),
)

PARTNER_REPORTING_EXPECTATIONS = (
    Expectation(
        "expect_compound_columns_to_be_unique", {"column_list": ["programme", "partner_id"]}
    ),
    Expectation(
        "expect_column_values_to_be_in_set",
        {"column": "received_date_iff_accepted", "value_set": [True]},
    ),
    Expectation(
        "expect_column_values_to_be_in_set",
        {"column": "actions_only_with_accepted_file", "value_set": [True]},
    ),
)


def theme_progress_for_checks(frame: pd.DataFrame) -> pd.DataFrame:
    statuses = frame[["actions_planned", "actions_ongoing", "actions_completed", "actions_stopped"]]
    return frame.assign(
        status_counts_add_up=statuses.sum(axis=1) == frame["action_count"],
        partners_not_more_than_actions=frame["partners_reporting"] <= frame["action_count"],
    )


def partner_reporting_for_checks(frame: pd.DataFrame) -> pd.DataFrame:
    accepted = frame["has_accepted_submission"].astype(bool)
    return frame.assign(
        received_date_iff_accepted=accepted == frame["accepted_received_at"].notna(),
        actions_only_with_accepted_file=accepted | (frame["action_count"] == 0),
    )


ACTION_PROGRESS_EXPECTATIONS = (
    Expectation(
        "expect_compound_columns_to_be_unique",
        {"column_list": ["programme", "partner_id", "action_id"]},
    ),
    Expectation(
        "expect_column_values_to_be_in_set", {"column": "movement", "value_set": list(MOVEMENTS)}
    ),
    # A status can only come from a file the partner sent: never from a year it did not report.
    Expectation(
        "expect_column_values_to_be_in_set",
        {"column": "statuses_from_reporting_partners", "value_set": [True]},
    ),
)


def action_progress_for_checks(frame: pd.DataFrame) -> pd.DataFrame:
    previous_ok = frame["previous_status"].isna() | frame["partner_reported_previous"].astype(bool)
    current_ok = frame["current_status"].isna() | frame["partner_reported_current"].astype(bool)
    return frame.assign(statuses_from_reporting_partners=previous_ok & current_ok)
