"""Guards the line the run's summary and `status` print about key figures the bundled snapshot
leaves unavailable: its counts, the recording date, and when the date is not claimed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from via_pipeline.core.cbs.client import SnapshotCbsClient
from via_pipeline.core.letter.availability import snapshot_availability
from via_pipeline.core.letter.config import load_key_figure_config
from via_pipeline.core.settings.paths import SNAPSHOT_DIR

CONFIG = load_key_figure_config()


def key_figures(year: int, values: dict[str, list[float | None]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"reporting_year": year, "figure_key": key, "value": value}
            for key, row in values.items()
            for value in row
        ]
    )


def tables(source_85456: str, version_85456: str | None = None) -> pd.DataFrame:
    client = SnapshotCbsClient()
    return pd.DataFrame(
        [
            {
                "table_id": "82809NED",
                "source": "snapshot",
                "source_version": f"snapshot-sha256:{client.fingerprint('82809NED')}",
            },
            {
                "table_id": "85456NED",
                "source": source_85456,
                "source_version": version_85456
                or f"snapshot-sha256:{client.fingerprint('85456NED')}",
            },
        ]
    )


FIGURES = {
    "werkloosheid_buiten_europa_vs_bevolking": [None],
    "werkloosheid_niet_westers_vs_bevolking": [None, 3.9],
    "participatie_buiten_europa_vs_bevolking": [None],
}


def test_counts_and_names_the_recording_date() -> None:
    [found] = snapshot_availability(key_figures(2025, FIGURES), tables("snapshot"), CONFIG)
    assert (found.reporting_year, found.unavailable, found.total) == (2025, 3, 4)
    assert found.line() == (
        "reporting year 2025: on the snapshot recorded on 2026-11-30, 3 of 4 key figures are not "
        "available; run `via-pipeline cbs record` with network to fill them."
    )


def test_only_figures_of_snapshot_tables_count() -> None:
    """85456NED read live: its n.b. are CBS's own; only 82809NED's one counts."""
    [found] = snapshot_availability(
        key_figures(2025, FIGURES), tables("live", "modified:2026-02-13T02:00:00"), CONFIG
    )
    assert (found.unavailable, found.total) == (1, 4)
    everything_live = tables("live").assign(source="live")
    assert snapshot_availability(key_figures(2025, FIGURES), everything_live, CONFIG) == []
    filled = {"werkloosheid_niet_westers_vs_bevolking": [1.0, 3.9]}
    assert snapshot_availability(key_figures(2025, filled), tables("snapshot"), CONFIG) == []


@pytest.mark.parametrize("change", ["other_version", "no_recordings_file"])
def test_no_date_is_claimed_for_a_snapshot_that_is_not_the_bundled_one(
    tmp_path: Path, change: str
) -> None:
    snapshot = tmp_path / "snapshot"
    shutil.copytree(SNAPSHOT_DIR, snapshot)
    stored = tables("snapshot")
    if change == "other_version":
        stored.loc[stored.table_id == "85456NED", "source_version"] = "snapshot-sha256:older"
    else:
        (snapshot / "recordings.csv").unlink()
    [found] = snapshot_availability(key_figures(2024, FIGURES), stored, CONFIG, snapshot)
    assert found.line().startswith(
        "reporting year 2024: on the bundled snapshot (recording date not known), 3 of 4 key "
        "figures are not available"
    )
