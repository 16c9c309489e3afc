"""config/portal.yaml: the submission deadline of each reporting year, sessions and rate limits.

Every problem is a ConfigFileError naming the file and the key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from via_pipeline.core.settings.config import ConfigFileError, load_yaml
from via_pipeline.core.settings.paths import CONFIG_DIR

PORTAL_FILE = "portal.yaml"
# The first reporting year; the running year is the last (defs/partitions.py's partitions).
FIRST_REPORTING_YEAR = 2022


@dataclass(frozen=True)
class RateLimits:
    link_opens_per_minute: int
    uploads_per_minute: int
    requests_per_minute: int


@dataclass(frozen=True)
class PortalConfig:
    timezone: str
    deadline_month: int
    deadline_day: int
    deadline_time: time
    session_hours: int
    coordinator_link_days: int
    rate_limits: RateLimits
    deadlines: dict[int, datetime] = field(default_factory=dict)  # aware, in `timezone`

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def deadline(self, year: int) -> datetime:
        """The moment uploads for `year` close (aware, in the portal's time zone)."""
        if year in self.deadlines:
            return self.deadlines[year]
        return datetime.combine(
            date(year, self.deadline_month, self.deadline_day), self.deadline_time, self.zone
        )

    def deadline_text(self, year: int) -> str:
        """`15-09-2023 om 23:59` as partners read it."""
        return self.deadline(year).strftime("%d-%m-%Y om %H:%M")


def reporting_years(today: date) -> list[int]:
    """The reporting years partners can submit for: 2022 up to the running year."""
    return list(range(FIRST_REPORTING_YEAR, today.year + 1))


def now_utc() -> datetime:
    return datetime.now(UTC)


def _whole(section: dict[str, Any], key: str, where: str, low: int, high: int) -> int:
    value = section.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ConfigFileError(
            f"{where}: `{key}` must be a whole number {low}..{high}, got {value!r}"
        )
    return value


def _section(document: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    section = document.get(key)
    if not isinstance(section, dict):
        raise ConfigFileError(f"{where}: `{key}:` must be a mapping")
    return section


def _clock(text: object, where: str) -> time:
    try:
        return time.fromisoformat(str(text))
    except ValueError:
        raise ConfigFileError(f"{where}: `time` must be HH:MM, got {text!r}") from None


def parse_portal_config(document: Any, where: str) -> PortalConfig:
    if not isinstance(document, dict):
        raise ConfigFileError(f"{where}: expected a mapping")
    timezone = str(document.get("timezone") or "")
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigFileError(f"{where}: `timezone` is no known time zone: {timezone!r}") from None
    deadline = _section(document, "submission_deadline", where)
    month = _whole(deadline, "month", f"{where} submission_deadline", 1, 12)
    day = _whole(deadline, "day", f"{where} submission_deadline", 1, 31)
    try:
        date(2024, month, day)
    except ValueError:
        raise ConfigFileError(f"{where}: submission_deadline {day}-{month} is no date") from None
    overrides: dict[int, datetime] = {}
    for year, text in (document.get("deadlines") or {}).items():
        try:
            moment = datetime.strptime(str(text), "%Y-%m-%d %H:%M").replace(tzinfo=zone)
        except ValueError:
            raise ConfigFileError(
                f'{where}: deadlines `{year}` must be "YYYY-MM-DD HH:MM", got {text!r}'
            ) from None
        if not isinstance(year, int):
            raise ConfigFileError(f"{where}: deadlines: `{year}` is no year")
        overrides[year] = moment
    limits = _section(document, "rate_limits", where)
    return PortalConfig(
        timezone=timezone,
        deadline_month=month,
        deadline_day=day,
        deadline_time=_clock(deadline.get("time", "23:59"), f"{where} submission_deadline"),
        session_hours=_whole(document, "session_hours", where, 1, 24 * 7),
        coordinator_link_days=_whole(document, "coordinator_link_days", where, 1, 366),
        rate_limits=RateLimits(
            *(
                _whole(limits, key, f"{where} rate_limits", 1, 100_000)
                for key in RateLimits.__dataclass_fields__
            )
        ),
        deadlines=overrides,
    )


def load_portal_config(config_dir: Path = CONFIG_DIR) -> PortalConfig:
    return parse_portal_config(load_yaml(PORTAL_FILE, config_dir), str(config_dir / PORTAL_FILE))
