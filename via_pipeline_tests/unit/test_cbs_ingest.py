"""Guards the CBS mapping from StatLine answers to observations and indicators: found by title
whatever CBS renumbers or reorders, and failing with the table, the title looked for and the
titles there are when a configured measure, group or total is missing."""

from __future__ import annotations

import copy
from typing import Any

import pandas as pd
import pytest

from via_pipeline.core.cbs.catalogue import load_catalogue
from via_pipeline.core.cbs.client import CbsAnswerError, SnapshotCbsClient
from via_pipeline.core.cbs.ingest import build_indicators, fetch_table, parse_modified
from via_pipeline.core.cbs.layout import CatalogueMismatchError, is_provisional, yearly_periods
from via_pipeline.core.cbs.odata import apply_query
from via_pipeline_tests.support.cbs_replay import load_recording

CATALOGUE = load_catalogue()
T82 = CATALOGUE.table("82809NED")
T85 = CATALOGUE.table("85456NED")


class MemoryClient:
    """Answers from an in-memory recording, through the same OData evaluator as the snapshot."""

    source = "live"

    def __init__(self, recording: dict[str, dict[str, list[dict[str, Any]]]]) -> None:
        self.recording = recording

    def describe(self) -> str:
        return "memory"

    def table_info(self, table_id: str) -> dict[str, Any]:
        return self.recording[table_id]["TableInfos"][0]

    def entity(self, table_id: str, name: str) -> list[dict[str, Any]]:
        return copy.deepcopy(self.recording[table_id][name])

    def data(self, table_id: str, filter_text: str, select: list[str]) -> list[dict[str, Any]]:
        return apply_query(self.recording[table_id]["TypedDataSet"], filter_text, ",".join(select))


def indicators_of(recording: dict[str, Any]) -> pd.DataFrame:
    client = MemoryClient(recording)
    observations = pd.concat([fetch_table(client, t).observations for t in CATALOGUE.tables])
    return build_indicators(CATALOGUE, observations)


def rename_key(recording: dict[str, Any], table_id: str, old: str, new: str) -> None:
    for prop in recording[table_id]["DataProperties"]:
        if prop["Key"] == old:
            prop["Key"] = new
    for row in recording[table_id]["TypedDataSet"]:
        row[new] = row.pop(old)


def renumber(recording: dict[str, Any]) -> None:
    rename_key(recording, "82809NED", "Werkloosheidspercentage_21", "Werkloosheidspercentage_22")


def reorder(recording: dict[str, Any]) -> None:
    for table in recording.values():
        for name in (
            "Migratieachtergrond",
            "Herkomst",
            "Perioden",
            "DataProperties",
            "TypedDataSet",
        ):
            if name in table:
                table[name].reverse()


def extra_measure(recording: dict[str, Any]) -> None:
    table = recording["82809NED"]
    table["DataProperties"].insert(
        4,
        {
            **table["DataProperties"][4],
            "Key": "Werkloosheidspercentage_3",
            "Title": "Werkloosheidspercentage jongeren",
        },
    )
    for row in table["TypedDataSet"]:
        row["Werkloosheidspercentage_3"] = 99.0


def padded_keys_and_titles(recording: dict[str, Any]) -> None:
    table = recording["82809NED"]
    for name in ("Geslacht", "Leeftijd", "Migratieachtergrond"):
        for category in table[name]:
            category["Key"] = category["Key"].ljust(10)
            category["Title"] = f"  {category['Title'].upper()} "
    for row in table["TypedDataSet"]:
        for name in ("Geslacht", "Leeftijd", "Migratieachtergrond"):
            row[name] = row[name].ljust(10)
    for prop in table["DataProperties"]:
        prop["Title"] = f" {prop['Title']}  "


@pytest.fixture(scope="module")
def baseline() -> pd.DataFrame:
    return indicators_of(load_recording())


