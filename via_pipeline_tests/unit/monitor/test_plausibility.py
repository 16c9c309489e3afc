"""Guards the plausibility finders on 82809NED shaped as CBS publishes it, with CBS's published
figures in its cells (support/published.py): the real series pass, a jump added here is found
with its table, measure, group, years and values in Dutch, the limit is "more than", an empty
year is not bridged, a breakdown cell has its own limit, and a rate outside its bounds is named.
Also monitor.yaml's `plausibility:` block: every problem names the key."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from via_pipeline.core.cbs.catalogue import load_catalogue
from via_pipeline.core.cbs.ingest import build_indicators, fetch_table
from via_pipeline.core.monitor.plausibility import (
    RATE_BOUNDS,
    YEAR_MOVE,
    MoveLimit,
    PlausibilityConfig,
    find_findings,
    find_rates_out_of_bounds,
    find_year_moves,
    findings_markdown,
    load_plausibility_config,
    load_revision_warning_pp,
    load_series_names,
    parse_plausibility_config,
    warning_lines,
)
from via_pipeline.core.settings.config import ConfigFileError
from via_pipeline_tests.support.cbs_tables import MemoryClient
from via_pipeline_tests.support.monitor_metrics import indicator_rows, indicators_frame
from via_pipeline_tests.support.published import published_82809, set_cell

CATALOGUE = load_catalogue()
NAMES = load_series_names()
CONFIG = load_plausibility_config()
UNEMPLOYMENT = "Werkloosheidspercentage_21"
PARTICIPATION = "NettoArbeidsparticipatie_24"


def indicators_of(recorded: dict[str, Any]) -> pd.DataFrame:
    observations = fetch_table(MemoryClient(recorded), CATALOGUE.table("82809NED")).observations
    return build_indicators(CATALOGUE, observations)


def test_the_shipped_config_reads_as_documented() -> None:
    assert CONFIG.max_year_move == {"percent": MoveLimit(totals=3.0, breakdown_cells=5.0)}
    assert (CONFIG.rate_min, CONFIG.rate_max) == (0.0, 100.0)
    assert load_revision_warning_pp() == 0.3
    assert CONFIG.revision_warns(2.9, 3.2) and not CONFIG.revision_warns(2.9, 3.1)


def test_published_series_move_within_the_limits() -> None:
    indicators = indicators_of(published_82809())
    # The real figures arrived: 19 years of the total's unemployment, 2003 to 2021.
    total = indicators[
        (indicators.population_group == "total")
        & (indicators.indicator == "unemployment_rate")
        & indicators.value.notna()
    ]
    assert list(total.year) == list(range(2003, 2022))
    assert (total.value.iloc[0], total.value.iloc[-1]) == (4.8, 4.2)
    assert find_year_moves(indicators, CONFIG, NAMES) == []
    assert find_rates_out_of_bounds(indicators, CONFIG, NAMES) == []


def test_a_jump_is_found_with_table_measure_group_years_and_values() -> None:
    recorded = published_82809()
    # Published: 2019 3.4, 2020 3.8, 2021 4.2. The jump: 2020 becomes 7.9 (4.5 up, 3.7 down).
    set_cell(recorded, "Totaal", 2020, UNEMPLOYMENT, 7.9)
    findings = find_year_moves(indicators_of(recorded), CONFIG, NAMES)
    assert [(f.rule, f.years, f.values) for f in findings] == [
        (YEAR_MOVE, (2019, 2020), (3.4, 7.9)),
        (YEAR_MOVE, (2020, 2021), (7.9, 4.2)),
    ]
    assert findings[0].text_nl == (
        "CBS 82809NED Werkloosheidspercentage, Totaal (hele bevolking 15 tot 75 jaar): "
        "2019 → 2020: 3,4 → 7,9 (4,5 procentpunten hoger in één jaar; meer dan 3,0 "
        "procentpunten)"
    )
    assert (
        findings[1].finding_nl == "3,7 procentpunten lager in één jaar; meer dan 3,0 procentpunten"
    )
    table = [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in findings_markdown(findings).splitlines()
    ]
    assert table[0] == ["tabel", "maatstaf", "groep", "jaren", "waarden", "bevinding"]
    assert table[2][:5] == [
        "82809NED",
        "Werkloosheidspercentage",
        "Totaal (hele bevolking 15 tot 75 jaar)",
        "2019 → 2020",
        "3,4 → 7,9",
    ]
    assert len(table) == 4


def test_exactly_the_limit_passes_and_an_empty_year_is_not_bridged() -> None:
    recorded = published_82809()
    # Met migratieachtergrond, published 2011 9.3 and 2012 10.8: 2012 at 12.3 is exactly 3.0
    # up (7.3-4.3 in floats is 3.0000000000000004), not more.
    set_cell(recorded, "Met migratieachtergrond", 2012, UNEMPLOYMENT, 12.3)
    # The total: 2015 left empty, 2016 set 4.0 below 2014 (7.4): 2014 -> 2016 is two years.
    set_cell(recorded, "Totaal", 2015, UNEMPLOYMENT, None)
    set_cell(recorded, "Totaal", 2016, UNEMPLOYMENT, 3.4)
    findings = find_year_moves(indicators_of(recorded), CONFIG, NAMES)
    # 2016 -> 2017 (3.4 -> 4.9) is 1.5: nothing is found.
    assert findings == []


def test_a_breakdown_cell_has_its_own_limit() -> None:
    rows = indicator_rows(
        "85456NED",
        {
            "outside_europe_women": {2019: 8.0, 2020: 12.5},  # 4.5: within 5.0 for a cell
            "outside_europe_origin": {2019: 7.5, 2020: 12.0},  # 4.5: more than 3.0
        },
    )
    findings = find_year_moves(indicators_frame(rows), CONFIG, NAMES)
    assert [(f.population_group, f.group_label) for f in findings] == [
        ("outside_europe_origin", "Herkomst buiten Europa")
    ]
    assert findings[0].measure == "Werkloosheidspercentage"


def test_a_provisional_year_is_marked_as_cbs_marks_it() -> None:
    rows = indicator_rows(
        "85456NED", {"netherlands_origin": {2024: 3.0, 2025: 6.5}}, provisional_years=[2025]
    )
    (finding,) = find_year_moves(indicators_frame(rows), CONFIG, NAMES)
    assert finding.years_text == "2024 → 2025*"


def test_a_rate_outside_its_bounds_is_named() -> None:
    recorded = published_82809()
    set_cell(recorded, "Nederlandse achtergrond", 2008, PARTICIPATION, 100.4)
    config = PlausibilityConfig(max_year_move={}, rate_min=0.0, rate_max=100.0)
    (finding,) = find_findings(RATE_BOUNDS, indicators_of(recorded), config, NAMES)
    assert finding.text_nl == (
        "CBS 82809NED Netto arbeidsparticipatie, Nederlandse achtergrond: 2008: 100,4 "
        "(buiten 0 tot 100)"
    )
    # Narrower bounds: the real 2008 participation of 69.0 and more are outside 0 to 68,5.
    narrow = PlausibilityConfig(max_year_move={}, rate_min=0.0, rate_max=68.5)
    outside = find_rates_out_of_bounds(indicators_of(published_82809()), narrow, NAMES)
    assert {(f.population_group, f.years, f.values) for f in outside} >= {
        ("dutch_background", (2008,), (69.0,))
    }
    assert all(f.values[0] > 68.5 for f in outside)
    assert outside[0].finding_nl == "buiten 0 tot 68,5"


def test_warning_lines_are_capped_with_and_n_more() -> None:
    rows = indicator_rows("82809NED", {"total": {y: 3.0 + 4 * (y % 2) for y in range(2003, 2016)}})
    findings = find_year_moves(indicators_frame(rows), CONFIG, NAMES)
    assert len(findings) == 12
    lines = warning_lines(findings)
    assert len(lines) == 11
    assert lines[0].startswith("CBS 82809NED Werkloosheidspercentage, Totaal")
    assert lines[-1] == "and 2 more (all of them on the check's page)"
    assert warning_lines(findings[:3]) == [f.text_nl for f in findings[:3]]


def raw_block(**block: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "max_year_move": {"percent": {"totals": 3, "breakdown_cells": 5}},
        "rate_bounds": {"min": 0, "max": 100},
        "revision_warning_pp": 0.3,
    }
    return {"plausibility": {**base, **block}}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({}, "monitor.yaml: `plausibility` must be a mapping, got None"),
        (
            raw_block(revision_warning_pp="0,3"),
            "monitor.yaml plausibility: `revision_warning_pp` must be a number >= 0, got '0,3'",
        ),
        (
            raw_block(max_year_move={"percent": {"totals": 3}}),
            "monitor.yaml plausibility max_year_move percent: `breakdown_cells` must be a "
            "number >= 0, got None",
        ),
        (
            raw_block(max_year_move={"procent": {"totals": 3, "breakdown_cells": 5}}),
            "monitor.yaml plausibility max_year_move procent: no indicator of "
            "population_groups.yaml has unit 'procent' (units there: percent)",
        ),
        (
            raw_block(rate_bounds={"min": 100, "max": 0}),
            "monitor.yaml plausibility rate_bounds: `min` (100) must be below `max` (0)",
        ),
        (
            raw_block(revision_pp=0.3),
            "monitor.yaml plausibility: unknown key(s) revision_pp; expected max_year_move, "
            "rate_bounds, revision_warning_pp",
        ),
    ],
)
def test_config_problems_name_the_key(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigFileError) as error:
        parse_plausibility_config(raw, "monitor.yaml", units={"percent"})
    assert str(error.value) == message
