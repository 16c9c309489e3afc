"""How many key figures the bundled snapshot leaves unavailable: the line the run's summary and
`via-pipeline status` print, so an operator knows the annex's n.b. come from the offline
snapshot and how to fill them (`via-pipeline cbs record` with network).

The snapshot's recording date comes from snapshots/cbs/recordings.csv (written by `cbs record`),
trusted only while the stored table's version is the bundled snapshot's fingerprint.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from via_pipeline.core.cbs.client import SnapshotCbsClient
from via_pipeline.core.cbs.record import RECORDINGS_FILE
from via_pipeline.core.letter.config import KeyFigureConfig
from via_pipeline.core.settings.paths import SNAPSHOT_DIR
from via_pipeline.core.warehouse import WarehouseStore


def recorded_dates(snapshot_dir: Path = SNAPSHOT_DIR) -> dict[str, str]:
    """table_id -> the date (ISO) its snapshot folder was recorded; empty when not listed."""
    path = snapshot_dir / RECORDINGS_FILE
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["table_id"]: row["recorded_on"] for row in csv.DictReader(handle)}


@dataclass(frozen=True)
class SnapshotAvailability:
    """Of one reporting year's key figures (letter.key_figures rows: statement x year quoted),
    how many are not available while their table was read from the snapshot."""

    reporting_year: int
    unavailable: int
    total: int
    recorded_on: tuple[str, ...]  # the snapshot tables' recording dates; "" when unknown

    def line(self) -> str:
        dates = sorted({d for d in self.recorded_on if d})
        if not dates or "" in self.recorded_on:
            when = "the bundled snapshot (recording date not known)"
        elif len(dates) == 1:
            when = f"the snapshot recorded on {dates[0]}"
        else:
            when = f"the snapshot recorded on {' and '.join(dates)}"
        return (
            f"reporting year {self.reporting_year}: on {when}, {self.unavailable} of "
            f"{self.total} key figures are not available; run `via-pipeline cbs record` with "
            "network to fill them."
        )


def snapshot_availability(
    key_figures: pd.DataFrame,
    tables: pd.DataFrame,
    config: KeyFigureConfig,
    snapshot_dir: Path = SNAPSHOT_DIR,
) -> list[SnapshotAvailability]:
    """One entry per reporting year with an unavailable figure whose table is from the snapshot.

    `key_figures`: reporting_year, figure_key, value; `tables`: table_id, source, source_version
    (cbs.tables).
    """
    snapshot_tables = {
        str(row.table_id): None if pd.isna(row.source_version) else str(row.source_version)
        for row in tables.itertuples(index=False)
        if row.source == "snapshot"
    }
    if not snapshot_tables or key_figures.empty:
        return []
    table_of = {spec.figure_key: spec.source_table for spec in config.figures}
    dates = recorded_dates(snapshot_dir)
    client = SnapshotCbsClient(snapshot_dir)

    def recorded_on(table_id: str) -> str:
        bundled = (snapshot_dir / table_id).is_dir() and (
            snapshot_tables[table_id] == f"snapshot-sha256:{client.fingerprint(table_id)}"
        )
        return dates.get(table_id, "") if bundled else ""

    result = []
    for year, rows in key_figures.groupby("reporting_year", sort=True):
        from_snapshot = rows["figure_key"].map(table_of).isin(list(snapshot_tables))
        missing = rows[from_snapshot & rows["value"].isna()]
        if missing.empty:
            continue
        used = sorted({table_of[key] for key in rows.loc[from_snapshot, "figure_key"]})
        result.append(
            SnapshotAvailability(
                int(str(year)),
                len(missing),
                len(rows),
                tuple(recorded_on(table_id) for table_id in used),
            )
        )
    return result


def read_snapshot_availability(
    store: WarehouseStore, config: KeyFigureConfig, reporting_year: int | None = None
) -> list[SnapshotAvailability]:
    """snapshot_availability from the warehouse, for one reporting year or all."""
    key_figures = store.read("SELECT reporting_year, figure_key, value FROM letter.key_figures")
    if reporting_year is not None:
        key_figures = key_figures[key_figures["reporting_year"] == reporting_year]
    tables = store.read("SELECT table_id, source, source_version FROM cbs.tables")
    return snapshot_availability(key_figures, tables, config)