@pytest.mark.parametrize("change", [renumber, reorder, extra_measure, padded_keys_and_titles])
def test_layout_changes_give_the_same_indicators(change: Any, baseline: pd.DataFrame) -> None:
    recording = load_recording()
    change(recording)
    pd.testing.assert_frame_equal(indicators_of(recording), baseline)


def test_snapshot_values_arrive_as_indicators(baseline: pd.DataFrame) -> None:
    def value(table: str, group: str, indicator: str, year: int) -> float | None:
        row = baseline[
            (baseline.source_table == table)
            & (baseline.population_group == group)
            & (baseline.indicator == indicator)
            & (baseline.year == year)
        ]
        assert len(row) == 1
        result = row.iloc[0]["value"]
        return None if pd.isna(result) else float(result)

    assert value("82809NED", "total", "unemployment_rate", 2008) == 3.7
    assert value("82809NED", "non_western", "unemployment_rate", 2013) == 16.5
    assert value("82809NED", "western", "net_participation_rate", 2018) == 66.5
    assert value("82809NED", "non_western", "unemployment_rate", 2015) is None
    assert value("85456NED", "outside_europe_origin", "unemployment_rate", 2025) == 6.6
    assert value("85456NED", "total", "unemployment_rate", 2019) is None
    assert set(baseline.unit) == {"percent"}
    assert set(baseline[baseline.source_table == "82809NED"].population_group) == {
        "total",
        "dutch_background",
        "migration_background",
        "western",
        "non_western",
    }
    assert set(baseline[baseline.source_table == "85456NED"].population_group) == {
        "total",
        "netherlands_origin",
        "europe_origin",
        "outside_europe_origin",
    }
    assert len(baseline) == 19 * 5 * 2 + 13 * 4 * 2


def test_provisional_comes_from_the_period_status(baseline: pd.DataFrame) -> None:
    newest = baseline[(baseline.source_table == "85456NED") & (baseline.year == 2025)]
    older = baseline[(baseline.source_table == "85456NED") & (baseline.year == 2019)]
    assert newest.provisional.all()
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


def test_quarters_and_other_categories_are_dropped_even_if_the_server_ignores_the_filter() -> None:
    recording = load_recording()
    table = recording["82809NED"]
    table["Perioden"].append(
        {"Key": "2008KW01", "Title": "2008 1e kwartaal", "Status": "Definitief"}
    )
    table["Geslacht"].append({"Key": "3000", "Title": "Mannen"})
    template = table["TypedDataSet"][0]
    table["TypedDataSet"] += [
        {**template, "Perioden": "2008KW01", "Werkloosheidspercentage_21": 50.0},
        {
            **template,
            "Geslacht": "3000",
            "Perioden": "2008JJ00",
            "Werkloosheidspercentage_21": 51.0,
        },
    ]

    class IgnoresFilter(MemoryClient):
        def data(self, table_id: str, filter_text: str, select: list[str]) -> list[dict[str, Any]]:
            return copy.deepcopy(self.recording[table_id]["TypedDataSet"])

    observations = fetch_table(IgnoresFilter(recording), T82).observations
    assert set(observations.period_code.str[4:]) == {"JJ00"}
    assert not observations.value.isin([50.0, 51.0]).any()
    assert len(observations) == 190


def _message(recording: dict[str, Any], table: Any = T82) -> str:
    with pytest.raises(CatalogueMismatchError) as caught:
        fetch_table(MemoryClient(recording), table)
    return str(caught.value)


def test_missing_measure_names_table_title_and_titles_found() -> None:
    recording = load_recording()
    for prop in recording["82809NED"]["DataProperties"]:
        if prop["Title"] == "Werkloosheidspercentage":
            prop["Title"] = "Werkloosheid (%)"
    message = _message(recording)
    assert "82809NED" in message
    assert "'Werkloosheidspercentage'" in message
    assert "'Werkloosheid (%)'" in message and "'Nettoarbeidsparticipatie'" in message


