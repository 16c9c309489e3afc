"""What the commands share: one-line output, the warehouse opened for writing under its lease."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from via_pipeline.cli.instance import say
from via_pipeline.core.runs.lease import short_run_id, write_lease
from via_pipeline.core.settings.environment import Settings
from via_pipeline.core.warehouse import WarehouseStore

__all__ = ["report_dead_runs", "say", "warehouse_for_writing", "writing"]


def warehouse_for_writing(settings: Settings) -> WarehouseStore:
    """The store; on PostgreSQL checked to answer (on DuckDB the write lease opens the file)."""
    store = WarehouseStore(settings.warehouse_url)
    if store.dialect == "postgresql":
        store.check_connection()
    return store


@contextmanager
def writing(store: WarehouseStore, settings: Settings, run_id: str) -> Iterator[None]:
    """The warehouse write lease, with progress lines while another run holds it."""
    with write_lease(store, run_id, settings.warehouse_lock_wait_seconds, report=say):
        yield


def report_dead_runs(run_ids: list[str], where: str) -> None:
    for run_id in run_ids:
        say(
            f"run {short_run_id(run_id)} was left started by a process that is gone: FAILED {where}"
        )
