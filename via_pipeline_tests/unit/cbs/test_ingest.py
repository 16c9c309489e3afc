"""Guards the CBS mapping from StatLine answers to observations and indicators, on tables in
the shape CBS publishes them (support/cbs_tables.py): every configured yearly cell lands with
its value whatever CBS renumbers, reorders or adds; unnamed dimensions are held at their total
and said; unmapped groups are left out and named; misses name what the table has."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import pandas as pd
import pytest

from via_pipeline.core.cbs.catalogue import load_catalogue
from via_pipeline.core.cbs.client import CbsAnswerError, SnapshotCbsClient
from via_pipeline.core.cbs.ingest import build_indicators, fetch_table, parse_modified
from via_pipeline.core.cbs.matching import CatalogueMismatchError
from via_pipeline.core.cbs.periods import is_provisional, year_warnings, yearly_periods
from via_pipeline_tests.support import cbs_tables
from via_pipeline_tests.support.cbs_tables import (
    Category,
    Dimension,
    MemoryClient,
    expected_indicators,
    recording,
    revised,
    table_82809,
    table_85456,
)

CATALOGUE = load_catalogue()
T82 = CATALOGUE.table("82809NED")
T85 = CATALOGUE.table("85456NED")


def indicators_of(recorded: dict[str, Any]) -> pd.DataFrame:
    client = MemoryClient(recorded)
    observations = pd.concat([fetch_table(client, t).observations for t in CATALOGUE.tables])
    return build_indicators(CATALOGUE, observations)


def as_cells(indicators: pd.DataFrame) -> dict[tuple[str, int, str, str], float]:
    return {
        (r.source_table, int(r.year), r.population_group, r.indicator): float(r.value)
        for r in indicators.itertuples(index=False)
    }


@pytest.fixture(scope="module")
def real() -> dict[str, Any]:
    return recording(table_82809(), table_85456())


def test_every_configured_yearly_cell_lands_with_its_value(real: dict[str, Any]) -> None:
    expected = {**expected_indicators(table_82809()), **expected_indicators(table_85456())}
    assert as_cells(indicators_of(real)) == expected
    # 82809NED: 5 groups; 85456NED: 4 origin groups and 11 breakdown cells.
    assert len(expected) == 19 * 5 * 2 + 13 * (4 + 11) * 2


def test_a_revised_version_gives_every_cell_and_the_added_year() -> None:
    old, new = revised(table_82809()), revised(table_85456())
    assert old.measures[0].key == "NettoArbeidsparticipatie_25"
    indicators = indicators_of(recording(old, new))
    assert as_cells(indicators) == {**expected_indicators(old), **expected_indicators(new)}
    assert {2002, 2012} <= set(indicators.year)


def test_measures_found_by_title_however_cbs_spells_it(real: dict[str, Any]) -> None:
    baseline = indicators_of(real)
    for spelling in ("Nettoarbeidsparticipatie", "netto-Arbeidsparticipatie"):
        changed = copy.deepcopy(real)
        for prop in changed["82809NED"]["DataProperties"]:
            if prop["Title"] == "Netto arbeidsparticipatie":
                prop["Title"] = f"  {spelling} "
        pd.testing.assert_frame_equal(indicators_of(changed), baseline)


def test_unnamed_dimensions_are_held_at_their_total_and_said(real: dict[str, Any]) -> None:
    layout = fetch_table(MemoryClient(real), T85).layout
    held = {h.dimension_key: (h.category_key, h.category_title, h.chosen_by) for h in layout.held}
    assert held == {
        "Geslacht": ("T001038", "Totaal mannen en vrouwen", "catalogue"),
        "Startkwalificatie": ("T001456", "Totaal", "total_rule"),
        "GeboortelandOuders": ("T001638", "Totaal", "total_rule"),
    }
    notes = layout.notes()
    assert "85456NED: Startkwalificatie held at 'Totaal' (T001456)" in notes
    assert "85456NED: Geboorteland (ouders) held at 'Totaal' (T001638)" in notes
    left_out = [n for n in notes if "left out" in n]
    assert len(left_out) == 1
    assert left_out[0].startswith("85456NED: Herkomstland categories not in cbs_tables.yaml")
    for title in ("'Buiten Nederland'", "'Marokko'", "'Onbekend herkomstland'"):
        assert title in left_out[0]
    assert "'Nederland'" not in left_out[0]


def test_a_dimension_without_a_total_stops_naming_it(real: dict[str, Any]) -> None:
    changed = copy.deepcopy(real)
    table = changed["85456NED"]
    table["DataProperties"].insert(
        0, {"Type": "Dimension", "Key": "Onderwijsniveau", "Title": "Onderwijsniveau"}
    )
    table["Onderwijsniveau"] = [
        {"Key": "A1", "Title": "Laag"},
        {"Key": "A2", "Title": "Hoog"},
    ]
    message = _message(changed, T85)
    assert "'Onderwijsniveau' (Onderwijsniveau)" in message and "no total category" in message
    assert "'Laag', 'Hoog'" in message


def test_two_totals_in_an_unnamed_dimension_are_an_error_naming_both(real: dict[str, Any]) -> None:
    changed = copy.deepcopy(real)
    changed["85456NED"]["Startkwalificatie"].append({"Key": "T001457", "Title": "Totaal bekend"})
    message = _message(changed, T85)
    assert "several total categories" in message
    assert "'Totaal' (T001456)" in message and "'Totaal bekend' (T001457)" in message


def test_snapshot_values_arrive_as_indicators() -> None:
    client = SnapshotCbsClient()
    observations = pd.concat([fetch_table(client, t).observations for t in CATALOGUE.tables])
    cells = build_indicators(CATALOGUE, observations)

    def value(table: str, group: str, indicator: str, year: int) -> float | None:
        row = cells[
            (cells.source_table == table)
            & (cells.population_group == group)
            & (cells.indicator == indicator)
            & (cells.year == year)
        ]
        assert len(row) == 1
        result = row.iloc[0]["value"]
        return None if pd.isna(result) else float(result)

    assert value("82809NED", "total", "unemployment_rate", 2008) == 3.7
    assert value("82809NED", "dutch_background", "unemployment_rate", 2003) == 3.9
    assert value("82809NED", "non_western", "unemployment_rate", 2015) == 15.2
    assert value("82809NED", "western", "net_participation_rate", 2018) == 66.5
    assert value("82809NED", "western", "unemployment_rate", 2017) is None
    assert value("85456NED", "outside_europe_origin", "unemployment_rate", 2025) == 6.6
    assert value("85456NED", "total", "unemployment_rate", 2019) is None
    # The snapshot's breakdown cells are there, empty (snapshots/cbs/README.md).
    assert len(cells) == 19 * 5 * 2 + 13 * (4 + 11) * 2
    breakdown = cells[cells.population_group == "outside_europe_second_generation"]
    assert len(breakdown) == 13 * 2 and breakdown.value.isna().all()
    assert cells[cells.source_table == "85456NED"].provisional.tolist().count(True) == 15 * 2


def test_provisional_comes_from_the_period_status(real: dict[str, Any]) -> None:
    cells = indicators_of(real)
    newest = cells[(cells.source_table == "85456NED") & (cells.year == 2025)]
    older = cells[(cells.source_table == "85456NED") & (cells.year == 2019)]
    assert len(newest) == 15 * 2 and newest.provisional.all()
    assert not older.provisional.any()


@pytest.mark.parametrize(
    ("status", "provisional"),
    [
        ("Definitief", False),
        (" definitief ", False),
        ("Voorlopig", True),
        ("Nader voorlopig", True),
        (None, True),
    ],
)
def test_is_provisional(status: str | None, provisional: bool) -> None:
    assert is_provisional(status) is provisional


def test_only_whole_years_are_kept() -> None:
    periods = yearly_periods(
        [
            {"Key": "2008JJ00", "Status": "Definitief"},
            {"Key": "2008KW01", "Status": "Definitief"},
            {"Key": "2008MM03", "Status": "Definitief"},
            {"Key": "2024JJ00  ", "Status": "Voorlopig"},
        ]
    )
    assert sorted(periods) == ["2008JJ00", "2024JJ00"]
    assert periods["2024JJ00"].year == 2024 and periods["2024JJ00"].provisional


def test_quarters_and_other_categories_are_dropped_even_if_the_server_ignores_the_filter(
    real: dict[str, Any],
) -> None:
    class IgnoresFilter(MemoryClient):
        def data(self, table_id: str, filter_text: str, select: list[str]) -> list[dict[str, Any]]:
            return copy.deepcopy(self.recording[table_id]["TypedDataSet"])

    observations = fetch_table(IgnoresFilter(real), T85).observations
    assert set(observations.period_code.str[4:]) == {"JJ00"}
    # 4 origin groups and 11 breakdown cells, 13 years, 2 measures.
    assert len(observations) == 13 * (4 + 11) * 2
    expected = expected_indicators(table_85456())
    assert sorted(observations.value) == sorted(expected.values())


def _message(recorded: dict[str, Any], table: Any = T82) -> str:
    with pytest.raises(CatalogueMismatchError) as caught:
        fetch_table(MemoryClient(recorded), table)
    return str(caught.value)


def test_missing_measure_names_the_nearest_titles(real: dict[str, Any]) -> None:
    changed = copy.deepcopy(real)
    changed["82809NED"]["DataProperties"] = [
        p
        for p in changed["82809NED"]["DataProperties"]
        if p["Title"] != "Netto arbeidsparticipatie"
    ]
    message = _message(changed)
    assert "82809NED" in message and "'Netto arbeidsparticipatie' not found" in message
    assert "nearest: 'Bruto arbeidsparticipatie'" in message
    assert "'Werkloosheidspercentage'" in message


def test_missing_group_names_table_title_and_titles_found(real: dict[str, Any]) -> None:
    changed = copy.deepcopy(real)
    changed["85456NED"]["Herkomstland"] = [
        c for c in changed["85456NED"]["Herkomstland"] if c["Title"] != "Buiten Europa"
    ]
    message = _message(changed, T85)
    assert "85456NED" in message and "'Buiten Europa' (outside_europe_origin) not found" in message
    assert "nearest: 'Buiten Europa (excl. 5 grote herkomstgroepen)'" in message


def test_missing_total_names_the_dimension_and_titles_found(real: dict[str, Any]) -> None:
    changed = copy.deepcopy(real)
    changed["82809NED"]["Leeftijd"] = [{"Key": "52053", "Title": "15 tot 25 jaar"}]
    message = _message(changed)
    assert "82809NED" in message and "'Leeftijd'" in message and "'15 tot 75 jaar'" in message
    assert "'15 tot 25 jaar'" in message


def test_a_missing_named_dimension_names_the_dimensions_found(real: dict[str, Any]) -> None:
    message = _message(real, dataclasses.replace(T85, group_dimension="Herkomst"))
    assert "population group dimension 'Herkomst' not found" in message
    assert "nearest: 'Herkomstland'" in message


def test_a_measure_in_another_unit_fails(real: dict[str, Any]) -> None:
    changed = copy.deepcopy(real)
    for prop in changed["82809NED"]["DataProperties"]:
        if prop["Title"] == "Netto arbeidsparticipatie":
            prop["Unit"] = "x 1 000"
    message = _message(changed)
    assert "'x 1 000'" in message and "'%'" in message


def test_two_categories_equal_once_normalised_are_an_error_naming_both(
    real: dict[str, Any],
) -> None:
    changed = copy.deepcopy(real)
    changed["82809NED"]["Migratieachtergrond"].append(
        {"Key": "9999999", "Title": "Niet westerse migratie-achtergrond"}
    )
    message = _message(changed)
    assert "'Niet-westerse migratieachtergrond' (2012657)" in message
    assert "'Niet westerse migratie-achtergrond' (9999999)" in message


def test_a_non_numeric_cell_is_an_answer_error(real: dict[str, Any]) -> None:
    changed = copy.deepcopy(real)
    for row in changed["82809NED"]["TypedDataSet"]:
        row["Werkloosheidspercentage_21"] = "4,8"
    with pytest.raises(CbsAnswerError, match="Werkloosheidspercentage_21"):
        fetch_table(MemoryClient(changed), T82)


def test_years_come_from_the_table_and_unexpected_ones_warn() -> None:
    table = dataclasses.replace(revised(table_85456()), last_year=2026)
    layout = fetch_table(MemoryClient(recording(table)), T85).layout
    assert layout.years == list(range(2012, 2027))
    warnings = year_warnings(T85, layout.years, stored_years=tuple(range(2013, 2026)))
    assert warnings == [
        "85456NED: year(s) 2012 outside the expected 2013-... (cbs_tables.yaml "
        "first_year/last_year); taken, as this table version has them",
        "85456NED: new year(s) 2012, 2026 in this table version (stored before: 2013-2025)",
    ]
    assert year_warnings(T82, list(range(2003, 2022))) == []
    assert year_warnings(T82, list(range(2005, 2022))) == [
        "82809NED: the table starts in 2005, cbs_tables.yaml expects 2003"
    ]


def test_measure_decimals_come_from_data_properties(real: dict[str, Any]) -> None:
    changed = copy.deepcopy(real)
    for prop in changed["82809NED"]["DataProperties"]:
        if prop["Title"] == "Werkloosheidspercentage":
            prop["Decimals"] = 2
    fetched = fetch_table(MemoryClient(changed), T82)
    rows = fetched.measure_rows().set_index("indicator")
    assert rows.loc["unemployment_rate", "decimals"] == 2
    assert rows.loc["net_participation_rate", "decimals"] == 1
    assert rows.loc["net_participation_rate", "measure_key"] == "NettoArbeidsparticipatie_24"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2022-05-13T02:00:00", "2022-05-13T02:00:00"),
        ("2022-05-13T02:00:00+02:00", "2022-05-13T00:00:00"),
        (None, None),
    ],
)
def test_parse_modified(raw: str | None, expected: str | None) -> None:
    parsed = parse_modified(raw, "82809NED")
    assert (parsed.isoformat() if parsed else None) == expected


def test_snapshot_version_is_its_file_hash() -> None:
    fetched = fetch_table(SnapshotCbsClient(), T82)
    assert fetched.version.source == "snapshot"
    assert fetched.version.version is not None and fetched.version.version.startswith(
        "snapshot-sha256:"
    )
    assert fetched.table_row()["row_count"] == 190


def test_the_generator_follows_the_structures_page_not_the_catalogue() -> None:
    new = table_85456()
    assert [d.title for d in new.dimensions] == [
        "Geslacht",
        "Startkwalificatie",
        "Geboorteland (ouders)",
        "Herkomstland",
    ]
    assert "Bruto arbeidsparticipatie" in [m.title for m in new.measures]
    assert any(p["Key"] == "2024KW01" for p in new.periods())
    assert isinstance(new.dimensions[0], Dimension)
    assert Category("H008673", "Marokko") in new.dimensions[3].categories
    assert cbs_tables.HELD["85456NED"]["Startkwalificatie"] == "Totaal"
