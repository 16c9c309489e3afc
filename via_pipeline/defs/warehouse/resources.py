"""The warehouse as a Dagster resource: a thin holder of core.warehouse.WarehouseStore.

In a run it holds the warehouse write lease (core/runs/lease.py) from the run's start to its end, so
runs launched from the UI, by sensors or schedules write one at a time like CLI runs do.
"""

from __future__ import annotations

from contextlib import ExitStack
from functools import cached_property
from typing import TYPE_CHECKING

import dagster as dg
from pydantic import PrivateAttr

from via_pipeline.core.settings.environment import load_settings

if TYPE_CHECKING:
    from via_pipeline.core.warehouse import WarehouseStore


class Warehouse(dg.ConfigurableResource):
    """SQLAlchemy warehouse (DuckDB file by default, PostgreSQL in production).

    `url` empty means VIA_WAREHOUSE_URL, read when a run starts (never at import), falling
    back to the embedded DuckDB file under VIA_DATA_DIR. `lock_wait_seconds` below zero means
    VIA_WAREHOUSE_LOCK_WAIT_SECONDS.
    """

    url: str = ""
    lock_wait_seconds: float = -1.0
    _migrated: bool = PrivateAttr(default=False)
    _lease: ExitStack = PrivateAttr(default_factory=ExitStack)

    @cached_property
    def store(self) -> WarehouseStore:
        from via_pipeline.core.warehouse import WarehouseStore

        return WarehouseStore(self.url or load_settings().warehouse_url)

    def migrated_store(self) -> WarehouseStore:
        """The store with every migration applied (once per resource instance)."""
        if not self._migrated:
            self.store.migrate()
            self._migrated = True
        return self.store

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        # Sensors build resources without a run: they write one row and take no lease.
        from via_pipeline.core.runs.lease import write_lease

        if context.run is None:
            return
        wait = (
            self.lock_wait_seconds
            if self.lock_wait_seconds >= 0
            else load_settings().warehouse_lock_wait_seconds
        )
        self._lease.enter_context(
            write_lease(
                self.store,
                context.run.run_id,
                wait,
                context.log.info if context.log is not None else None,
            )
        )

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        self._lease.close()
        if "store" in self.__dict__:
            self.store.dispose()
