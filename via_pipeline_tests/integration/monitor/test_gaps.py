"""Guards sql/build_monitor_gaps.sql on DuckDB and PostgreSQL: exact gaps against both
reference groups, changes against the previous year present, baselines (configured and
fallback, decided per source table: an empty baseline cell of one group never moves that
group's baseline), missing cells, provisional figures, and no comparison across source tables."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from via_pipeline.core.monitor import GAP_COLUMNS, load_monitor_config, write_gaps
from via_pipeline.core.warehouse import WarehouseStore
from via_pipeline_tests.support.monitor_metrics import indicator_rows, indicators_frame

CONFIG = load_monitor_config()


def build(
    store: WarehouseStore, *row_lists: list[dict[str, object]], config=CONFIG
) -> pd.DataFrame:
    store.replace("monitor.indicators", indicators_frame(*row_lists))
    written = write_gaps(store, config)
    stored = store.read_table("monitor.gaps")
    assert written.row_count == len(stored)
    assert written.provisional_rows == int(stored["provisional"].astype(bool).sum())
    assert written.source_tables == stored["source_table"].nunique()
    assert list(written.preview.columns) == GAP_COLUMNS
    assert len(written.preview) == min(10, len(stored))
    return stored.set_index(
        ["source_table", "population_group", "reference_group", "year"]
    ).sort_index()


def test_the_letters_example(store: WarehouseStore) -> None:
    gaps = build(
        store,
        indicator_rows(
            "85456NED",
            {"total": {2008: 3.7, 2022: 3.5}, "outside_europe_origin": {2008: 6.9, 2022: 6.4}},
        ),
    )
    group = gaps.loc[("85456NED", "outside_europe_origin", "total")]
    assert list(group.index) == [2008, 2022]
    assert group.loc[2008, "gap_pp"] == pytest.approx(3.2, abs=1e-9)
    assert group.loc[2022, "gap_pp"] == pytest.approx(2.9, abs=1e-9)
    assert group.loc[2022, "gap_change_prev_year_pp"] == pytest.approx(-0.3, abs=1e-9)
    assert group.loc[2022, "gap_change_vs_baseline_pp"] == pytest.approx(-0.3, abs=1e-9)
    assert list(group["baseline_year"]) == [2008, 2008]
    # Only total is a reference group here; outside_europe_origin is not one.
    assert set(gaps.index.get_level_values("reference_group")) == {"total"}
    assert set(gaps.index.get_level_values("population_group")) == {"outside_europe_origin"}
    assert list(store.read_table("monitor.gaps").columns) == GAP_COLUMNS


def test_every_group_against_both_references_never_itself(store: WarehouseStore) -> None:
    gaps = build(
        store,
        indicator_rows(
            "82809NED",
            {
                "total": {2008: 3.7, 2009: 4.4},
                "dutch_background": {2008: 2.9, 2009: 3.5},
                "non_western": {2008: 8.5, 2009: 11.0},
            },
        ),
    )
    pairs = sorted({(g, r) for _, g, r, _ in gaps.index})
    assert pairs == [
        ("dutch_background", "total"),
        ("non_western", "dutch_background"),
        ("non_western", "total"),
        ("total", "dutch_background"),
    ]
    non_western = gaps.loc[("82809NED", "non_western")]
    assert non_western.loc[("total", 2009), "gap_pp"] == pytest.approx(11.0 - 4.4, abs=1e-9)
    assert non_western.loc[("dutch_background", 2009), "gap_pp"] == pytest.approx(7.5, abs=1e-9)
    assert non_western.loc[("dutch_background", 2009), "reference_value"] == 3.5
    assert non_western.loc[("dutch_background", 2009), "gap_change_prev_year_pp"] == pytest.approx(
        1.9, abs=1e-9
    )
    assert gaps.loc[("82809NED", "total", "dutch_background", 2008), "gap_pp"] == pytest.approx(
        0.8, abs=1e-9
    )


def test_year_missing_in_the_middle_compares_with_last_year_present(store: WarehouseStore) -> None:
    gaps = build(
        store,
        indicator_rows(
            "82809NED",
            {
                "total": {2008: 3.7, 2009: 4.4, 2010: 5.0, 2011: 5.0},
                # 2009: CBS left the cell empty; 2010: no row at all.
                "western": {2008: 4.9, 2009: None, 2011: 6.6},
            },
        ),
    )
    western = gaps.loc[("82809NED", "western", "total")]
    assert list(western.index) == [2008, 2011]
    assert western.loc[2011, "gap_pp"] == pytest.approx(1.6, abs=1e-9)
    assert western.loc[2011, "gap_change_prev_year_pp"] == pytest.approx(1.6 - 1.2, abs=1e-9)
    assert pd.isna(western.loc[2008, "gap_change_prev_year_pp"])


def test_missing_reference_cell_gives_no_row(store: WarehouseStore) -> None:
    gaps = build(
        store,
        indicator_rows(
            "82809NED",
            {"total": {2008: 3.7, 2009: None}, "western": {2008: 4.9, 2009: 5.8, 2010: 6.0}},
        ),
    )
    assert list(gaps.loc[("82809NED", "western", "total")].index) == [2008]


def test_baseline_from_config_applies_to_years_before_and_after(store: WarehouseStore) -> None:
    gaps = build(
        store,
        indicator_rows(
            "82809NED",
            {
                "total": {2007: 4.2, 2008: 3.7, 2012: 5.8},
                "non_western": {2007: 9.0, 2008: 8.0, 2012: 13.0},
            },
        ),
    )
    series = gaps.loc[("82809NED", "non_western", "total")]
    assert list(series["baseline_year"]) == [2008, 2008, 2008]
    assert series.loc[2008, "gap_change_vs_baseline_pp"] == pytest.approx(0.0, abs=1e-9)
    assert series.loc[2007, "gap_change_vs_baseline_pp"] == pytest.approx(4.8 - 4.3, abs=1e-9)
    assert series.loc[2012, "gap_change_vs_baseline_pp"] == pytest.approx(7.2 - 4.3, abs=1e-9)


def test_table_starting_after_the_baseline_uses_its_first_year(store: WarehouseStore) -> None:
    gaps = build(
        store,
        indicator_rows(
            "82809NED",
            {"total": {2008: 3.7, 2013: 7.3}, "western": {2008: 4.9, 2013: 8.9}},
        ),
        indicator_rows(
            "85456NED",
            {
                "total": {2013: 8.2, 2014: 8.0, 2022: 3.5},
                "europe_origin": {2013: 9.0, 2014: 8.5, 2022: 4.0},
                # This group's 2013 cell is empty. Its baseline is still the table's, 2013
                # (the old per-series rule moved it to 2014): it has no change since then.
                "outside_europe_origin": {2013: None, 2014: 16.0, 2022: 6.4},
            },
        ),
    )
    europe = gaps.loc[("85456NED", "europe_origin", "total")]
    assert list(europe["baseline_year"]) == [2013, 2013, 2013]
    assert europe.loc[2022, "gap_change_vs_baseline_pp"] == pytest.approx(0.5 - 0.8, abs=1e-9)
    outside = gaps.loc[("85456NED", "outside_europe_origin", "total")]
    assert list(outside.index) == [2014, 2022]
    assert list(outside["baseline_year"]) == [2013, 2013]
    assert outside["gap_change_vs_baseline_pp"].isna().all()
    # The yearly change does not depend on the baseline.
    assert outside.loc[2022, "gap_change_prev_year_pp"] == pytest.approx(2.9 - 8.0, abs=1e-9)
    assert list(gaps.loc[("82809NED", "western", "total")]["baseline_year"]) == [2008, 2008]


def test_group_missing_in_the_baseline_year_keeps_the_tables_baseline(
    store: WarehouseStore,
) -> None:
    # As on the bundled snapshot: 82809NED has a 2008 total but no 2008 figure for non_western,
    # whose figures start in 2012, a crisis year. Measuring its change from 2012 would be a
    # different starting point from the rest of the table.
    gaps = build(
        store,
        indicator_rows(
            "82809NED",
            {
                "total": {2007: 4.2, 2008: 3.7, 2012: 5.8, 2013: 7.3},
                "dutch_background": {2007: 3.5, 2008: 2.9, 2012: 4.6, 2013: 5.8},
                "western": {2008: 4.9, 2012: 7.3, 2013: 8.9},
                "non_western": {2007: None, 2008: None, 2012: 14.1, 2013: 16.5},
            },
        ),
    )
    for reference in ("total", "dutch_background"):
        non_western = gaps.loc[("82809NED", "non_western", reference)]
        assert list(non_western.index) == [2012, 2013]
        assert list(non_western["baseline_year"]) == [2008, 2008]
        assert non_western["gap_change_vs_baseline_pp"].isna().all()
        assert non_western.loc[2013, "gap_change_prev_year_pp"] == pytest.approx(
            (16.5 - non_western.loc[2013, "reference_value"]) - non_western.loc[2012, "gap_pp"],
            abs=1e-9,
        )
    western = gaps.loc[("82809NED", "western", "total")]
    assert list(western["baseline_year"]) == [2008, 2008, 2008]
    assert western.loc[2013, "gap_change_vs_baseline_pp"] == pytest.approx(1.6 - 1.2, abs=1e-9)
    # Every row of the table carries the same baseline, whatever its series has.
    assert set(gaps["baseline_year"]) == {2008}


def test_reference_missing_in_the_baseline_year(store: WarehouseStore) -> None:
    gaps = build(
        store,
        indicator_rows(
            "T",
            {
                "total": {2008: None, 2009: 4.4, 2010: 5.0},
                "dutch_background": {2008: 2.9, 2009: 3.5, 2010: 4.0},
                "western": {2008: 4.9, 2009: 5.9, 2010: 6.5},
            },
        ),
    )
    against_total = gaps.loc[("T", "western", "total")]
    assert list(against_total.index) == [2009, 2010]
    assert list(against_total["baseline_year"]) == [2008, 2008]
    assert against_total["gap_change_vs_baseline_pp"].isna().all()
    against_dutch = gaps.loc[("T", "western", "dutch_background")]
    assert against_dutch.loc[2010, "gap_change_vs_baseline_pp"] == pytest.approx(
        2.5 - 2.0, abs=1e-9
    )


def test_baseline_is_per_table_not_per_indicator(store: WarehouseStore) -> None:
    # One CBS table, one period dimension: participation without rows before 2010 is a set of
    # missing cells of the table's 2008 baseline, not a reason for a later baseline.
    gaps = build(
        store,
        indicator_rows("T", {"total": {2008: 3.7, 2010: 5.0}, "western": {2008: 4.9, 2010: 6.0}}),
        indicator_rows(
            "T",
            {"total": {2010: 67.0, 2011: 67.5}, "western": {2010: 63.0, 2011: 64.0}},
            "net_participation_rate",
        ),
    )
    participation = gaps[gaps["indicator"] == "net_participation_rate"]
    assert set(participation["baseline_year"]) == {2008}
    assert participation["gap_change_vs_baseline_pp"].isna().all()
    unemployment = gaps[gaps["indicator"] == "unemployment_rate"]
    assert unemployment.loc[("T", "western", "total", 2010), "gap_change_vs_baseline_pp"] == (
        pytest.approx(1.0 - 1.2, abs=1e-9)
    )


def test_table_without_the_baseline_year_uses_its_next_year(store: WarehouseStore) -> None:
    # The table skips 2008 altogether (no row for any group): its next year is its baseline.
    # A table that ends before 2008 uses its first year.
    gaps = build(
        store,
        indicator_rows(
            "T",
            {
                "total": {2007: 4.2, 2009: 4.4, 2010: 5.0},
                "western": {2007: 5.0, 2009: 5.9, 2010: 6.5},
            },
        ),
        indicator_rows("OLD", {"total": {2005: 5.9, 2006: 5.0}, "western": {2005: 7.0, 2006: 6.5}}),
    )
    series = gaps.loc[("T", "western", "total")]
    assert list(series["baseline_year"]) == [2009, 2009, 2009]
    assert series.loc[2010, "gap_change_vs_baseline_pp"] == pytest.approx(1.5 - 1.5, abs=1e-9)
    old = gaps.loc[("OLD", "western", "total")]
    assert list(old["baseline_year"]) == [2005, 2005]
    assert old.loc[2006, "gap_change_vs_baseline_pp"] == pytest.approx(1.5 - 1.1, abs=1e-9)


def test_baseline_year_is_a_setting(store: WarehouseStore) -> None:
    config = replace(CONFIG, baseline_year=2010)
    gaps = build(
        store,
        indicator_rows(
            "T",
            {
                "total": {2008: 3.0, 2010: 4.0, 2011: 4.0},
                "western": {2008: 4.0, 2010: 6.0, 2011: 5.5},
            },
        ),
        config=config,
    )
    series = gaps.loc[("T", "western", "total")]
    assert list(series["baseline_year"]) == [2010, 2010, 2010]
    assert series.loc[2011, "gap_change_vs_baseline_pp"] == pytest.approx(-0.5, abs=1e-9)


def test_never_compares_across_source_tables(store: WarehouseStore) -> None:
    gaps = build(
        store,
        # 2013 is in both series at different levels (7.3 old, 8.2 new); the new table has no
        # total for 2012 and the old table no group for 2013.
        indicator_rows("82809NED", {"total": {2012: 5.8, 2013: 7.3}, "non_western": {2012: 14.1}}),
        indicator_rows(
            "85456NED", {"total": {2013: 8.2}, "outside_europe_origin": {2012: 13.0, 2013: 15.0}}
        ),
    )
    assert sorted(gaps.index) == [
        ("82809NED", "non_western", "total", 2012),
        ("85456NED", "outside_europe_origin", "total", 2013),
    ]
    assert gaps.loc[("85456NED", "outside_europe_origin", "total", 2013), "reference_value"] == 8.2
    assert pd.isna(
        gaps.loc[("85456NED", "outside_europe_origin", "total", 2013), "gap_change_prev_year_pp"]
    )


def test_provisional_figures_mark_every_row_that_uses_them(store: WarehouseStore) -> None:
    gaps = build(
        store,
        indicator_rows(
            "85456NED",
            {
                "total": {2013: 8.2, 2021: 4.2, 2022: 3.5, 2023: 3.6},
                "europe_origin": {2013: 9.0, 2021: 5.0, 2022: 4.0, 2023: 4.1},
            },
            provisional_years=[2022],
        ),
    )
    series = gaps.loc[("85456NED", "europe_origin", "total")]
    # 2022 uses provisional figures; 2023's change since the previous year uses 2022's gap.
    assert series["provisional"].astype(bool).to_dict() == {
        2013: False,
        2021: False,
        2022: True,
        2023: True,
    }


def test_provisional_baseline_marks_the_whole_series(store: WarehouseStore) -> None:
    gaps = build(
        store,
        indicator_rows("T", {"total": {2013: 8.2}}, provisional_years=[2013]),
        indicator_rows("T", {"total": {2014: 8.0}, "europe_origin": {2013: 9.0, 2014: 8.5}}),
    )
    # Every row's change since the baseline uses the provisional 2013 total.
    assert gaps["provisional"].astype(bool).to_dict() == {
        ("T", "europe_origin", "total", 2013): True,
        ("T", "europe_origin", "total", 2014): True,
    }


def test_rerun_replaces_the_table(store: WarehouseStore) -> None:
    build(store, indicator_rows("T", {"total": {2008: 3.7}, "western": {2008: 4.9}}))
    gaps = build(store, indicator_rows("U", {"total": {2009: 4.4}, "western": {2009: 5.9}}))
    assert list(gaps.index) == [("U", "western", "total", 2009)]


def test_empty_indicators_give_an_empty_table(store: WarehouseStore) -> None:
    # A previous build's rows must go too.
    build(store, indicator_rows("T", {"total": {2008: 3.7}, "western": {2008: 4.9}}))
    store.replace("monitor.indicators", indicators_frame([]))
    written = write_gaps(store, CONFIG)
    assert (written.row_count, written.provisional_rows, written.source_tables) == (0, 0, 0)
    assert written.preview.empty
    assert store.count("monitor.gaps") == 0
