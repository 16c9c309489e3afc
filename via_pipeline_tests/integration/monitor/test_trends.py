"""Guards sql/build_monitor_trends.sql on DuckDB and PostgreSQL: first and last gaps, the
narrowing count over the last years present, the structural catch-up verdict with its Dutch
reason, the fallback baseline (per source table), no verdict for a series whose own baseline
cell is empty, a year missing in the middle and provisional figures."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from via_pipeline.core.monitor import (
    TREND_COLUMNS,
    CatchUpRule,
    load_monitor_config,
    write_gaps,
    write_trends,
)
from via_pipeline.core.warehouse import WarehouseStore
from via_pipeline_tests.support.monitor_metrics import indicator_rows, indicators_frame

CONFIG = load_monitor_config()


def build(
    store: WarehouseStore, *row_lists: list[dict[str, object]], config=CONFIG
) -> pd.DataFrame:
    store.replace("monitor.indicators", indicators_frame(*row_lists))
    write_gaps(store, config)
    written = write_trends(store, config)
    stored = store.read_table("monitor.trends")
    assert list(stored.columns) == TREND_COLUMNS
    assert len(stored) == len(written)
    return stored.set_index(["source_table", "indicator", "population_group", "reference_group"])


def test_the_letters_example_is_no_structural_catch_up(store: WarehouseStore) -> None:
    trends = build(
        store,
        indicator_rows(
            "T",
            {"total": {2008: 3.7, 2022: 3.5}, "outside_europe_origin": {2008: 6.9, 2022: 6.4}},
        ),
    )
    assert len(trends) == 1
    trend = trends.loc[("T", "unemployment_rate", "outside_europe_origin", "total")]
    assert (trend.first_year, trend.last_year) == (2008, 2022)
    assert round(trend.gap_first_pp, 1) == 3.2
    assert round(trend.gap_last_pp, 1) == 2.9
    assert trend.years_narrowing == 1
    assert not trend.structural_catch_up
    assert trend.reason_nl.startswith(
        "Geen structurele inhaalslag. Het werkloosheidspercentage lag bij burgers met een "
        "buiten-Europese migratieachtergrond in 2008 3,2 procentpunten hoger dan bij het "
        "gemiddelde van de bevolking en in 2022 "
        "2,9 procentpunten hoger."
    )
    assert trend.reason_nl.endswith("niet voldaan, het is 91 procent.")
    assert not trend.provisional


# Gaps to total: 2008 4.0; 2018 4.0, 2019 3.5, 2020 3.0, 2021 2.8 (three narrowing years, 70 %).
NARROWING_TOTAL = {2008: 4.0, 2018: 4.0, 2019: 4.0, 2020: 4.0, 2021: 4.0}
NARROWING_GROUP = {2008: 8.0, 2018: 8.0, 2019: 7.5, 2020: 7.0, 2021: 6.8}


def test_structural_catch_up(store: WarehouseStore) -> None:
    trends = build(
        store, indicator_rows("T", {"total": NARROWING_TOTAL, "non_western": NARROWING_GROUP})
    )
    trend = trends.loc[("T", "unemployment_rate", "non_western", "total")]
    assert (trend.first_year, trend.last_year, trend.years_narrowing) == (2008, 2021, 3)
    assert trend.gap_first_pp == pytest.approx(4.0, abs=1e-9)
    assert trend.gap_last_pp == pytest.approx(2.8, abs=1e-9)
    assert trend.structural_catch_up
    assert trend.reason_nl.startswith("Structurele inhaalslag. ")
    assert trend.reason_nl.endswith("voldaan, het is 70 procent.")


def test_one_widening_year_breaks_the_catch_up(store: WarehouseStore) -> None:
    group = {**NARROWING_GROUP, 2020: 7.6}  # gap 3.5 -> 3.6 -> 2.8
    trends = build(store, indicator_rows("T", {"total": NARROWING_TOTAL, "non_western": group}))
    trend = trends.loc[("T", "unemployment_rate", "non_western", "total")]
    assert trend.years_narrowing == 2
    assert not trend.structural_catch_up
    assert "niet voldaan, het verschil werd in 2 van de laatste 3 jaren kleiner." in trend.reason_nl


def test_an_unchanged_gap_is_not_narrowing(store: WarehouseStore) -> None:
    group = {**NARROWING_GROUP, 2020: 7.5, 2021: 6.8}  # gap 3.5 -> 3.5 -> 2.8
    trends = build(store, indicator_rows("T", {"total": NARROWING_TOTAL, "non_western": group}))
    assert trends.loc[("T", "unemployment_rate", "non_western", "total"), "years_narrowing"] == 2


def test_narrowing_by_too_little_is_no_catch_up(store: WarehouseStore) -> None:
    group = {2008: 8.0, 2018: 7.8, 2019: 7.6, 2020: 7.4, 2021: 7.2}  # 3.2 of 4.0 = 80 %
    trends = build(store, indicator_rows("T", {"total": NARROWING_TOTAL, "non_western": group}))
    trend = trends.loc[("T", "unemployment_rate", "non_western", "total")]
    assert trend.years_narrowing == 3
    assert not trend.structural_catch_up
    assert trend.reason_nl.endswith("niet voldaan, het is 80 procent.")


def test_participation_gap_is_negative_and_narrows_in_absolute_terms(store: WarehouseStore) -> None:
    total = {2008: 68.0, 2019: 68.0, 2020: 68.0, 2021: 68.0, 2022: 68.0}
    group = {2008: 55.0, 2019: 57.0, 2020: 58.0, 2021: 58.5, 2022: 59.0}  # -13 ... -9
    trends = build(
        store,
        indicator_rows(
            "T", {"total": total, "outside_europe_origin": group}, "net_participation_rate"
        ),
    )
    trend = trends.loc[("T", "net_participation_rate", "outside_europe_origin", "total")]
    assert trend.gap_first_pp == pytest.approx(-13.0, abs=1e-9)
    assert trend.gap_last_pp == pytest.approx(-9.0, abs=1e-9)
    assert trend.years_narrowing == 3
    assert trend.structural_catch_up  # 9 / 13 = 69 %
    assert "13,0 procentpunten lager dan bij het gemiddelde van de bevolking" in trend.reason_nl


def test_year_missing_in_the_middle(store: WarehouseStore) -> None:
    # 2020 is missing: the last three years present are 2019, 2021, 2022, each compared with
    # the year present before it (2021 with 2019).
    total = {2008: 4.0, 2018: 4.0, 2019: 4.0, 2021: 4.0, 2022: 4.0}
    group = {2008: 8.0, 2018: 8.0, 2019: 7.5, 2020: None, 2021: 7.0, 2022: 6.9}
    trends = build(store, indicator_rows("T", {"total": total, "non_western": group}))
    trend = trends.loc[("T", "unemployment_rate", "non_western", "total")]
    assert (trend.last_year, trend.years_narrowing) == (2022, 3)
    assert trend.structural_catch_up  # 2.9 of 4.0 = 72.5 %


def test_fallback_baseline_and_too_few_years(store: WarehouseStore) -> None:
    trends = build(
        store,
        indicator_rows("82809NED", {"total": NARROWING_TOTAL, "non_western": NARROWING_GROUP}),
        indicator_rows(
            "85456NED",
            {
                "total": {2013: 8.2, 2014: 8.0, 2015: 7.0},
                "europe_origin": {2013: 10.2, 2014: 9.5, 2015: 8.0},
            },
        ),
    )
    new = trends.loc[("85456NED", "unemployment_rate", "europe_origin", "total")]
    assert (new.first_year, new.last_year) == (2013, 2015)
    assert new.gap_first_pp == pytest.approx(2.0, abs=1e-9)
    assert new.gap_last_pp == pytest.approx(1.0, abs=1e-9)
    # Narrowed in both years it has, to 50 %; but the rule needs three years.
    assert new.years_narrowing == 2
    assert not new.structural_catch_up
    assert "na 2013 zijn er pas voor 2 jaren cijfers" in new.reason_nl
    assert "Het basisjaar is 2013: de tabel heeft geen cijfers voor 2008." in new.reason_nl
    old = trends.loc[("82809NED", "unemployment_rate", "non_western", "total")]
    assert (old.first_year, old.structural_catch_up) == (2008, True)


# non_western has no 2008 figure (as on the bundled snapshot of 82809NED). Measured from 2012,
# a crisis year, its gap to total (8.3 -> 7.3 -> 6.0 -> 5.0 -> 4.0) would pass both conditions.
NO_BASELINE_TOTAL = {2008: 3.7, 2012: 5.8, 2013: 7.3, 2014: 7.4, 2015: 6.9, 2016: 6.0}
NO_BASELINE_GROUP = {2008: None, 2012: 14.1, 2013: 14.6, 2014: 13.4, 2015: 11.9, 2016: 10.0}


def test_group_without_a_baseline_figure_gets_no_verdict(store: WarehouseStore) -> None:
    trends = build(
        store,
        indicator_rows(
            "82809NED",
            {
                "total": NO_BASELINE_TOTAL,
                "dutch_background": {2008: 2.9, 2012: 4.6, 2016: 4.8},
                "non_western": NO_BASELINE_GROUP,
            },
        ),
    )
    trend = trends.loc[("82809NED", "unemployment_rate", "non_western", "total")]
    assert (trend.first_year, trend.last_year) == (2008, 2016)
    assert pd.isna(trend.gap_first_pp)
    assert trend.gap_last_pp == pytest.approx(4.0, abs=1e-9)
    assert trend.years_narrowing == 3
    assert pd.isna(trend.structural_catch_up)
    assert trend.reason_nl == (
        "Geen oordeel over een structurele inhaalslag mogelijk. CBS heeft in deze tabel voor het "
        "basisjaar 2008 geen cijfer gepubliceerd van het werkloosheidspercentage bij burgers met "
        "een niet-westerse migratieachtergrond, dus het verschil in dat jaar is onbekend. Het "
        "verschil is pas bekend vanaf 2012; een oordeel vanaf een later jaar dan het basisjaar "
        "zou een ander vertrekpunt hebben en wordt niet gegeven."
    )
    # The series with a 2008 gap keep their verdict.
    dutch = trends.loc[("82809NED", "unemployment_rate", "dutch_background", "total")]
    assert (dutch.first_year, dutch.structural_catch_up) == (2008, False)
    assert dutch.gap_first_pp == pytest.approx(-0.8, abs=1e-9)
    # A reader filtering on the verdict, either way, never meets the series without one.
    for verdict in (True, False):
        chosen = store.read(
            "SELECT population_group, reference_group FROM monitor.trends "
            "WHERE structural_catch_up = :verdict",
            {"verdict": verdict},
        )
        assert "non_western" not in set(chosen["population_group"])
    undecided = store.read(
        "SELECT population_group, reference_group FROM monitor.trends "
        "WHERE structural_catch_up IS NULL ORDER BY reference_group",
        {},
    )
    assert undecided.values.tolist() == [
        ["non_western", "dutch_background"],
        ["non_western", "total"],
    ]


def test_reference_without_a_baseline_figure_is_named(store: WarehouseStore) -> None:
    trends = build(
        store,
        indicator_rows(
            "85456NED",
            {
                "total": {2013: None, 2014: 8.0, 2015: 7.0},
                "netherlands_origin": {2013: 6.8, 2014: 6.5, 2015: 5.9},
                "outside_europe_origin": {2013: None, 2014: 16.0, 2015: 14.0},
            },
        ),
    )
    both = trends.loc[("85456NED", "unemployment_rate", "outside_europe_origin", "total")]
    assert pd.isna(both.structural_catch_up)
    assert (
        "CBS heeft in deze tabel voor het basisjaar 2013 geen cijfer gepubliceerd van het "
        "werkloosheidspercentage bij burgers met een buiten-Europese migratieachtergrond en bij "
        "het gemiddelde van de bevolking, dus" in both.reason_nl
    )
    # Table 85456NED starts after 2008: the sentence names that too.
    assert "Het basisjaar is 2013: de tabel heeft geen cijfers voor 2008." in both.reason_nl
    reference = trends.loc[("85456NED", "unemployment_rate", "netherlands_origin", "total")]
    assert pd.isna(reference.structural_catch_up)
    assert (
        "geen cijfer gepubliceerd van het werkloosheidspercentage bij het gemiddelde van de "
        "bevolking, dus" in (reference.reason_nl)
    )
    against_dutch = trends.loc[
        ("85456NED", "unemployment_rate", "outside_europe_origin", "netherlands_origin")
    ]
    assert pd.isna(against_dutch.structural_catch_up)
    assert "bij burgers met een buiten-Europese migratieachtergrond, dus" in against_dutch.reason_nl
    # Every pair of this table lacks a 2013 figure on one side or both: no verdict at all.
    assert len(trends) == 4
    assert trends["structural_catch_up"].isna().all()


def test_series_ending_before_the_baseline_has_no_trend(store: WarehouseStore) -> None:
    # The table reaches 2008, but western's figures stop in 2007: nothing to assess from the
    # baseline on, so no trend row (its gap rows remain in monitor.gaps).
    trends = build(
        store,
        indicator_rows(
            "T",
            {
                "total": {2006: 5.0, 2007: 4.2, 2008: 3.7},
                "western": {2006: 6.5, 2007: 5.0, 2008: None},
                "non_western": {2006: 9.0, 2007: 8.0, 2008: 7.5},
            },
        ),
    )
    assert list(trends.index.get_level_values("population_group")) == ["non_western"]
    assert store.count("monitor.gaps", {"population_group": "western"}) == 2


def test_years_before_the_baseline_are_not_part_of_the_trend(store: WarehouseStore) -> None:
    trends = build(
        store,
        indicator_rows(
            "T",
            {
                "total": {2006: 5.0, 2007: 4.0, 2008: 4.0},
                "western": {2006: 9.0, 2007: 6.0, 2008: 5.0},
            },
        ),
    )
    trend = trends.loc[("T", "unemployment_rate", "western", "total")]
    assert (trend.first_year, trend.last_year, trend.years_narrowing) == (2008, 2008, 0)
    assert not trend.structural_catch_up
    assert "Er is maar één jaar met cijfers" in trend.reason_nl


def test_rule_parameters_come_from_config(store: WarehouseStore) -> None:
    lenient = replace(CONFIG, catch_up=CatchUpRule(narrowing_years=1, max_gap_ratio=0.95))
    trends = build(
        store,
        indicator_rows(
            "T", {"total": {2008: 3.7, 2022: 3.5}, "outside_europe_origin": {2008: 6.9, 2022: 6.4}}
        ),
        config=lenient,
    )
    assert trends.iloc[0].structural_catch_up


def test_provisional_last_year_makes_the_trend_provisional(store: WarehouseStore) -> None:
    rows = indicator_rows(
        "T", {"total": NARROWING_TOTAL, "non_western": NARROWING_GROUP}, provisional_years=[2021]
    )
    trends = build(store, rows)
    assert trends.loc[("T", "unemployment_rate", "non_western", "total"), "provisional"]


def test_provisional_year_outside_what_the_trend_uses(store: WarehouseStore) -> None:
    # 2018 is provisional (unusual, but possible after a revision); the trend uses 2008 and
    # 2019-2021, whose changes reach back to 2018 only through 2019.
    rows = indicator_rows(
        "T", {"total": NARROWING_TOTAL, "non_western": NARROWING_GROUP}, provisional_years=[2018]
    )
    trends = build(store, rows)
    assert trends.loc[("T", "unemployment_rate", "non_western", "total"), "provisional"]
    later = {**NARROWING_TOTAL, 2022: 4.0}
    group = {**NARROWING_GROUP, 2022: 6.7}
    trends = build(
        store, indicator_rows("T", {"total": later, "non_western": group}, provisional_years=[2018])
    )
    assert not trends.loc[("T", "unemployment_rate", "non_western", "total"), "provisional"]


def test_a_failed_build_keeps_the_previous_trends(
    store: WarehouseStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from via_pipeline.core import monitor
    from via_pipeline.core.monitor import tables

    build(store, indicator_rows("T", {"total": NARROWING_TOTAL, "non_western": NARROWING_GROUP}))
    before = store.read_table("monitor.trends")
    # If the sentence's reading of the rule ever disagreed with the SQL verdict, the build stops
    # rather than write a reason that contradicts its verdict, and nothing is lost.
    monkeypatch.setattr(
        tables,
        "catch_up_conditions",
        lambda figures, rule: monitor.CatchUpConditions(narrowing_met=True, ratio_met=True),
    )
    store.replace(
        "monitor.indicators",
        indicators_frame(indicator_rows("U", {"total": {2008: 1.0}, "western": {2008: 2.0}})),
    )
    write_gaps(store, CONFIG)
    with pytest.raises(monitor.MonitorError, match="U unemployment_rate western vs total"):
        write_trends(store, CONFIG)
    pd.testing.assert_frame_equal(store.read_table("monitor.trends"), before)
