"""Guards the monitor's configuration and the catch-up rule as the letter states it: the two
conditions, the sign of the gap, and the Dutch sentence that explains each verdict."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from via_pipeline.core.monitor import (
    CatchUpRule,
    MonitorConfig,
    TrendFigures,
    catch_up_conditions,
    load_monitor_config,
    parse_monitor_config,
    reason_nl,
)
from via_pipeline.core.settings.config import ConfigFileError

CONFIG = load_monitor_config()
RULE = CONFIG.catch_up


def figures(
    first: float,
    last: float,
    narrowing: int = 3,
    compared: int = 3,
    first_year: int = 2008,
    last_year: int = 2022,
    indicator: str = "unemployment_rate",
) -> TrendFigures:
    return TrendFigures(
        indicator=indicator,
        population_group="outside_europe_origin",
        reference_group="total",
        first_year=first_year,
        last_year=last_year,
        gap_first_pp=first,
        gap_last_pp=last,
        years_narrowing=narrowing,
        years_compared=compared,
    )


def test_shipped_config_holds_the_documented_defaults() -> None:
    assert CONFIG.baseline_year == 2008
    assert CONFIG.reference_groups == ("total", "dutch_background", "netherlands_origin")
    assert (RULE.narrowing_years, RULE.max_gap_ratio) == (3, 0.75)
    # The words come from population_groups.yaml, the letter's register.
    assert CONFIG.group_sentence("outside_europe_origin") == (
        "burgers met een buiten-Europese migratieachtergrond"
    )
    assert CONFIG.indicator_subject("unemployment_rate") == "het werkloosheidspercentage"
    assert CONFIG.group_sentence("second_generation") == "second_generation"


VALID = {
    "baseline_year": 2008,
    "reference_groups": ["total"],
    "catch_up": {"narrowing_years": 3, "max_gap_ratio": 0.75},
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"baseline_year": "2008"}, "`baseline_year` must be a whole number"),
        ({"reference_groups": []}, "`reference_groups` must be a non-empty list"),
        ({"catch_up": None}, "`catch_up` must be a mapping"),
        ({"catch_up": {"narrowing_years": 0, "max_gap_ratio": 0.75}}, "`narrowing_years`"),
        ({"catch_up": {"narrowing_years": 3, "max_gap_ratio": 1.5}}, "`max_gap_ratio`"),
        ({"labels_nl": {"indicators": {"x": "y"}}}, "population_groups.yaml"),
    ],
)
def test_bad_config_names_file_and_key(change: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigFileError, match=r"monitor\.yaml") as error:
        parse_monitor_config({**VALID, **change}, "config/monitor.yaml")
    assert message in str(error.value)


def test_missing_config_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigFileError, match=r"monitor\.yaml: config file not found"):
        load_monitor_config(tmp_path)


@pytest.mark.parametrize(
    ("trend", "narrowing_met", "ratio_met"),
    [
        # The 2023 letter's case: 3.2 -> 2.9 is 91 % of the baseline gap.
        (figures(3.2, 2.9, narrowing=3), True, False),
        (figures(3.2, 2.0, narrowing=3), True, True),
        # Exactly 75 %, though in floating point 3.6 - 1.2 > 0.75 x (4.3 - 1.1): still within.
        (figures(4.3 - 1.1, 3.6 - 1.2, narrowing=3), True, True),
        (figures(3.2, 2.0, narrowing=2), False, True),
        # Fewer years after the baseline than the rule looks at: never structural.
        (figures(3.2, 2.0, narrowing=2, compared=2), False, True),
        # Participation: the group is below the reference, the gap is negative; |gap| counts.
        (figures(-10.0, -7.0), True, True),
        (figures(-10.0, -8.0), True, False),
        # The group overtook the reference by more than the old gap: not within 75 %.
        (figures(2.0, -1.6), True, False),
    ],
)
def test_catch_up_conditions(trend: TrendFigures, narrowing_met: bool, ratio_met: bool) -> None:
    conditions = catch_up_conditions(trend, RULE)
    assert (conditions.narrowing_met, conditions.ratio_met) == (narrowing_met, ratio_met)
    assert conditions.structural == (narrowing_met and ratio_met)


def test_rule_parameters_come_from_config() -> None:
    lenient = CatchUpRule(narrowing_years=1, max_gap_ratio=0.95)
    assert catch_up_conditions(figures(3.2, 2.9, narrowing=1, compared=1), lenient).structural


def test_reason_for_the_letters_example() -> None:
    assert reason_nl(figures(3.2, 2.9, narrowing=1, compared=1), RULE, CONFIG) == (
        "Geen structurele inhaalslag. Het werkloosheidspercentage lag bij burgers met een "
        "buiten-Europese migratieachtergrond in 2008 3,2 procentpunten hoger dan bij het "
        "gemiddelde van de bevolking en in 2022 "
        "2,9 procentpunten hoger. Voorwaarde 1, het verschil werd in elk van de laatste 3 jaren "
        "kleiner: niet voldaan, na 2008 zijn er pas voor 1 jaar cijfers. Voorwaarde 2, het laatste "
        "verschil is hooguit 75 procent van dat in 2008: niet voldaan, het is 91 procent."
    )


def test_reason_for_a_structural_catch_up() -> None:
    text = reason_nl(figures(3.2, 2.0), RULE, CONFIG)
    assert text.startswith("Structurele inhaalslag. ")
    assert "kleiner: voldaan, het verschil werd in 3 van de laatste 3 jaren kleiner." in text
    assert text.endswith("in 2008: voldaan, het is 63 procent.")


def test_reason_puts_a_negative_gap_in_words() -> None:
    text = reason_nl(
        figures(-10.0, -8.0, narrowing=2, indicator="net_participation_rate"), RULE, CONFIG
    )
    assert text.startswith("Geen structurele inhaalslag. De nettoarbeidsparticipatie lag bij")
    assert "in 2008 10,0 procentpunten lager dan bij het gemiddelde van de bevolking" in text
    assert "en in 2022 8,0 procentpunten lager." in text
    assert "niet voldaan, het verschil werd in 2 van de laatste 3 jaren kleiner." in text
    # No signed number (a hyphen inside a word, as in "buiten-Europese", is fine).
    assert not re.search(r"[-\u2212]\s*\d", text)


def test_reason_does_not_round_a_share_above_the_limit_into_it() -> None:
    # 2.4012 / 3.2 = 75.04 %: "75 procent" would contradict "niet voldaan".
    text = reason_nl(figures(3.2, 2.4012), RULE, CONFIG)
    assert text.endswith("niet voldaan, het is 75,04 procent.")


def test_reason_with_a_single_year_and_unknown_codes() -> None:
    config = replace(CONFIG, indicator_subjects={}, group_sentences={})
    text = reason_nl(figures(0.0, 0.0, 0, 0, 2013, 2013, "long_term_rate"), RULE, config)
    assert text == (
        "Geen structurele inhaalslag. Het basisjaar is 2013: de tabel heeft geen cijfers voor "
        "2008. Long_term_rate lag bij outside_europe_origin in 2013 even "
        "hoog als bij total. Er is maar één jaar met cijfers; een inhaalslag is nog niet te "
        "beoordelen."
    )


def test_default_config_object_matches_the_file() -> None:
    assert MonitorConfig().catch_up == RULE
    assert MonitorConfig().baseline_year == CONFIG.baseline_year


def test_reason_names_a_fallback_baseline() -> None:
    text = reason_nl(figures(2.0, 1.0, narrowing=2, compared=2, first_year=2013), RULE, CONFIG)
    assert text.startswith(
        "Geen structurele inhaalslag. Het basisjaar is 2013: de tabel heeft geen cijfers voor "
        "2008. Het werkloosheidspercentage lag bij"
    )
    assert "Het basisjaar" not in reason_nl(figures(3.2, 2.9), RULE, CONFIG)


def without_baseline_gap(
    group_present: bool, reference_present: bool, first_year: int = 2008
) -> TrendFigures:
    return replace(
        figures(3.2, 2.0),
        first_year=first_year,
        gap_first_pp=None,
        first_year_with_gap=2012,
        group_has_baseline_figure=group_present,
        reference_has_baseline_figure=reference_present,
    )


def test_no_verdict_without_a_baseline_gap() -> None:
    trend = without_baseline_gap(group_present=False, reference_present=True)
    assert not trend.verdict_possible
    assert figures(3.2, 2.0).verdict_possible
    # The narrowing and the ratio from 2012 would pass; there is no 2008 gap to compare with.
    with pytest.raises(ValueError, match="no gap in 2008"):
        catch_up_conditions(trend, RULE)
    assert reason_nl(trend, RULE, CONFIG) == (
        "Geen oordeel over een structurele inhaalslag mogelijk. CBS heeft in deze tabel voor het "
        "basisjaar 2008 geen cijfer gepubliceerd van het werkloosheidspercentage bij burgers met "
        "een buiten-Europese migratieachtergrond, dus het verschil in dat jaar is onbekend. "
        "Het verschil is "
        "pas bekend vanaf 2012; een oordeel vanaf een later jaar dan het basisjaar zou een ander "
        "vertrekpunt hebben en wordt niet gegeven."
    )


@pytest.mark.parametrize(
    ("group_present", "reference_present", "missing"),
    [
        (False, True, "bij burgers met een buiten-Europese migratieachtergrond, dus"),
        (True, False, "bij het gemiddelde van de bevolking, dus"),
        (
            False,
            False,
            "bij burgers met een buiten-Europese migratieachtergrond en bij het gemiddelde van "
            "de bevolking, dus",
        ),
    ],
)
def test_no_verdict_names_the_missing_figure(
    group_present: bool, reference_present: bool, missing: str
) -> None:
    text = reason_nl(without_baseline_gap(group_present, reference_present), RULE, CONFIG)
    assert text.startswith("Geen oordeel over een structurele inhaalslag mogelijk. ")
    assert missing in text
    assert "Geen structurele inhaalslag" not in text


def test_no_verdict_in_a_table_starting_after_the_baseline() -> None:
    text = reason_nl(without_baseline_gap(False, True, first_year=2013), RULE, CONFIG)
    assert text.startswith(
        "Geen oordeel over een structurele inhaalslag mogelijk. Het basisjaar is 2013: de tabel "
        "heeft geen cijfers voor 2008. CBS heeft in deze tabel voor het basisjaar 2013 geen cijfer"
    )


def test_violations_become_a_recordable_suite_result() -> None:
    import pandas as pd

    from via_pipeline.core.monitor import GAP_CHECKS, violations_suite_result

    check = GAP_CHECKS[0]
    bad = pd.DataFrame(
        {"source_table": ["82809NED"] * 12, "year": range(2008, 2020), "gap_pp": [9.9] * 12}
    )
    result = violations_suite_result(check, bad)
    assert not result.success
    (outcome,) = result.outcomes
    assert outcome.expectation == "gap_pp = value - reference_value within 1e-9"
    assert outcome.unexpected_count == 12
    assert len(outcome.examples) == 10
    assert outcome.examples[0] == "source_table=82809NED, year=2008, gap_pp=9.9"
    passed = violations_suite_result(check, bad.iloc[0:0])
    assert passed.success
    assert passed.outcomes[0].unexpected_count == 0
    assert passed.outcomes[0].details == "no violations"
