"""Quarters (issue 24): KW periods read from their keys, status from Status or the titles' stars,
every quarterly cell of the slice kept, and never a year made from quarters."""

from __future__ import annotations

import pytest

from via_pipeline.core.cbs.catalogue import load_catalogue
from via_pipeline.core.cbs.ingest import fetch_table
from via_pipeline.core.cbs.periods import yearly_periods
from via_pipeline.core.cbs.quarters import (
    build_quarterly_indicators,
    parse_quarter,
    quarter_status,
    quarterly_periods,
)
from via_pipeline_tests.support.cbs_tables import (
    MemoryClient,
    expected_quarterly_indicators,
    recording,
    table_82809,
    table_85456_running_year,
)

CATALOGUE = load_catalogue()


@pytest.mark.parametrize(
    ("key", "parsed"),
    [
        ("2023KW01", (2023, 1)),
        ("2023KW04  ", (2023, 4)),
        ("2023JJ00", None),
        ("2023MM01", None),
        ("2023KW05", None),
        ("2023 1e kwartaal*", None),
    ],
)
def test_quarters_come_from_keys_only(key: str, parsed: tuple[int, int] | None) -> None:
    assert parse_quarter(key) == parsed


@pytest.mark.parametrize(
    ("status", "title", "expected"),
    [
        ("Definitief", "2023 1e kwartaal", "Definitief"),
        ("Voorlopig", "2023 1e kwartaal*", "Voorlopig"),
        ("Nader voorlopig", "2023 1e kwartaal**", "Nader voorlopig"),
        (" nader voorlopig ", "2023 1e kwartaal", "Nader voorlopig"),
        (None, "2023 1e kwartaal**", "Nader voorlopig"),
        (None, "2023 2e kwartaal*", "Voorlopig"),
        # Neither a Status nor a star: never taken as final.
        (None, "2023 3e kwartaal", "Voorlopig"),
    ],
)
def test_status_from_the_code_list_or_the_stars(
    status: str | None, title: str, expected: str
) -> None:
    assert quarter_status(status, title) == expected


def test_starred_titles_never_break_and_no_year_comes_from_quarters() -> None:
    periods = table_85456_running_year().periods()
    quarters = quarterly_periods(periods)
    assert sorted(quarters)[-3:] == ["2023KW01", "2023KW02", "2023KW03"]
    assert quarters["2022KW04"].status == "Nader voorlopig"
    assert quarters["2023KW03"].status == "Voorlopig" and quarters["2023KW03"].quarter == 3
    assert quarters["2021KW02"].status == "Definitief"
    years = yearly_periods(periods)
    assert "2023JJ00" not in years and max(p.year for p in years.values()) == 2022


def test_every_quarterly_cell_is_kept_with_its_status_and_version() -> None:
    table = table_85456_running_year()
    fetched = fetch_table(MemoryClient(recording(table)), CATALOGUE.table("85456NED"))
    assert fetched.quarterly is not None
    assert set(fetched.quarterly["source_version"]) == {"modified:2026-02-13T02:00:00"}
    indicators = build_quarterly_indicators(CATALOGUE, fetched.quarterly)
    got = {
        (r.source_table, r.period, r.population_group, r.indicator): (r.value, r.status)
        for r in indicators.itertuples()
    }
    assert got == expected_quarterly_indicators(table)
    assert len(got) == 11 * 15 * 2  # 2021-2022 (8) and 2023 Q1-Q3: 15 groups, 2 indicators
    # The yearly figures: up to 2022 only.
    assert fetched.observations["year"].max() == 2022
    assert not fetched.observations["period_code"].str.contains("KW").any()


def test_a_table_without_quarters_true_gets_no_quarterly_request() -> None:
    asked: list[str] = []

    class Counting(MemoryClient):
        def data(self, table_id: str, filter_text: str, select: list[str]) -> list[dict]:  # type: ignore[type-arg]
            asked.append(filter_text)
            return super().data(table_id, filter_text, select)

    fetched = fetch_table(Counting(recording(table_82809())), CATALOGUE.table("82809NED"))
    assert fetched.quarterly is not None and fetched.quarterly.empty
    assert len(asked) == 1 and "'JJ'" in asked[0]


def test_without_a_status_the_stars_of_the_titles_decide() -> None:
    table = table_85456_running_year()
    served = recording(table)
    for period in served["85456NED"]["Perioden"]:
        del period["Status"]
    fetched = fetch_table(MemoryClient(served), CATALOGUE.table("85456NED"))
    assert fetched.quarterly is not None
    statuses = dict(
        zip(fetched.quarterly["period_code"], fetched.quarterly["status"], strict=False)
    )
    # "2023 3e kwartaal*", "2022 4e kwartaal**"; 2021's titles carry no star and no Status: not
    # final either.
    assert statuses["2023KW03"] == "Voorlopig"
    assert statuses["2022KW04"] == "Nader voorlopig"
    assert statuses["2021KW01"] == "Voorlopig"
