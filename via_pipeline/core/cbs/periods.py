"""A StatLine table's periods: its whole years from the Perioden code list, whether each is
final, and which years are plausible at all."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from via_pipeline.core.cbs.catalogue import TableConfig
from via_pipeline.core.cbs.client import Record
from via_pipeline.core.cbs.titles import normalise_key, normalise_title

YEARLY_PERIOD = re.compile(r"^(?P<year>\d{4})JJ00$")
# Years a labour-force table can hold; 1900 or 2100 is a wrong period code, not a revision.
# The table's own years come from its Perioden code list (cbs_tables.yaml only warns).
PLAUSIBLE_FIRST_YEAR = 1950


def implausible_years(years: Sequence[int], this_year: int) -> list[int]:
    """Years before PLAUSIBLE_FIRST_YEAR or after next year."""
    return [y for y in years if y < PLAUSIBLE_FIRST_YEAR or y > this_year + 1]


# CBS marks a period's figures "Voorlopig" or "Nader voorlopig" until they are final
# ("Definitief"); a period without a status is treated as provisional, never as final.
FINAL_STATUSES = ("definitief",)


@dataclass(frozen=True)
class Period:
    code: str
    year: int
    provisional: bool


def is_provisional(status: object) -> bool:
    return normalise_title(status) not in FINAL_STATUSES


def yearly_periods(periods: Sequence[Record]) -> dict[str, Period]:
    """The JJ00 (whole year) periods of the Perioden code list, by stripped key."""
    result = {}
    for record in periods:
        code = normalise_key(record.get("Key"))
        match = YEARLY_PERIOD.match(code)
        if match:
            result[code] = Period(code, int(match["year"]), is_provisional(record.get("Status")))
    return result


def _year_list(years: list[int]) -> str:
    return ", ".join(str(y) for y in years)


def year_warnings(
    config: TableConfig, years: list[int], stored_years: tuple[int, ...] = ()
) -> list[str]:
    """Warnings about the years a table version covers: years outside the catalogue's
    expectation (first_year/last_year), and years not in the version stored before. The years
    are taken either way: they are what CBS publishes."""
    table_id = config.table_id
    warnings = []
    expected = f"{config.first_year or '...'}-{config.last_year or '...'}"
    outside = [
        y
        for y in years
        if (config.first_year is not None and y < config.first_year)
        or (config.last_year is not None and y > config.last_year)
    ]
    if outside:
        warnings.append(
            f"{table_id}: year(s) {_year_list(outside)} outside the expected {expected} "
            "(cbs_tables.yaml first_year/last_year); taken, as this table version has them"
        )
    if years and config.first_year is not None and min(years) > config.first_year:
        warnings.append(
            f"{table_id}: the table starts in {min(years)}, cbs_tables.yaml expects "
            f"{config.first_year}"
        )
    if years and config.last_year is not None and max(years) < config.last_year:
        warnings.append(
            f"{table_id}: the table ends in {max(years)}, cbs_tables.yaml expects "
            f"{config.last_year}"
        )
    added = sorted(set(years) - set(stored_years)) if stored_years else []
    if added:
        warnings.append(
            f"{table_id}: new year(s) {_year_list(added)} in this table version (stored before: "
            f"{min(stored_years)}-{max(stored_years)})"
        )
    return warnings
