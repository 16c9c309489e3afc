"""What a build of a reporting year leaves behind, hand-made for the release tests: its run in
quality.runs, a key figure in letter.key_figures and the annex files in output/<year>/."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd

from via_pipeline.core.runs.records import RunTrace, record_run_ended, record_run_started
from via_pipeline.core.warehouse import WarehouseStore

RUN = "3f24ab12-0000-4000-8000-000000000001"
FIGURE = "werkloosheid_buiten_europa_vs_bevolking"


def record_build(
    store: WarehouseStore,
    data_dir: Path,
    year: int = 2022,
    *,
    succeeded: bool = True,
    gap_pp: float = 2.9,
) -> Path:
    """A build of `year`: its run, the key figure of buiten Europa (gap_pp in `year`) and
    three annex files (plus a temporary file a writer left); returns the output folder."""
    trace = RunTrace(RUN, "via_yearly_build_job", str(year), 1, "host", datetime(2026, 12, 3, 9))
    record_run_started(store, trace)
    record_run_ended(
        store, trace, succeeded=succeeded, cause=None if succeeded else "monitor/gaps: no rows"
    )
    store.replace(
        "letter.key_figures",
        pd.DataFrame(
            [
                {
                    "reporting_year": year,
                    "figure_key": FIGURE,
                    "indicator": "unemployment_rate",
                    "population_group": "outside_europe_origin",
                    "reference_group": "total",
                    "year": year,
                    "value": gap_pp,
                    "text_nl": f"anno {year}* is dat 2,9 procentpunten.",
                    "source": "CBS 85456NED",
                }
            ]
        ),
        where={"reporting_year": year},
    )
    folder = data_dir / "output" / str(year)
    folder.mkdir(parents=True)
    (folder / f"voortgang_via_{year}_bijlage.md").write_text("# Bijlage\n2,9\n", encoding="utf-8")
    (folder / f"voortgang_via_{year}_bijlage.docx").write_bytes(b"PK docx")
    (folder / f"gap_unemployment_rate_{year}.png").write_bytes(b"\x89PNG")
    (folder / f".voortgang_via_{year}_bijlage.1-ab.tmp.docx").write_bytes(b"half written")
    return folder


def write_statushouders_files(data_dir: Path, year: int = 2023) -> list[str]:
    """The statushouders letter's files beside the VIA letter's in output/<year>/ (its prefix
    from config/programmes.yaml); returns their names."""
    folder = data_dir / "output" / str(year)
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"voortgang_statushouders_{year}"
    (folder / f"{stem}_bijlage.md").write_text(
        "# Statushouders aan het werk\n1\n", encoding="utf-8"
    )
    (folder / f"{stem}_bijlage.docx").write_bytes(b"PK statushouders docx")
    (folder / f"{stem}_acties_per_jaar.png").write_bytes(b"\x89PNG statushouders")
    return sorted(path.name for path in folder.glob(f"{stem}_*"))
