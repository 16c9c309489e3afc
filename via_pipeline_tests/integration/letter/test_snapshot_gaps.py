"""Guards what the annex says about missing figures when the CBS tables come from the bundled
snapshot (`make run` offline): every absence sentence is checked against its source (the
snapshot's sources.csv and the reference cells copied from CBS's pages), no sentence says CBS
published nothing, and every key figure the reference cells can fill is filled and sourced."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import pytest

from via_pipeline.core.cbs.catalogue import TableConfig, load_catalogue
from via_pipeline.core.cbs.client import SnapshotCbsClient
from via_pipeline.core.cbs.ingest import build_indicators, fetch_table
from via_pipeline.core.cbs.titles import normalise_title
from via_pipeline.core.letter.availability import read_snapshot_availability
from via_pipeline.core.letter.build import write_key_figures
from via_pipeline.core.letter.config import load_key_figure_config
from via_pipeline.core.monitor import load_monitor_config, write_trends
from via_pipeline.core.monitor import write_gaps as build_monitor_gaps
from via_pipeline.core.settings.paths import SNAPSHOT_DIR
from via_pipeline.core.warehouse import WarehouseStore

CATALOGUE = load_catalogue()
CONFIG = load_key_figure_config()
# A copy of the project's reference file (its .md beside it says where each cell comes from).
REFERENCE_CELLS = (
    Path(__file__).resolve().parents[2] / "fixtures" / "cbs" / "cbs_published_cells.csv"
)
# The reference file's columns for each dimension title (cbs_published_cells.md).
COLUMN_OF = {
    "geslacht": "geslacht",
    "leeftijd": "startkwalificatie_or_leeftijd",
    "startkwalificatie": "startkwalificatie_or_leeftijd",
    "geboortelandouders": "geboorteland_ouders",
}
GROUP_COLUMN = "herkomstland_or_migratieachtergrond"
# Where each table's plain groups are held (cbs_tables.yaml `fixed:` and the total rule).
HELD = {
    "82809NED": {
        "geslacht": "Totaal mannen en vrouwen",
        "startkwalificatie_or_leeftijd": "15 tot 75 jaar",
    },
    "85456NED": {
        "geslacht": "Totaal mannen en vrouwen",
        "startkwalificatie_or_leeftijd": "Totaal",
        "geboorteland_ouders": "Totaal",
    },
}
Cell = tuple[str, str, str, int]  # table, indicator, group code, year


def _group_points(table: TableConfig) -> dict[str, dict[str, str]]:
    """Each group of the catalogue as the reference file's columns would spell its cell."""
    held = HELD[table.table_id]
    points = {g.group: {**held, GROUP_COLUMN: g.title} for g in table.groups}
    for cell in table.cells:
        point = dict(held)
        for category in cell.categories:
            dimension = normalise_title(category.dimension)
            column = (
                GROUP_COLUMN
                if dimension == normalise_title(table.group_dimension)
                else COLUMN_OF[dimension]
            )
            point[column] = category.title
        points[cell.group] = point
    return points


def reference_cells() -> dict[Cell, tuple[float, str]]:
    """The reference file's yearly cells whose dimensions match what the catalogue selects."""
    with REFERENCE_CELLS.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    found: dict[Cell, tuple[float, str]] = {}
    for table in CATALOGUE.tables:
        indicators = {normalise_title(m.title): m.indicator for m in table.measures}
        points = _group_points(table)
        for row in rows:
            measure = normalise_title(row["measure"].split(" (")[0])
            if row["table_id"] != table.table_id or measure not in indicators:
                continue
            if not row["period"].isdigit():  # quarters: the ingest takes whole years only
                continue
            for group, point in points.items():
                if all(row[column] == title for column, title in point.items()):
                    key = (table.table_id, indicators[measure], group, int(row["period"]))
                    found[key] = (float(row["value"]), row["source_url"])
    return found


