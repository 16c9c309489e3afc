"""Guards `via-pipeline cbs check` and `via-pipeline cbs record` against the replay server
serving tables in the shape CBS publishes them: check prints the resolution and exits 0, or 1
naming what does not resolve with the nearest titles; record rewrites a snapshot that then
gives the same monitor.indicators as the live run."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from via_pipeline.cli import main
from via_pipeline.core.cbs.titles import normalise_title
from via_pipeline.core.settings.paths import SNAPSHOT_DIR
from via_pipeline.core.warehouse import WarehouseStore
from via_pipeline.defs.cbs.assets import cbs_tables_and_observations, monitor_indicators
from via_pipeline.defs.cbs.resources import CbsStatLine
from via_pipeline.defs.warehouse.resources import Warehouse
from via_pipeline_tests.support.cbs_replay import CbsReplayServer
from via_pipeline_tests.support.cbs_tables import GROUPS, INDICATORS, cell_value, recording


@pytest.fixture
def replay(monkeypatch: pytest.MonkeyPatch) -> Iterator[CbsReplayServer]:
    with CbsReplayServer(recording()) as server:
        monkeypatch.setenv("VIA_CBS_CATALOG_URL", server.catalog_url)
        monkeypatch.setenv("VIA_CBS_USE_HTTPS", "false")
        yield server


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["cbs", *args])
    return code, capsys.readouterr().out


def test_check_prints_the_resolution_and_exits_0(
    replay: CbsReplayServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = cli(capsys, "check")
    assert code == 0, out
    lines = out.splitlines()
    assert (
        "  measure 'Netto arbeidsparticipatie' -> NettoArbeidsparticipatie_24 "
        "'Netto arbeidsparticipatie' (%, 1 decimal) = net_participation_rate" in lines
    )
    assert "    outside_europe_origin -> H008859 'Buiten Europa'" in lines
    assert (
        "  held 'Startkwalificatie' (Startkwalificatie) at 'Totaal' (T001456), by the total rule"
        in lines
    )
    assert "  held 'Leeftijd' (Leeftijd) at '15 tot 75 jaar' (52052), by cbs_tables.yaml" in lines
    assert "  years 2013-2025 (13 yearly periods; provisional: 2025)" in lines
    assert any(
        line.startswith("85456NED 'Arbeidsdeelname; herkomst': Modified 2026-02-13T02:00:00")
        for line in lines
    )
    assert any(line.startswith("  left out (not in cbs_tables.yaml): ") for line in lines)
    assert lines[-1] == "everything resolves"
    # Metadata and code lists only: no cell was asked for.
    assert replay.count(entity="TypedDataSet") == 0


def test_check_on_a_table_lacking_a_measure_exits_1_naming_it_and_the_nearest(
    replay: CbsReplayServer, capsys: pytest.CaptureFixture[str]
) -> None:
    table = replay.recording["82809NED"]
    table["DataProperties"] = [
        p for p in table["DataProperties"] if p["Title"] != "Netto arbeidsparticipatie"
    ]
    code, out = cli(capsys, "check")
    assert code == 1
    problems = [line for line in out.splitlines() if line.startswith("  NOT RESOLVED: ")]
    assert len(problems) == 1
    assert "82809NED" in problems[0] and "'Netto arbeidsparticipatie' not found" in problems[0]
    assert "nearest: 'Bruto arbeidsparticipatie'" in problems[0]
    # The rest of the table still resolves and is said.
    assert "    non_western -> 2012657 'Niet-westerse migratieachtergrond'" in out


def test_record_rewrites_the_snapshot_and_a_snapshot_run_equals_the_live_run(
    replay: CbsReplayServer,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    store: WarehouseStore,
) -> None:
    snapshot = tmp_path / "snapshot"
    shutil.copytree(SNAPSHOT_DIR, snapshot)

    code, out = cli(capsys, "record", "--snapshot-dir", str(snapshot))
    assert code == 0, out
    # Every cell whose generated value differs from the published figure (or fills an empty
    # cell) is a change.
    published = pd.read_csv(SNAPSHOT_DIR / "sources.csv")
    published = published[published.table_id == "82809NED"]
    before = {
        (normalise_title(r.measure), r.population_group, int(r.period)): float(r.value)
        for r in published.itertuples()
    }
    held = ("Totaal mannen en vrouwen", "15 tot 75 jaar")
    changed = 0
    for year in range(2003, 2022):
        for group in GROUPS["82809NED"]:
            for measure in INDICATORS:
                after = cell_value("82809NED", (*held, group), f"{year}JJ00", measure)
                changed += before.get((normalise_title(measure), group, year)) != after
    assert (
        f"82809NED: recorded 190 figures, Modified 2022-05-13T02:00:00; {changed} figure(s) "
        "changed" in out
    )
    group = "Met migratieachtergrond"
    new_value = cell_value("82809NED", (*held, group), "2008JJ00", "Netto arbeidsparticipatie")
    assert f"  Netto arbeidsparticipatie, {group}, 2008JJ00: 63.1 -> {new_value:g}" in out
    sources = pd.read_csv(snapshot / "sources.csv")
    assert len(sources[sources.table_id == "82809NED"]) == 190
    assert len(sources[sources.table_id == "85456NED"]) == 13 * (4 + 11) * 2
    assert "- `85456NED`: recorded" in (snapshot / "README.md").read_text(encoding="utf-8")

    def indicators(source: str) -> pd.DataFrame:
        result = dg.materialize(
            [cbs_tables_and_observations, monitor_indicators],
            resources={
                "warehouse": Warehouse(url=store.url),
                "cbs": CbsStatLine(source=source, snapshot_dir=str(snapshot), retries=0),
            },
            instance=dg.DagsterInstance.ephemeral(),
        )
        assert result.success
        frame = store.read_table("monitor.indicators")
        return frame.sort_values(
            ["source_table", "indicator", "population_group", "year"], ignore_index=True
        )

    live = indicators("live")
    from_snapshot = indicators("snapshot")
    assert set(store.read_table("cbs.tables").source) == {"snapshot"}
    pd.testing.assert_frame_equal(from_snapshot, live, check_dtype=False)

    # Recording again from the same CBS changes no figure.
    code, out = cli(capsys, "record", "--table", "85456NED", "--snapshot-dir", str(snapshot))
    assert code == 0
    assert (
        "85456NED: recorded 390 figures, Modified 2026-02-13T02:00:00; 0 figure(s) changed" in out
    )
