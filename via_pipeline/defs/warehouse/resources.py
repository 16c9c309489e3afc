"""The warehouse as a Dagster resource: a thin holder of core.warehouse.WarehouseStore."""

from __future__ import annotations

from functools import cached_property

import dagster as dg
from pydantic import PrivateAttr

from via_pipeline.core.settings import load_settings
from via_pipeline.core.warehouse import WarehouseStore


class Warehouse(dg.ConfigurableResource):
    """SQLAlchemy warehouse (DuckDB file by default, PostgreSQL in production).

    `url` empty means VIA_WAREHOUSE_URL, read when a run starts (never at import), falling
    back to the embedded DuckDB file under VIA_DATA_DIR.
    """

    url: str = ""
    _migrated: bool = PrivateAttr(default=False)

    @cached_property
    def store(self) -> WarehouseStore:
        return WarehouseStore(self.url or load_settings().warehouse_url)

    def migrated_store(self) -> WarehouseStore:
        """The store with every migration applied (once per resource instance)."""
        if not self._migrated:
            self.store.migrate()
            self._migrated = True
        return self.store

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if "store" in self.__dict__:
            self.store.dispose()
