"""Guards the logic of `cbs check` (every problem of a table named at once, with the nearest
titles; nothing but metadata read) and `cbs record` (a failed recording keeps the previous
snapshot; sources.csv and the README line follow the recording), on tables in the real shape."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from via_pipeline.core.cbs.catalogue import load_catalogue
from via_pipeline.core.cbs.check import check_table
from via_pipeline.core.cbs.client import CbsUnavailableError
from via_pipeline.core.cbs.record import record_table
from via_pipeline.core.settings.paths import SNAPSHOT_DIR
from via_pipeline_tests.support.cbs_tables import MemoryClient, recording

CATALOGUE = load_catalogue()


class MetadataOnly(MemoryClient):
    def data(self, table_id: str, filter_text: str, select: list[str]) -> list[dict[str, Any]]:
        raise AssertionError("cbs check must not read cells")


def test_check_names_every_missing_group_and_measure() -> None:
    recorded = recording()
    table = recorded["85456NED"]
    table["Herkomstland"] = [
        c for c in table["Herkomstland"] if c["Title"] not in ("Nederland", "Buiten Europa")
    ]
    table["DataProperties"] = [
        p for p in table["DataProperties"] if p["Title"] != "Werkloosheidspercentage"
    ]
    result = check_table(MetadataOnly(recorded), CATALOGUE.table("85456NED"))
    assert not result.resolves
    joined = "\n".join(result.problems)
    assert "measure 'Werkloosheidspercentage' not found" in joined
    assert "'Nederland' (netherlands_origin) not found" in joined
    assert "'Buiten Europa' (outside_europe_origin) not found" in joined
    assert "nearest: 'Buiten Europa (excl. 5 grote herkomstgroepen)'" in joined
    # What does resolve is still said.
    assert any(
        "'Netto arbeidsparticipatie' -> NettoArbeidsparticipatie_8" in line for line in result.lines
    )


def test_check_of_an_unreachable_cbs_is_a_problem_not_a_crash() -> None:
    class Down(MetadataOnly):
        def table_info(self, table_id: str) -> dict[str, Any]:
            raise CbsUnavailableError(f"CBS table {table_id}: cannot connect")

    result = check_table(Down(recording()), CATALOGUE.table("82809NED"))
    assert result.problems == ("CBS table 82809NED: cannot connect",)


@pytest.fixture
def snapshot(tmp_path: Path) -> Path:
    target = tmp_path / "snapshot"
    shutil.copytree(SNAPSHOT_DIR, target)
    return target


def test_a_failed_recording_keeps_the_previous_snapshot(snapshot: Path) -> None:
    class FailsOnCells(MemoryClient):
        def data(self, table_id: str, filter_text: str, select: list[str]) -> list[dict[str, Any]]:
            raise CbsUnavailableError("CBS table 82809NED, TypedDataSet: HTTP 503")

    before = {p.name: p.read_bytes() for p in (snapshot / "82809NED").iterdir()}
    sources = (snapshot / "sources.csv").read_bytes()
    with pytest.raises(CbsUnavailableError):
        record_table(FailsOnCells(recording()), CATALOGUE.table("82809NED"), snapshot)
    assert {p.name: p.read_bytes() for p in (snapshot / "82809NED").iterdir()} == before
    assert (snapshot / "sources.csv").read_bytes() == sources
    assert sorted(p.name for p in snapshot.iterdir() if p.name.startswith(".")) == []


def test_recording_replaces_only_that_tables_sources_and_adds_a_readme_line(
    snapshot: Path,
) -> None:
    recorded = recording()
    recorded["85456NED"]["TableInfos"][0]["Modified"] = "2026-02-13T02:00:00"
    result = record_table(
        MemoryClient(copy.deepcopy(recorded)), CATALOGUE.table("85456NED"), snapshot
    )
    assert result.figures == 13 * (4 + 11) * 2 and result.modified == "2026-02-13T02:00:00"
    sources = pd.read_csv(snapshot / "sources.csv")
    assert len(sources[sources.table_id == "82809NED"]) == 70  # untouched
    new = sources[sources.table_id == "85456NED"]
    assert len(new) == 13 * (4 + 11) * 2  # origin groups and breakdown cells
    assert new.source.str.contains("Modified 2026-02-13T02:00:00").all()
    readme = (snapshot / "README.md").read_text(encoding="utf-8")
    assert readme.count("- `85456NED`: recorded") == 1
    assert "## What the figures are" in readme  # the hand-written part is kept
    # The recorded files are the real shape's, nothing else: no leftover Herkomst.json.
    files = {p.stem for p in (snapshot / "85456NED").glob("*.json")}
    assert "Herkomst" not in files and {"Herkomstland", "Startkwalificatie"} <= files
    # Recording again adds no second README line.
    record_table(MemoryClient(copy.deepcopy(recorded)), CATALOGUE.table("85456NED"), snapshot)
    assert (snapshot / "README.md").read_text(encoding="utf-8").count("- `85456NED`") == 1


@pytest.mark.parametrize("year", [1900, 2100])
def test_an_implausible_year_is_refused_by_the_blocking_check_and_named_by_check(
    year: int,
) -> None:
    from via_pipeline.core.cbs.ingest import fetch_table
    from via_pipeline.core.cbs.suites import CHECK_YEARS, run_checks

    recorded = recording()
    table = recorded["82809NED"]
    table["Perioden"].append({"Key": f"{year}JJ00", "Title": str(year), "Status": "Definitief"})
    template = next(r for r in table["TypedDataSet"] if r["Perioden"] == "2010JJ00")
    table["TypedDataSet"].append({**template, "Perioden": f"{year}JJ00"})

    config = CATALOGUE.table("82809NED")
    client = MemoryClient(recorded)
    observations = pd.concat([fetch_table(client, t).observations for t in CATALOGUE.tables])
    assert year in set(observations.year)  # taken from the table version ...
    results = run_checks(CATALOGUE, observations, indicators=False, suite_name="cbs_observations")
    assert not results[CHECK_YEARS].success  # ... and refused before anything is written
    assert all(results[name].success for name in results if name != CHECK_YEARS)

    result = check_table(MetadataOnly(recorded), config)
    assert result.problems == (f"CBS table 82809NED: implausible year(s) [{year}]",)


def test_check_lists_the_breakdown_cells() -> None:
    result = check_table(MetadataOnly(recording()), CATALOGUE.table("85456NED"))
    assert result.resolves
    assert (
        "    outside_europe_second_generation -> H008859|A051735 "
        "'Buiten Europa | Geboren in Nederland'"
    ) in result.lines