def test_missing_group_names_table_title_and_titles_found() -> None:
    recording = load_recording()
    recording["85456NED"]["Herkomst"] = [
        c for c in recording["85456NED"]["Herkomst"] if c["Title"] != "Buiten Europa"
    ]
    message = _message(recording, T85)
    assert "85456NED" in message and "'Buiten Europa'" in message
    assert "'Nederland'" in message and "'Europa (exclusief Nederland)'" in message


def test_missing_total_names_the_dimension_and_titles_found() -> None:
    recording = load_recording()
    recording["82809NED"]["Leeftijd"] = [{"Key": "52053", "Title": "15 tot 25 jaar"}]
    message = _message(recording)
    assert "82809NED" in message and "'Leeftijd'" in message and "'15 tot 75 jaar'" in message
    assert "'15 tot 25 jaar'" in message


def test_a_dimension_not_in_the_catalogue_fails() -> None:
    recording = load_recording()
    table = recording["82809NED"]
    table["DataProperties"].insert(
        0, {"Type": "Dimension", "Key": "Onderwijsniveau", "Title": "Onderwijsniveau"}
    )
    table["Onderwijsniveau"] = [{"Key": "T001", "Title": "Totaal"}]
    message = _message(recording)
    assert "Onderwijsniveau" in message and "fixed" in message


def test_optional_dimension_is_fixed_where_present() -> None:
    recording = load_recording()
    table = recording["85456NED"]
    table["DataProperties"].insert(
        0, {"Type": "Dimension", "Key": "Geboorteland", "Title": "Geboorteland"}
    )
    table["Geboorteland"] = [
        {"Key": "G1", "Title": "Totaal"},
        {"Key": "G2", "Title": "Geboren in Nederland"},
    ]
    doubled = []
    for row in table["TypedDataSet"]:
        doubled += [
            {**row, "Geboorteland": "G1"},
            {**row, "Geboorteland": "G2", "Werkloosheidspercentage_UNCONFIRMED": 1.0},
        ]
    table["TypedDataSet"] = doubled
    fetched = fetch_table(MemoryClient(recording), T85)
    assert fetched.layout.fixed["Geboorteland"] == "G1"
    assert len(fetched.observations) == 104
    assert 1.0 not in set(fetched.observations.value)


def test_a_measure_in_another_unit_fails() -> None:
    recording = load_recording()
    for prop in recording["82809NED"]["DataProperties"]:
        if prop["Title"] == "Nettoarbeidsparticipatie":
            prop["Unit"] = "x 1 000"
    message = _message(recording)
    assert "'x 1 000'" in message and "'%'" in message


def test_a_non_numeric_cell_is_an_answer_error() -> None:
    recording = load_recording()
    recording["82809NED"]["TypedDataSet"][0]["Werkloosheidspercentage_21"] = "4,8"
    with pytest.raises(CbsAnswerError, match="Werkloosheidspercentage_21"):
        fetch_table(MemoryClient(recording), T82)


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


def test_a_measure_title_spelled_with_a_space_or_hyphen_is_found(baseline: pd.DataFrame) -> None:
    for spelling in ("Netto arbeidsparticipatie", "netto-Arbeidsparticipatie"):
        recording = load_recording()
        for prop in recording["82809NED"]["DataProperties"]:
            if prop["Title"] == "Nettoarbeidsparticipatie":
                prop["Title"] = spelling
        pd.testing.assert_frame_equal(indicators_of(recording), baseline)


def test_two_categories_equal_once_normalised_are_an_error_naming_both() -> None:
    recording = load_recording()
    recording["82809NED"]["Migratieachtergrond"].append(
        {"Key": "9999999", "Title": "Niet westerse migratie-achtergrond"}
    )
    message = _message(recording)
    assert "'Niet-westerse migratieachtergrond' (2012657)" in message
    assert "'Niet westerse migratie-achtergrond' (9999999)" in message
