"""The orchestration settings of config/orchestration.yaml: schedules and freshness limits, checked.

Read once where schedules and freshness policies are defined. Every problem is a ConfigFileError
naming the file and the key, so `dagster definitions validate` fails with one clear line.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from via_pipeline.core.settings.config import ConfigFileError, load_yaml
from via_pipeline.core.settings.paths import CONFIG_DIR

ORCHESTRATION_FILE = "orchestration.yaml"
CRON_FIELDS = 5


@dataclass(frozen=True)
class OrchestrationConfig:
    timezone: str
    cbs_change_check_cron: str
    yearly_build_month: int
    yearly_build_day: int
    yearly_build_hour: int
    cbs_warn_after_days: int
    cbs_fail_after_days: int
    letter_deadline_month: int
    letter_deadline_day: int
    letter_build_window_days: int

    @property
    def yearly_build_cron(self) -> str:
        return f"0 {self.yearly_build_hour} {self.yearly_build_day} {self.yearly_build_month} *"

    @property
    def letter_deadline_cron(self) -> str:
        return f"0 0 {self.letter_deadline_day} {self.letter_deadline_month} *"


def _section(raw: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = raw.get(key)
    if not isinstance(value, dict):
        raise ConfigFileError(f"{where}: `{key}` must be a mapping")
    return value


def _whole_number(section: dict[str, Any], key: str, where: str, low: int, high: int) -> int:
    value = section.get(key)
    # bool is an int in Python; `true` is never a month.
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigFileError(
            f"{where}: `{key}` must be a whole number from {low} to {high}, got {value!r}"
        )
    return value


def _valid_day_of_month(month: int, day: int, what: str, where: str) -> None:
    try:
        date(2024, month, day)  # a leap year, so 29 February passes
    except ValueError:
        raise ConfigFileError(
            f"{where}: {what} day {day} does not exist in month {month}"
        ) from None


def parse_orchestration_config(raw: Any, where: str = ORCHESTRATION_FILE) -> OrchestrationConfig:
    """Check the parsed YAML and return its settings; the error names the key at fault."""
    if not isinstance(raw, dict):
        raise ConfigFileError(f"{where}: expected a mapping at the top level")
    timezone = raw.get("timezone")
    if not isinstance(timezone, str) or not timezone:
        raise ConfigFileError(f"{where}: `timezone` must be an IANA name such as Europe/Amsterdam")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigFileError(f"{where}: unknown `timezone` {timezone!r}") from None

    check = _section(raw, "cbs_change_check", where)
    cron = check.get("cron")
    if not isinstance(cron, str) or len(cron.split()) != CRON_FIELDS:
        raise ConfigFileError(
            f"{where}: `cbs_change_check.cron` must be a five-field cron string, got {cron!r}"
        )

    yearly = _section(raw, "yearly_build", where)
    month = _whole_number(yearly, "month", f"{where} yearly_build", 1, 12)
    day = _whole_number(yearly, "day", f"{where} yearly_build", 1, 31)
    _valid_day_of_month(month, day, "yearly_build", where)
    hour = _whole_number(yearly, "hour", f"{where} yearly_build", 0, 23)

    fresh = _section(raw, "freshness", where)
    warn_days = _whole_number(fresh, "cbs_warn_after_days", f"{where} freshness", 1, 3660)
    fail_days = _whole_number(fresh, "cbs_fail_after_days", f"{where} freshness", 1, 3660)
    if warn_days >= fail_days:
        raise ConfigFileError(
            f"{where}: freshness `cbs_warn_after_days` ({warn_days}) must be below "
            f"`cbs_fail_after_days` ({fail_days})"
        )
    deadline_month = _whole_number(fresh, "letter_deadline_month", f"{where} freshness", 1, 12)
    deadline_day = _whole_number(fresh, "letter_deadline_day", f"{where} freshness", 1, 31)
    _valid_day_of_month(deadline_month, deadline_day, "letter_deadline", where)
    window = _whole_number(fresh, "letter_build_window_days", f"{where} freshness", 1, 365)
    return OrchestrationConfig(
        timezone=timezone,
        cbs_change_check_cron=cron,
        yearly_build_month=month,
        yearly_build_day=day,
        yearly_build_hour=hour,
        cbs_warn_after_days=warn_days,
        cbs_fail_after_days=fail_days,
        letter_deadline_month=deadline_month,
        letter_deadline_day=deadline_day,
        letter_build_window_days=window,
    )


def load_orchestration_config(config_dir: Path = CONFIG_DIR) -> OrchestrationConfig:
    """config/orchestration.yaml, parsed and checked."""
    return parse_orchestration_config(
        load_yaml(ORCHESTRATION_FILE, config_dir), str(config_dir / ORCHESTRATION_FILE)
    )


def letter_deadline(year: int, config: OrchestrationConfig) -> datetime:
    """Midnight at the start of the deadline day of reporting year `year`, in the configured zone."""
    return datetime(
        year,
        config.letter_deadline_month,
        config.letter_deadline_day,
        tzinfo=ZoneInfo(config.timezone),
    )


def overdue_letter_year(
    now: datetime, config: OrchestrationConfig, built_years: Collection[str], first_year: int
) -> str | None:
    """The reporting year of the last deadline passed, if its letter was not built; else None.

    Only the most recent deadline counts: an older year missed once was reported then.
    """
    local_now = now.astimezone(ZoneInfo(config.timezone))
    year = (
        local_now.year
        if local_now >= letter_deadline(local_now.year, config)
        else local_now.year - 1
    )
    if year < first_year or str(year) in built_years:
        return None
    return str(year)
