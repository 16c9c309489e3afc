"""A past year's partner actions changed: which letters that makes stale, in one line.

The letter of a year reads that year's actions, compares them with the year before and sums up
the agenda over every earlier year (core/letter/across_years), so new actions for year Y make
the letters built already of Y and of every later year stale. Automation rebuilds only the
running year's letter; the inbox sensor asks for these (defs/partners/sensors.py), a CLI run
names the commands (cli/late_years.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def stale_letters(
    year: int, reporting_years: Sequence[int], built: Iterable[str], rebuilt: Iterable[int] = ()
) -> list[int]:
    """The reporting years from `year` on whose letter (annex partition) was built already and
    reads `year`'s actions, less those `rebuilt` anyway by the same run or command."""
    done = {str(key) for key in built}
    again = set(rebuilt)
    return [
        other
        for other in sorted(reporting_years)
        if other >= year and str(other) in done and other not in again
    ]


def late_file_line(file_name: str, year: int, running_year: int, later: Sequence[int]) -> str:
    """What the inbox sensor asks for with a past year's file, in one line."""
    then = (
        f"; then the letter of {_years(later)} (built already; its progress across years reads "
        f"{year}'s actions)"
        if later
        else ""
    )
    return (
        f"{file_name} is for past reporting year {year} (running year {running_year}): its run "
        f"rebuilds the letter of {year} too{then}"
    )


def stale_letters_line(year: int, stale: Sequence[int]) -> str | None:
    """After a CLI run that took in `year`'s files: the runs that bring the letters up to date."""
    if not stale:
        return None
    commands = " and ".join(f"`via-pipeline run --year {other}`" for other in stale)
    return (
        f"the letter of {_years(stale)} (built already) reads {year}'s actions, rebuilt just now: "
        f"rebuild it with {commands}"
    )


def _years(years: Sequence[int]) -> str:
    return ", ".join(str(other) for other in years)
