"""What `via-pipeline run` says after a past year's partner actions changed: the later letters
built already read them, and the runs that rebuild those (core/letter/late_files.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from via_pipeline.cli.plan import PARTNERS_ACTIONS

if TYPE_CHECKING:
    import dagster as dg


def say_later_letters(
    instance: dg.DagsterInstance, year: int, ran: tuple[str, ...], say: Callable[[str], None]
) -> None:
    """One line when this run rebuilt `year`'s actions and a later year's letter is built."""
    import dagster as dg

    from via_pipeline.core.letter.late_files import later_letters_built, later_letters_line
    from via_pipeline.defs.partitions import reporting_year_partitions

    if PARTNERS_ACTIONS not in ran:
        return
    years = [int(key) for key in reporting_year_partitions.get_partition_keys()]
    built = instance.get_materialized_partitions(dg.AssetKey(["letter", "annex"]))
    line = later_letters_line(year, later_letters_built(year, years, built))
    if line:
        say(line)
