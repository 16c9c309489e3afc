"""Guards the breakdown groups (issue 16) end to end on DuckDB and PostgreSQL: from a replay
table in the real 85456NED shape (support/cbs_tables.py) through the ingest to monitor.gaps
and monitor.trends, every breakdown gap is value - reference value cell by cell, compares only
cells of its own breakdown, and a new breakdown group needs a change to config only."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from via_pipeline.core.cbs.catalogue import load_catalogue
from via_pipeline.core.cbs.ingest import build_indicators, fetch_table
from via_pipeline.core.monitor import load_monitor_config, write_gaps, write_trends
from via_pipeline.core.settings.paths import CONFIG_DIR
from via_pipeline.core.warehouse import WarehouseStore
from via_pipeline_tests.integration.cbs.test_ingest import point_at, run
from via_pipeline_tests.support.cbs_replay import CbsReplayServer
from via_pipeline_tests.support.cbs_tables import (
    MemoryClient,
    cell_value,
    expected_indicators,
    recording,
    table_85456,
)

# Written from the issue, not read from config: who is compared with whom.
REFERENCES = {
    "outside_europe_second_generation": ("generation", {"total", "netherlands_origin"}),
    "outside_europe_first_generation": ("generation", {"total", "netherlands_origin"}),
    "outside_europe_women": ("sex", {"women", "netherlands_origin_women"}),
    "outside_europe_men": ("sex", {"men", "netherlands_origin_men"}),
    "outside_europe_without_start_qualification": (
        "start_qualification",
        {"without_start_qualification", "netherlands_origin_without_start_qualification"},
    ),
}
REFERENCE_CELLS_ONLY = {
    "women",
    "netherlands_origin_women",
    "men",
    "netherlands_origin_men",
    "without_start_qualification",
    "netherlands_origin_without_start_qualification",
}


@pytest.fixture
def replay(monkeypatch: pytest.MonkeyPatch) -> Iterator[CbsReplayServer]:
    with CbsReplayServer(recording(), page_size=200) as server:
        server.set_modified("82809NED", "2022-05-13T02:00:00")
        server.set_modified("85456NED", "2026-11-02T02:00:00")
        point_at(monkeypatch, server.catalog_url, "live")
        yield server


def test_breakdown_gaps_are_value_minus_reference_cell_by_cell(
    store: WarehouseStore, replay: CbsReplayServer
) -> None:
    result, _ = run(store)
    assert result.success
    write_gaps(store, load_monitor_config())
    gaps = store.read_table("monitor.gaps")
    expected = expected_indicators(table_85456())
    years = range(2013, 2026)
    for group, (breakdown, references) in REFERENCES.items():
        rows = gaps[gaps.population_group == group]
        assert set(rows.reference_group) == references, group
        assert set(rows.breakdown) == {breakdown}
        assert len(rows) == len(references) * len(years) * 2
        for row in rows.itertuples(index=False):
            value = expected[("85456NED", row.year, group, row.indicator)]
            reference = expected[("85456NED", row.year, row.reference_group, row.indicator)]
            assert (row.value, row.reference_value) == (value, reference)
            assert row.gap_pp == round(value - reference, 1), (group, row.year)
    # Reference cells have no gap rows of their own, and no whole origin group is compared
    # with a breakdown cell.
    assert not set(gaps.population_group) & REFERENCE_CELLS_ONLY
    plain = gaps[gaps.breakdown == "none"]
    assert set(plain.reference_group) <= {"total", "dutch_background", "netherlands_origin"}
    assert set(plain.population_group).isdisjoint(REFERENCES)

    trends = write_trends(store, load_monitor_config()).set_index(
        ["source_table", "indicator", "population_group", "reference_group"]
    )
    row = trends.loc[
        ("85456NED", "unemployment_rate", "outside_europe_second_generation", "netherlands_origin")
    ]
    assert row.breakdown == "generation"
    first = expected[("85456NED", 2013, "outside_europe_second_generation", "unemployment_rate")]
    first_ref = expected[("85456NED", 2013, "netherlands_origin", "unemployment_rate")]
    assert row.gap_first_pp == round(first - first_ref, 1)
    assert "tweede generatie" in row.reason_nl


def test_a_breakdown_group_added_in_config_only_gets_its_gaps(
    store: WarehouseStore, tmp_path: Path
) -> None:
    config_dir = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, config_dir)
    with (config_dir / "population_groups.yaml").open("r+", encoding="utf-8") as groups_file:
        text = groups_file.read().replace(
            "\nindicators:",
            """
  - code: europe_second_generation
    label_nl: Herkomst Europa, tweede generatie
    sentence_nl: burgers van de tweede generatie met een Europese migratieachtergrond
    classification: herkomst
    breakdown: generation
    reference_groups: [total, netherlands_origin]

indicators:""",
        )
        groups_file.seek(0)
        groups_file.write(text)
    with (config_dir / "cbs_tables.yaml").open("a", encoding="utf-8") as tables_file:
        tables_file.write(
            "      - group: europe_second_generation\n"
            "        categories:\n"
            "          - {dimension: Herkomstland, title: Europa (exclusief Nederland)}\n"
            "          - {dimension: Geboorteland (ouders), title: Geboren in Nederland}\n"
        )
    catalogue = load_catalogue(config_dir)
    table = catalogue.table("85456NED")
    fetched = fetch_table(MemoryClient(recording(table_85456())), table)
    # cbs.measures gives the precision gaps are rounded to (one decimal, as CBS publishes).
    store.replace("cbs.measures", fetched.measure_rows())
    store.replace("monitor.indicators", build_indicators(catalogue, fetched.observations))
    write_gaps(store, load_monitor_config(config_dir))

    gaps = store.read_table("monitor.gaps")
    rows = gaps[(gaps.population_group == "europe_second_generation") & (gaps.year == 2020)]
    assert set(rows.reference_group) == {"total", "netherlands_origin"}
    assert set(rows.breakdown) == {"generation"}
    titles = ("Totaal mannen en vrouwen", "Totaal", "Geboren in Nederland")
    value = cell_value(
        "85456NED", (*titles, "Europa (exclusief Nederland)"), "2020JJ00", "Werkloosheidspercentage"
    )
    total = cell_value(
        "85456NED",
        ("Totaal mannen en vrouwen", "Totaal", "Totaal", "Totaal"),
        "2020JJ00",
        "Werkloosheidspercentage",
    )
    row = rows[(rows.reference_group == "total") & (rows.indicator == "unemployment_rate")].iloc[0]
    assert (row.value, row.reference_value, row.gap_pp) == (value, total, round(value - total, 1))
    comparisons = store.read_table("monitor.comparisons")
    assert len(comparisons[comparisons.population_group == "europe_second_generation"]) == 2
