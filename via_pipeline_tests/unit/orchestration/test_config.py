"""Guards config/orchestration.yaml: the shipped file loads, and every bad value names its key."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from via_pipeline.core.settings.config import ConfigFileError
from via_pipeline.core.settings.orchestration import (
    load_orchestration_config,
    parse_orchestration_config,
)

VALID: dict[str, Any] = {
    "timezone": "Europe/Amsterdam",
    "cbs_change_check": {"cron": "0 6 * * 1"},
    "yearly_build": {"month": 10, "day": 1, "hour": 6},
    "freshness": {
        "cbs_warn_after_days": 10,
        "cbs_fail_after_days": 21,
        "letter_deadline_month": 12,
        "letter_deadline_day": 1,
        "letter_build_window_days": 92,
    },
}


def with_value(section: str | None, key: str, value: Any) -> dict[str, Any]:
    raw = copy.deepcopy(VALID)
    (raw if section is None else raw[section])[key] = value
    return raw


def test_shipped_config_builds_the_yearly_build_in_october() -> None:
    config = load_orchestration_config()
    assert config.yearly_build_month == 10
    assert config.yearly_build_cron == "0 6 1 10 *"
    assert config.cbs_change_check_cron == "0 6 * * 1"
    assert config.letter_deadline_cron == "0 0 1 12 *"
    assert config.timezone == "Europe/Amsterdam"
    assert config.cbs_warn_after_days < config.cbs_fail_after_days


def test_month_from_config_sets_the_yearly_cron() -> None:
    config = parse_orchestration_config(with_value("yearly_build", "month", 9))
    assert config.yearly_build_cron == "0 6 1 9 *"


@pytest.mark.parametrize(
    ("section", "key", "value", "message"),
    [
        ("yearly_build", "month", 13, "`month` must be a whole number from 1 to 12, got 13"),
        ("yearly_build", "month", "oktober", "`month` must be a whole number from 1 to 12"),
        ("yearly_build", "month", True, "`month` must be a whole number"),
        ("yearly_build", "day", 32, "`day` must be a whole number from 1 to 31, got 32"),
        ("yearly_build", "hour", 24, "`hour` must be a whole number from 0 to 23"),
        ("cbs_change_check", "cron", "weekly", "`cbs_change_check.cron` must be a five-field cron"),
        (None, "timezone", "Mars/Olympus", "unknown `timezone` 'Mars/Olympus'"),
        ("freshness", "cbs_warn_after_days", 30, "`cbs_warn_after_days` (30) must be below"),
        ("freshness", "letter_deadline_month", 0, "`letter_deadline_month` must be a whole number"),
        ("freshness", "letter_build_window_days", 0, "`letter_build_window_days` must be a whole"),
    ],
)
def test_bad_values_name_the_key(section: str | None, key: str, value: Any, message: str) -> None:
    raw = with_value(section, key, value)
    with pytest.raises(ConfigFileError) as error:
        parse_orchestration_config(raw, "orchestration.yaml")
    assert message in str(error.value)
    assert str(error.value).startswith("orchestration.yaml")


def test_impossible_deadline_date_is_refused() -> None:
    raw = with_value("freshness", "letter_deadline_month", 2)
    raw["freshness"]["letter_deadline_day"] = 30
    with pytest.raises(ConfigFileError, match="letter_deadline day 30 does not exist in month 2"):
        parse_orchestration_config(raw)


def test_impossible_yearly_build_date_is_refused() -> None:
    raw = with_value("yearly_build", "month", 11)
    raw["yearly_build"]["day"] = 31
    with pytest.raises(ConfigFileError, match="yearly_build day 31 does not exist in month 11"):
        parse_orchestration_config(raw)


def test_missing_section_is_named() -> None:
    raw = copy.deepcopy(VALID)
    del raw["freshness"]
    with pytest.raises(ConfigFileError, match="`freshness` must be a mapping"):
        parse_orchestration_config(raw)
