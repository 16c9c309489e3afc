"""CBS StatLine as a Dagster resource: a thin holder of the core live and snapshot clients."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg

from via_pipeline.core.cbs.client import HttpPolicy, LiveCbsClient, SnapshotCbsClient
from via_pipeline.core.settings.environment import ConfigurationError, load_settings
from via_pipeline.core.settings.paths import SNAPSHOT_DIR

if TYPE_CHECKING:
    from via_pipeline.core.cbs.ingest import StatLineReader


class CbsStatLine(dg.ConfigurableResource):
    """CBS StatLine's OData feed (through cbsodata) and the bundled offline snapshot.

    Empty fields are read when a run starts (never at import): `source` from VIA_CBS_SOURCE
    (live, snapshot or auto: live falling back to the snapshot with a warning), `catalog_url`
    from VIA_CBS_CATALOG_URL, `use_https` from VIA_CBS_USE_HTTPS. Every request times out after
    `timeout_seconds`; connection errors, timeouts, cut-off answers and 5xx answers are retried
    `retries` times, waiting `backoff_seconds` doubled each time.
    """

    source: str = ""
    catalog_url: str = ""
    use_https: bool | None = None
    timeout_seconds: float = 30.0
    retries: int = 3
    backoff_seconds: float = 1.0
    snapshot_dir: str = ""

    def mode(self) -> str:
        mode = (self.source or load_settings().cbs_source).strip().lower()
        if mode not in ("live", "snapshot", "auto"):
            raise ConfigurationError(
                f"CbsStatLine.source: expected live, snapshot or auto, got {mode!r}"
            )
        return mode

    def live_client(self, warn: Callable[[str], None]) -> LiveCbsClient:
        settings = load_settings()
        return LiveCbsClient(
            catalog_url=self.catalog_url or settings.cbs_catalog_url,
            use_https=settings.cbs_use_https if self.use_https is None else self.use_https,
            policy=HttpPolicy(
                timeout_seconds=self.timeout_seconds,
                retries=self.retries,
                backoff_seconds=self.backoff_seconds,
            ),
            warn=warn,
        )

    def snapshot_client(self) -> SnapshotCbsClient:
        return SnapshotCbsClient(Path(self.snapshot_dir) if self.snapshot_dir else SNAPSHOT_DIR)

    def reader(self, warn: Callable[[str], None]) -> StatLineReader:
        """The reader for this run's mode; `warn` receives retry, fallback and keep-live notices."""
        from via_pipeline.core.cbs.ingest import StatLineReader

        mode = self.mode()
        live = None if mode == "snapshot" else self.live_client(warn)
        return StatLineReader(mode, live, self.snapshot_client(), warn=warn)
