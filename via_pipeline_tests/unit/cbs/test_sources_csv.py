"""Guards sources.csv, the snapshot's CSV of recorded CBS figures: a title a spreadsheet would
run as a formula is written inert, and a negative figure stays a number."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd

from via_pipeline.core.cbs.record import RecordedTable, _write_sources


def test_sources_csv_writes_formula_like_titles_inert(tmp_path: Path) -> None:
    observations = pd.DataFrame(
        {
            "measure_title": ['=HYPERLINK("http://evil")', "Werkloosheidspercentage"],
            "population_group_title": ["Nederlandse achtergrond", "@SUM(A1)"],
            "year": [2021, 2022],
            "value": [-0.4, 3.5],
            "unit": ["%", "-"],
        }
    )
    recorded = RecordedTable(
        "82809NED", "2022-05-13T02:00:00", 2, (), datetime(2026, 11, 1, 9, 0), "snapshot"
    )
    config: Any = SimpleNamespace(table_id="82809NED")
    _write_sources(tmp_path, config, observations, recorded)
    with (tmp_path / "sources.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["measure"], r["population_group"], r["value"], r["unit"]) for r in rows] == [
        ('\'=HYPERLINK("http://evil")', "Nederlandse achtergrond", "-0.4", "%"),
        ("Werkloosheidspercentage", "'@SUM(A1)", "3.5", "'-"),
    ]
    # Recording another table keeps these rows as written: the escaping is not doubled.
    _write_sources(tmp_path, SimpleNamespace(table_id="85456NED"), observations.iloc[:0], recorded)
    with (tmp_path / "sources.csv").open(encoding="utf-8", newline="") as handle:
        assert [r["measure"] for r in csv.DictReader(handle)] == [
            '\'=HYPERLINK("http://evil")',
            "Werkloosheidspercentage",
        ]
