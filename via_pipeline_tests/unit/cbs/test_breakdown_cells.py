"""Guards breakdown cells in the catalogue and the ingest (issue 16): a group can be one cell
across several dimensions; CBS is asked for the configured cells only; a cell across a dimension
the table lacks stops with the group named; config refuses comparisons across breakdowns."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from via_pipeline.core.cbs.catalogue import CellCategory, CellGroup, load_catalogue
from via_pipeline.core.cbs.ingest import fetch_table
from via_pipeline.core.cbs.matching import CatalogueMismatchError
from via_pipeline.core.cbs.odata import apply_query
from via_pipeline.core.cbs.population_groups import load_population_groups
from via_pipeline.core.monitor import load_monitor_config
from via_pipeline.core.settings.config import ConfigFileError
from via_pipeline.core.settings.paths import CONFIG_DIR
from via_pipeline_tests.support.cbs_tables import (
    CELLS,
    HELD,
    MemoryClient,
    recording,
    table_82809,
    table_85456,
)

CATALOGUE = load_catalogue()
T85 = CATALOGUE.table("85456NED")


def test_the_filter_asks_for_the_configured_cells_only() -> None:
    recorded = recording(table_85456())
    layout = fetch_table(MemoryClient(recorded), T85).layout
    table = table_85456()
    titles = {d.key: {c.key: c.title for c in d.categories} for d in table.dimensions}
    answered = apply_query(recorded["85456NED"]["TypedDataSet"], layout.filter_text(), None)
    cells = {tuple(titles[d.key][row[d.key].strip()] for d in table.dimensions) for row in answered}
    assert {row["Perioden"] for row in answered} == {f"{y}JJ00" for y in range(2013, 2026)}
    # The 4 origin groups at the held totals and the 11 breakdown cells: nothing else.
    held = HELD["85456NED"]
    expected = {
        (held["Geslacht"], held["Startkwalificatie"], held["GeboortelandOuders"], origin)
        for origin in ("Totaal", "Nederland", "Europa (exclusief Nederland)", "Buiten Europa")
    }
    for named in CELLS["85456NED"].values():
        expected.add(
            tuple(named.get(d.key) or held.get(d.key) or "Totaal" for d in table.dimensions)
        )
    assert cells == expected
    assert len(answered) == 15 * 13


def test_a_cell_across_a_dimension_the_table_lacks_names_the_group() -> None:
    cell = CellGroup(
        "outside_europe_young",
        (
            CellCategory("Herkomstland", "Buiten Europa", None),
            CellCategory("Leeftijd", "15 tot 25 jaar", None),
        ),
    )
    with pytest.raises(CatalogueMismatchError) as caught:
        fetch_table(MemoryClient(recording(table_85456())), dataclasses.replace(T85, cells=(cell,)))
    message = str(caught.value)
    assert "85456NED" in message and "'outside_europe_young'" in message
    assert "'Leeftijd', which the table does not have" in message
    assert "'Geboorteland (ouders)'" in message  # the dimensions it does have


def test_the_old_series_has_no_origin_country_dimension() -> None:
    t82 = CATALOGUE.table("82809NED")
    second = next(c for c in T85.cells if c.group == "outside_europe_second_generation")
    with pytest.raises(CatalogueMismatchError, match="'Herkomstland', which the table does not"):
        fetch_table(
            MemoryClient(recording(table_82809())), dataclasses.replace(t82, cells=(second,))
        )


def test_a_cell_category_the_dimension_lacks_names_the_titles_found() -> None:
    cell = CellGroup(
        "outside_europe_women",
        (
            CellCategory("Herkomstland", "Buiten Europa", None),
            CellCategory("Geslacht", "Vrouw", None),
        ),
    )
    with pytest.raises(CatalogueMismatchError) as caught:
        fetch_table(MemoryClient(recording(table_85456())), dataclasses.replace(T85, cells=(cell,)))
    message = str(caught.value)
    assert "group 'outside_europe_women': dimension 'Geslacht' has no category 'Vrouw'" in message
    assert "titles found: 'Totaal mannen en vrouwen', 'Mannen', 'Vrouwen'" in message


def _edited(tmp_path: Path, old: str, new: str) -> Path:
    config_dir = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, config_dir)
    path = config_dir / "population_groups.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return config_dir


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "reference_groups: [women, netherlands_origin_women]",
            "reference_groups: [women, outside_europe_second_generation]",
            "outside_europe_women (breakdown sex) cannot be compared with "
            "outside_europe_second_generation (breakdown generation)",
        ),
        (
            "breakdown: generation\n    reference_groups: [total, netherlands_origin]\n  - code: "
            "outside_europe_first",
            "breakdown: generations\n    reference_groups: [total, netherlands_origin]\n  - code: "
            "outside_europe_first",
            "breakdown 'generations' is not one of none, generation, sex, start_qualification",
        ),
        (
            "reference_groups: [men, netherlands_origin_men]",
            "reference_groups: [men, dutch_men]",
            "group outside_europe_men: reference group 'dutch_men' is not declared",
        ),
    ],
)
def test_breakdown_config_errors_name_the_group(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    with pytest.raises(ConfigFileError) as caught:
        load_population_groups(_edited(tmp_path, old, new))
    assert message in str(caught.value)


def test_a_breakdown_cell_cannot_be_a_whole_population_reference(tmp_path: Path) -> None:
    config_dir = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, config_dir)
    path = config_dir / "monitor.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("  - netherlands_origin\n", "  - women\n"),
        encoding="utf-8",
    )
    with pytest.raises(ConfigFileError, match="women is a breakdown cell"):
        load_monitor_config(config_dir)


def test_comparisons_follow_the_breakdown() -> None:
    config = load_monitor_config()
    pairs = {
        (c.population_group, c.reference_group, c.breakdown)
        for c in config.comparisons(
            [
                "total",
                "netherlands_origin",
                "outside_europe_origin",
                "outside_europe_women",
                "women",
            ]
        )
    }
    assert pairs == {
        ("netherlands_origin", "total", "none"),
        ("netherlands_origin", "dutch_background", "none"),  # never in one table: no row
        ("outside_europe_origin", "total", "none"),
        ("outside_europe_origin", "dutch_background", "none"),
        ("outside_europe_origin", "netherlands_origin", "none"),
        ("total", "dutch_background", "none"),
        ("total", "netherlands_origin", "none"),
        ("outside_europe_women", "women", "sex"),
        ("outside_europe_women", "netherlands_origin_women", "sex"),
    }
