"""What `via-pipeline run` says after a year's partner actions changed: the letters built already
that read them (that year's, later years') and the runs that rebuild those
(core/letter/late_files.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from via_pipeline.cli.plan import PARTNERS_ACTIONS

if TYPE_CHECKING:
    import dagster as dg


def say_stale_letters(
    instance: dg.DagsterInstance,
    year: int,
    ran: tuple[str, ...],
    say: Callable[[str], None],
    rebuilt: tuple[int, ...] = (),
) -> None:
    """One line when a run rebuilt `year`'s actions (`ran` holds partners/actions) and a letter
    built already reads them, other than those of the years `rebuilt` by this command."""
    import dagster as dg

    from via_pipeline.core.letter.late_files import stale_letters, stale_letters_line
    from via_pipeline.defs.partitions import reporting_year_partitions

    if PARTNERS_ACTIONS not in ran:
        return
    years = [int(key) for key in reporting_year_partitions.get_partition_keys()]
    built = instance.get_materialized_partitions(dg.AssetKey(["letter", "annex"]))
    line = stale_letters_line(year, stale_letters(year, years, built, rebuilt))
    if line:
        say(line)
