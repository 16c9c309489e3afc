"""Guards the letter tables' expectation suites, passing on good rows and failing, on the right
expectation, on bad ones: a minus sign in prose, a missing source, status counts that do not add
up, a receipt date without an accepted file, actions without one."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from via_pipeline.core.letter.quality import (
    ACTION_PROGRESS_EXPECTATIONS,
    KEY_FIGURE_EXPECTATIONS,
    PARTNER_REPORTING_EXPECTATIONS,
    THEME_PROGRESS_EXPECTATIONS,
    action_progress_for_checks,
    partner_reporting_for_checks,
    theme_progress_for_checks,
)
from via_pipeline.core.quality.expectations import validate_frame


def failed(result) -> list[str]:
    return [outcome.expectation for outcome in result.failures]


def test_key_figures_suite() -> None:
    good = pd.DataFrame(
        {
            "programme": "via",  # the key includes it (issue 27)
            "figure_key": ["a", "a", "b"],
            "year": [2008, 2022, 2008],
            "value": [3.2, None, -6.9],
            "text_nl": ["3,2 procentpunten in buiten-Europese", "idem", "2008-2022 6,9"],
            "source": ["Bron: CBS", "Bron: CBS", "Bron: CBS"],
        }
    )
    assert validate_frame(good, "kf_good", KEY_FIGURE_EXPECTATIONS).success
    bad = good.assign(text_nl=["verschil -0,4 procentpunt", "idem", "x"], source=["s", None, "s"])
    bad.loc[2, "value"] = 150.0
    bad.loc[1, "year"] = 2008
    result = validate_frame(bad, "kf_bad", KEY_FIGURE_EXPECTATIONS)
    assert len(failed(result)) == 4
    assert failed(result)[0].startswith("expect_column_values_to_not_be_null(column='source'")
    regex = next(o for o in result.outcomes if "not_match_regex" in o.expectation)
    assert regex.examples == ("verschil -0,4 procentpunt",)
    assert result.outcomes[0].success  # text_nl present everywhere


def test_theme_progress_suite() -> None:
    good = pd.DataFrame(
        {
            "programme": "via",  # the key includes it (issue 27)
            "theme": ["a", "b"],
            "partners_reporting": [2, 0],
            "action_count": [3, 0],
            "actions_planned": [1, 0],
            "actions_ongoing": [0, 0],
            "actions_completed": [2, 0],
            "actions_stopped": [0, 0],
        }
    )
    assert validate_frame(
        theme_progress_for_checks(good), "tp_good", THEME_PROGRESS_EXPECTATIONS
    ).success
    bad = good.assign(actions_planned=[5, 0], partners_reporting=[2, 1])
    result = validate_frame(theme_progress_for_checks(bad), "tp_bad", THEME_PROGRESS_EXPECTATIONS)
    assert [o.success for o in result.outcomes] == [True, False, False]
    # The same theme in two programmes' letters is two rows, each once.
    both = pd.concat([good, good.assign(programme="statushouders")], ignore_index=True)
    checked = validate_frame(
        theme_progress_for_checks(both), "tp_both", THEME_PROGRESS_EXPECTATIONS
    )
    assert checked.success
    twice = pd.concat([good, good], ignore_index=True)
    checked = validate_frame(
        theme_progress_for_checks(twice), "tp_twice", THEME_PROGRESS_EXPECTATIONS
    )
    assert [o.success for o in checked.outcomes] == [False, True, True]


def test_partner_reporting_suite() -> None:
    good = pd.DataFrame(
        {
            "programme": "via",  # the key includes it (issue 27)
            "partner_id": ["fnv", "abu"],
            "has_accepted_submission": [True, False],
            "accepted_received_at": [datetime(2023, 3, 1), None],
            "action_count": [3, 0],
        }
    )
    assert validate_frame(
        partner_reporting_for_checks(good), "pr_good", PARTNER_REPORTING_EXPECTATIONS
    ).success
    bad = good.assign(
        partner_id=["fnv", "fnv"], accepted_received_at=[None, None], action_count=[3, 2]
    )
    result = validate_frame(
        partner_reporting_for_checks(bad), "pr_bad", PARTNER_REPORTING_EXPECTATIONS
    )
    assert [o.success for o in result.outcomes] == [False, False, False]


def test_action_progress_suite() -> None:
    good = pd.DataFrame(
        {
            "programme": "via",  # the key includes it (issue 27)
            "partner_id": ["abu", "abu", "vng"],
            "action_id": ["1", "2", "1"],
            "movement": ["completed", "new", "partner_absent_current"],
            "previous_status": ["lopend", None, "lopend"],
            "current_status": ["afgerond", "gepland", None],
            "partner_reported_previous": [True, True, True],
            "partner_reported_current": [True, True, False],
        }
    )
    assert validate_frame(
        action_progress_for_checks(good), "ap_good", ACTION_PROGRESS_EXPECTATIONS
    ).success
    # vng "has" a 2023 status although it sent no file; abu 1 twice; an unknown movement.
    bad = good.assign(
        action_id=["1", "1", "1"],
        movement=["completed", "dropped", "partner_absent_current"],
        current_status=["afgerond", "gepland", "lopend"],
    )
    result = validate_frame(action_progress_for_checks(bad), "ap_bad", ACTION_PROGRESS_EXPECTATIONS)
    assert [o.success for o in result.outcomes] == [False, False, False]