def snapshot_sources() -> dict[Cell, tuple[float, str]]:
    """sources.csv as cells of the monitor (group codes, indicators)."""
    with (SNAPSHOT_DIR / "sources.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    result: dict[Cell, tuple[float, str]] = {}
    for table in CATALOGUE.tables:
        indicators = {normalise_title(m.title): m.indicator for m in table.measures}
        groups = {g.title: g.group for g in table.groups}
        for row in rows:
            if row["table_id"] == table.table_id and row["population_group"] in groups:
                key = (
                    table.table_id,
                    indicators[normalise_title(row["measure"])],
                    groups[row["population_group"]],
                    int(row["period"]),
                )
                result[key] = (float(row["value"]), row["source"])
    return result


def load_snapshot(store: WarehouseStore) -> None:
    """The CBS ingest on the bundled snapshot, as an offline run does it."""
    client = SnapshotCbsClient()
    fetched = [fetch_table(client, table) for table in CATALOGUE.tables]
    observations = pd.concat([f.observations for f in fetched], ignore_index=True)
    tables = pd.DataFrame([f.table_row() for f in fetched])
    store.replace("cbs.tables", tables)
    store.replace("monitor.indicators", build_indicators(CATALOGUE, observations))
    build_monitor_gaps(store, load_monitor_config())
    write_trends(store, load_monitor_config())


def test_every_fillable_reference_cell_is_in_the_snapshot_with_its_source() -> None:
    cells = reference_cells()
    sources = snapshot_sources()
    # All of 82809NED (85456NED's pages show only quarters): unemployment of the total
    # 2003-2021 and of the migration background 2003-2012, net participation of the five
    # groups in 2008, 2014 and 2018, and the dashboards' Dutch and non-Western 2014 and 2019.
    assert len(cells) == 19 + 10 + 15 + 4 and {c[0] for c in cells} == {"82809NED"}
    for cell, (value, url) in cells.items():
        assert sources.get(cell) == (value, url), cell
    # And in the recorded answers themselves, where the ingest reads them.
    client = SnapshotCbsClient()
    indicators = build_indicators(
        CATALOGUE,
        pd.concat([fetch_table(client, t).observations for t in CATALOGUE.tables]),
    ).set_index(["source_table", "indicator", "population_group", "year"])["value"]
    for cell, (value, _) in cells.items():
        assert indicators.loc[cell] == pytest.approx(value), cell


def _claimed_years(text: str, after: int, until: int) -> list[int]:
    years = [int(y) for y in re.findall(r"geen cijfer over (\d{4})", text)]
    if "een later jaar" in text or re.search(r"na \d{4} geen cijfer", text):
        years += list(range(after + 1, until + 1))
    return years


@pytest.mark.parametrize("reporting_year", [2023, 2026])
def test_absence_sentences_on_the_snapshot_are_true_of_the_snapshot(
    store: WarehouseStore, reporting_year: int
) -> None:
    load_snapshot(store)
    frame = write_key_figures(store, CONFIG, reporting_year)
    sources = snapshot_sources()
    reference = reference_cells()
    specs = {spec.figure_key: spec for spec in CONFIG.figures}
    claims = 0
    for key, text in frame.groupby("figure_key")["text_nl"].first().items():
        spec = specs[str(key)]
        # Read from the snapshot: CBS is never said to have published nothing.
        assert "gepubliceerd" not in text and "CBS heeft" not in text, text
        for sentence in re.split(r"(?<=\.) ", text):
            if "momentopname" not in sentence:
                continue
            assert f"de meegeleverde momentopname van tabel {spec.source_table}" in sentence
            later = re.search(r"Over (.+?) bevat", sentence)
            if later:
                years = [int(y) for y in re.findall(r"\d{4}", later.group(1))]
                if "tot en met" in later.group(1):
                    years = list(range(years[0], years[-1] + 1))
            else:
                years = _claimed_years(sentence, spec.baseline_year, reporting_year)
            assert years, sentence
            for year in years:
                claims += 1
                pair = [
                    (spec.source_table, spec.indicator, group, year)
                    for group in (spec.population_group, spec.reference_group)
                ]
                # The snapshot lacks a figure of the pair, and CBS's pages show none either.
                assert not all(cell in sources for cell in pair), (sentence, year)
                assert not all(cell in reference for cell in pair), (sentence, year)
    assert claims > 0
    reasons = store.read("SELECT reason_nl FROM monitor.trends")["reason_nl"]
    assert not [r for r in reasons if "gepubliceerd" in r]
    assert [r for r in reasons if "De meegeleverde momentopname van deze tabel bevat" in r]


def test_every_key_figure_the_reference_cells_can_fill_is_filled(store: WarehouseStore) -> None:
    load_snapshot(store)
    reporting_year = 2026
    frame = write_key_figures(store, CONFIG, reporting_year)
    reference = reference_cells()
    sources = snapshot_sources()
    filled = 0
    fillable_years = {}
    for spec in CONFIG.figures:
        rows = frame[frame["figure_key"] == spec.figure_key].set_index("year")
        fillable = [
            year
            for year in range(spec.baseline_year, reporting_year + 1)
            if all(
                (spec.source_table, spec.indicator, group, year) in reference
                for group in (spec.population_group, spec.reference_group)
            )
        ]
        if fillable:
            fillable_years[spec.figure_key] = fillable
        if spec.baseline_year in fillable:
            assert not pd.isna(rows.loc[spec.baseline_year, "value"]), spec.figure_key
            filled += 1
        later = [year for year in fillable if year > spec.baseline_year]
        if later:
            quoted = [year for year in rows.index if year > spec.baseline_year]
            assert quoted and quoted[0] >= max(later), spec.figure_key
            assert not pd.isna(rows.loc[quoted[0], "value"])
            filled += 1
        for year in fillable:
            for group in (spec.population_group, spec.reference_group):
                cell = (spec.source_table, spec.indicator, group, year)
                assert sources[cell][1] == reference[cell][1]  # sourced as CBS's page
    # What the run then says: the unavailable figures counted, the snapshot's date named.
    [availability] = read_snapshot_availability(store, CONFIG, reporting_year)
    assert availability.total == len(frame)
    assert availability.unavailable == int(frame["value"].isna().sum())
    assert availability.line() == (
        f"reporting year {reporting_year}: on the snapshot recorded on 2026-11-30, "
        f"{availability.unavailable} of {availability.total} key figures are not available; "
        "run `via-pipeline cbs record` with network to fill them."
    )
    # CBS's pages fill only 82809NED's non-Western gap of 2014 and 2019 (its 2008 figure of
    # that group is not on them); 85456NED's pages show quarters only, no whole year.
    assert fillable_years == {"werkloosheid_niet_westers_vs_bevolking": [2014, 2019]}
    assert filled == 1
