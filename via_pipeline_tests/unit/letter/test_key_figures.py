"""Guards the letter's key-figure sentences: the 2023 letter's sentence exactly, provisional
years, sources (snapshot named), gaps and changes in words (never a minus sign in prose), and no
figure invented for a year CBS has not published; plus the checks on config/key_figures.yaml."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

from via_pipeline.core.letter.config import (
    FigureSpec,
    load_key_figure_config,
    load_themes,
    parse_key_figure_config,
)
from via_pipeline.core.letter.key_figures import (
    SourceTable,
    build_key_figures,
    describe_change,
    describe_gap,
    key_figures_frame,
    prose_minus_signs,
    source_tables_from_frame,
)
from via_pipeline.core.settings.config import ConfigFileError
from via_pipeline_tests.support.letter import gap_rows, gaps_frame

CONFIG = load_key_figure_config()
THE_LETTERS_SENTENCE = (
    "In 2008 was het verschil in werkloosheid tussen burgers met een buiten-Europese "
    "migratieachtergrond en het gemiddelde van de bevolking 3,2 procentpunten; anno 2022 is "
    "dat 2,9 procentpunten."
)
HERKOMST = SourceTable("85456NED", "Arbeidsdeelname; herkomst", date(2023, 11, 27), "live")
SPEC = FigureSpec(
    figure_key="werkloosheid_buiten_europa",
    title="Werkloosheid: herkomst buiten Europa t.o.v. gemiddelde",
    kind="level",
    indicator="unemployment_rate",
    population_group="outside_europe_origin",
    reference_group="total",
    source_table="85456NED",
    baseline_year=2008,
    latest_year=None,
)


def figures_for(spec: FigureSpec, gaps: pd.DataFrame, reporting_year: int = 2023, tables=None):
    config = replace(CONFIG, figures=(spec,))
    return build_key_figures(config, gaps, tables or {"85456NED": HERKOMST}, reporting_year)


def the_letters_gaps(provisional_years=()) -> pd.DataFrame:
    return gaps_frame(
        gap_rows(
            "85456NED",
            "outside_europe_origin",
            {2008: (6.9, 3.7), 2022: (6.4, 3.5)},
            provisional_years=provisional_years,
        )
    )


def test_the_2023_letters_sentence_comes_out_exactly() -> None:
    [figure] = figures_for(SPEC, the_letters_gaps())
    assert figure.text_nl == THE_LETTERS_SENTENCE
    frame = key_figures_frame([figure], 2023)
    assert list(frame["year"]) == [2008, 2022]
    assert list(frame["value"].round(9)) == [3.2, 2.9]
    assert set(frame["text_nl"]) == {THE_LETTERS_SENTENCE}
    assert set(frame["reporting_year"]) == {2023}


def test_the_shipped_config_states_the_letters_sentence() -> None:
    """The first statement of config/key_figures.yaml is the 2023 letter's."""
    figures = build_key_figures(CONFIG, the_letters_gaps(), {"85456NED": HERKOMST}, 2023)
    assert figures[0].text_nl == THE_LETTERS_SENTENCE


def test_source_names_table_title_and_modified_date() -> None:
    [figure] = figures_for(SPEC, the_letters_gaps())
    assert figure.source == (
        "Bron: CBS StatLine, tabel 85456NED ‘Arbeidsdeelname; herkomst’, gewijzigd op 27 november 2023."
    )


def test_source_says_when_figures_came_from_the_bundled_snapshot() -> None:
    tables = source_tables_from_frame(
        pd.DataFrame(
            [
                {
                    "table_id": "85456NED",
                    "title": "Arbeidsdeelname; herkomst",
                    "modified": datetime(2023, 11, 27, 2),
                    "source": "snapshot",
                }
            ]
        )
    )
    [figure] = figures_for(SPEC, the_letters_gaps(), tables=tables)
    assert "gewijzigd op 27 november 2023" in figure.source
    assert "meegeleverde momentopname" in figure.source


def test_source_of_a_snapshot_without_modified_date() -> None:
    snapshot = SourceTable("85456NED", "Arbeidsdeelname; herkomst", None, "snapshot")
    [figure] = figures_for(SPEC, the_letters_gaps(), tables={"85456NED": snapshot})
    assert figure.source.startswith(
        "Bron: CBS StatLine, tabel 85456NED ‘Arbeidsdeelname; herkomst’, wijzigingsdatum niet "
        "vastgelegd in de momentopname. De cijfers komen uit de met de pipeline meegeleverde "
        "momentopname"
    )
    live = SourceTable("85456NED", "Arbeidsdeelname; herkomst", None, "live")
    [figure] = figures_for(SPEC, the_letters_gaps(), tables={"85456NED": live})
    assert figure.source == (
        "Bron: CBS StatLine, tabel 85456NED ‘Arbeidsdeelname; herkomst’, wijzigingsdatum onbekend."
    )


def test_source_of_a_table_missing_from_cbs_tables_says_so() -> None:
    [figure] = figures_for(SPEC, the_letters_gaps(), tables={"other": HERKOMST})
    assert (
        figure.source
        == "Bron: CBS StatLine, tabel 85456NED (titel en wijzigingsdatum niet bekend)."
    )


def test_provisional_year_gets_an_asterisk_and_a_note() -> None:
    [figure] = figures_for(SPEC, the_letters_gaps(provisional_years=[2022]))
    assert figure.text_nl.endswith("anno 2022* is dat 2,9 procentpunten.")
    assert "In 2008 was" in figure.text_nl  # the final year only
    assert figure.source.endswith("* 2022: voorlopig cijfer.")


def test_latest_is_the_last_published_year_of_the_statements_gap() -> None:
    gaps = gaps_frame(
        gap_rows(
            "85456NED",
            "outside_europe_origin",
            {2008: (6.9, 3.7), 2021: (7.0, 4.2), 2022: (6.4, 3.5)},
        ),
        # Another group's later year: the table has 2024, the statement's group not (yet).
        gap_rows("85456NED", "europe_origin", {2024: (5.0, 3.6)}),
        # The same group against another reference does not count either.
        gap_rows(
            "85456NED",
            "outside_europe_origin",
            {2023: (6.0, 3.0)},
            reference_group="netherlands_origin",
        ),
    )
    [for_2022] = figures_for(SPEC, gaps, reporting_year=2022)
    assert [year for year, _ in for_2022.points] == [2008, 2022]
    assert for_2022.text_nl == THE_LETTERS_SENTENCE
    [for_2021] = figures_for(SPEC, gaps, reporting_year=2021)
    assert for_2021.text_nl.endswith("anno 2021 is dat 2,8 procentpunten.")
    [for_2024] = figures_for(SPEC, gaps, reporting_year=2024)
    assert [(year, round(point.gap_pp, 9)) for year, point in for_2024.points if point] == [
        (2008, 3.2),
        (2022, 2.9),
    ]
    assert for_2024.text_nl == (
        THE_LETTERS_SENTENCE + " Over 2023 en 2024 heeft CBS in tabel 85456NED voor deze groepen "
        "geen cijfer gepubliceerd."
    )


def test_latest_is_the_most_recent_published_figure_not_the_tables_last_year() -> None:
    """82809NED runs to 2021, its non-Western figures to 2019: the letter quotes 2019."""
    spec = replace(
        SPEC,
        figure_key="werkloosheid_niet_westers_vs_bevolking",
        population_group="non_western",
        source_table="82809NED",
    )
    gaps = gaps_frame(
        gap_rows(
            "82809NED",
            "non_western",
            {2012: (14.1, 5.8), 2016: (13.2, 6.0), 2019: (7.3, 3.4)},
        )
    )
    table_years = pd.DataFrame(
        [
            {"source_table": "82809NED", "indicator": "unemployment_rate", "year": year}
            for year in range(2003, 2022)
        ]
    )
    config = replace(CONFIG, figures=(spec,))
    [figure] = build_key_figures(config, gaps, {}, 2023, table_years)
    assert [(year, None if p is None else round(p.gap_pp, 9)) for year, p in figure.points] == [
        (2008, None),
        (2019, 3.9),
    ]
    assert figure.text_nl == (
        "Anno 2019 is het verschil in werkloosheid tussen burgers met een niet-westerse "
        "migratieachtergrond en het gemiddelde van de bevolking 3,9 procentpunten; voor 2008 is "
        "geen vergelijkbaar cijfer beschikbaar: CBS heeft in tabel 82809NED geen cijfer over 2008 "
        "gepubliceerd. Over 2020 en 2021 heeft CBS in tabel 82809NED voor deze groepen geen "
        "cijfer gepubliceerd."
    )
    # The latest published year is the table's last: no note.
    [up_to_2019] = build_key_figures(config, gaps, {}, 2019, table_years)
    assert up_to_2019.text_nl.endswith("geen cijfer over 2008 gepubliceerd.")
    assert prose_minus_signs([figure.text_nl]) == []


def test_a_table_year_without_the_groups_gap_is_not_quoted() -> None:
    """The table has 2023, the group not: 2022 is quoted and 2023 named as without figure."""
    gaps = the_letters_gaps()
    table_years = pd.DataFrame(
        [{"source_table": "85456NED", "indicator": "unemployment_rate", "year": 2023}]
    )
    config = replace(CONFIG, figures=(SPEC,))
    [figure] = build_key_figures(config, gaps, {"85456NED": HERKOMST}, 2023, table_years)
    assert [year for year, _ in figure.points] == [2008, 2022]
    assert figure.text_nl == (
        THE_LETTERS_SENTENCE
        + " Over 2023 heeft CBS in tabel 85456NED voor deze groepen geen cijfer gepubliceerd."
    )


def test_latest_never_before_the_baseline_and_baseline_never_moved() -> None:
    """Only figures before the configured baseline: nothing is quoted as latest."""
    gaps = gaps_frame(gap_rows("85456NED", "outside_europe_origin", {2005: (6.0, 3.0)}))
    [figure] = figures_for(SPEC, gaps)
    assert figure.points == ((2008, None),)
    assert figure.text_nl.endswith(
        "is niet beschikbaar: CBS heeft in tabel 85456NED geen cijfer over 2008 en (nog) geen "
        "cijfer over een later jaar gepubliceerd."
    )


def test_baseline_not_published_is_not_invented() -> None:
    gaps = gaps_frame(
        gap_rows("85456NED", "outside_europe_origin", {2013: (16.0, 8.2), 2022: (6.4, 3.5)})
    )
    [figure] = figures_for(SPEC, gaps)
    assert figure.text_nl == (
        "Anno 2022 is het verschil in werkloosheid tussen burgers met een buiten-Europese "
        "migratieachtergrond en het gemiddelde van de bevolking 2,9 procentpunten; voor 2008 is "
        "geen vergelijkbaar cijfer beschikbaar: CBS heeft in tabel 85456NED geen cijfer over 2008 gepubliceerd."
    )
    frame = key_figures_frame([figure], 2023)
    assert frame.set_index("year")["value"].isna().to_dict() == {2008: True, 2022: False}


def test_fixed_latest_year_not_published_and_nothing_at_all() -> None:
    fixed = replace(SPEC, latest_year=2025)
    [figure] = figures_for(fixed, gaps_frame())
    assert figure.text_nl == (
        "Het verschil in werkloosheid tussen burgers met een buiten-Europese migratieachtergrond en "
        "het gemiddelde van de bevolking is niet beschikbaar: CBS heeft in tabel 85456NED geen "
        "cijfer over 2008 en (nog) geen cijfer over 2025 gepubliceerd."
    )
    frame = key_figures_frame([figure], 2025)
    assert list(frame["year"]) == [2008, 2025]
    assert frame["value"].isna().all()
    # "latest" with an empty table: only the baseline row, without a value.
    [empty] = figures_for(SPEC, gaps_frame())
    assert [(year, point) for year, point in empty.points] == [(2008, None)]
    assert "(nog) geen cijfer over een later jaar" in empty.text_nl


def test_no_gap_across_the_series_break() -> None:
    """2008 in the old table does not stand in for a 2008 the statement's table lacks."""
    gaps = gaps_frame(
        gap_rows("82809NED", "outside_europe_origin", {2008: (6.9, 3.7)}),
        gap_rows("85456NED", "outside_europe_origin", {2022: (6.4, 3.5)}),
    )
    [figure] = figures_for(SPEC, gaps)
    assert figure.points[0] == (2008, None)


@pytest.mark.parametrize(
    ("gap", "sign", "expected"),
    [
        (3.2, 1, "3,2 procentpunten"),
        (1.0, 1, "1,0 procentpunt"),
        (-0.4, 1, "0,4 procentpunten, in het voordeel van de eerstgenoemde groep"),
        (-6.9, -1, "6,9 procentpunten"),  # lower participation: the usual disadvantage
        (0.4, -1, "0,4 procentpunten, in het voordeel van de eerstgenoemde groep"),
        (-0.04, 1, "0,0 procentpunten"),
    ],
)
def test_gap_in_words(gap: float, sign: int, expected: str) -> None:
    assert describe_gap(gap, sign) == expected


@pytest.mark.parametrize(
    ("first", "last", "sign", "expected"),
    [
        (3.2, 2.9, 1, "0,3 procentpunten kleiner geworden: van 3,2 naar 2,9 procentpunten"),
        (2.5, 2.9, 1, "0,4 procentpunten groter geworden: van 2,5 naar 2,9 procentpunten"),
        (-8.0, -7.0, -1, "1,0 procentpunt kleiner geworden: van 8,0 naar 7,0 procentpunten"),
        (2.9, 2.9, 1, "gelijk gebleven: 2,9 procentpunten"),
        (
            0.4,
            -0.4,
            1,
            "omgeslagen: van 0,4 procentpunten in het nadeel naar 0,4 procentpunten in het "
            "voordeel van de eerstgenoemde groep",
        ),
    ],
)
def test_change_in_words(first: float, last: float, sign: int, expected: str) -> None:
    assert describe_change(first, last, sign) == expected


def test_a_narrowing_reads_as_kleiner_without_a_minus_sign() -> None:
    """gap_change -0,4: the sentence says "kleiner", and no sentence carries a signed number."""
    change = replace(SPEC, kind="change", baseline_year=2021)
    gaps = gaps_frame(
        gap_rows("85456NED", "outside_europe_origin", {2021: (7.7, 4.4), 2022: (6.4, 3.5)})
    )
    [figure] = figures_for(change, gaps)
    assert figure.text_nl == (
        "Tussen 2021 en 2022 is het verschil in werkloosheid tussen burgers met een "
        "buiten-Europese migratieachtergrond en het gemiddelde van de bevolking 0,4 procentpunten "
        "kleiner geworden: van 3,3 naar 2,9 procentpunten."
    )
    negative = gaps_frame(
        gap_rows("85456NED", "outside_europe_origin", {2008: (3.3, 3.7), 2022: (3.0, 3.5)})
    )
    [level] = figures_for(SPEC, negative)
    assert prose_minus_signs([figure.text_nl, level.text_nl]) == []
    assert "0,4 procentpunten, in het voordeel van de eerstgenoemde groep" in level.text_nl


def test_prose_minus_signs_finds_signed_numbers_only() -> None:
    assert prose_minus_signs(
        ["verschil -0,4 procentpunt", "buiten-Europese", "2008-2022", "x −1,0"]
    ) == [
        "verschil -0,4 procentpunt",
        "x −1,0",
    ]


def test_every_shipped_statement_has_its_wordings() -> None:
    assert CONFIG.figures[0].figure_key == "werkloosheid_buiten_europa_vs_bevolking"
    for spec in CONFIG.figures:
        assert spec.population_group in CONFIG.groups and spec.reference_group in CONFIG.groups
    assert [theme.code for theme in load_themes()] == [
        "diversiteit_op_het_werk",
        "kans_op_baan_of_stage",
        "begeleiding_naar_werk",
    ]


VALID = {
    "indicators": {"unemployment_rate": {"disadvantage_sign": 1}},
    "figures": [
        {
            "figure_key": "a",
            "title": "Werkloosheid A",
            "indicator": "unemployment_rate",
            "population_group": "western",
            "reference_group": "total",
            "source_table": "T",
            "baseline_year": 2008,
            "latest_year": "latest",
        }
    ],
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"figure_key": "A b"}, "lowercase snake_case"),
        ({"indicator": "wages"}, "indicator 'wages' has no disadvantage_sign"),
        ({"population_group": "martians"}, "population_group 'martians' is not declared in"),
        ({"baseline_year": "2008x"}, "baseline_year must be a year"),
        ({"latest_year": 2007}, "latest_year must come after baseline_year"),
        ({"kind": "trend"}, "kind must be one of level, change"),
        ({"source_table": None}, "missing 'source_table'"),
        ({"title": ""}, "missing 'title'"),
    ],
)
def test_config_errors_name_the_file_and_the_statement(
    change: dict, message: str, tmp_path: Path
) -> None:
    raw = {**VALID, "figures": [{**VALID["figures"][0], **change}]}
    with pytest.raises(ConfigFileError, match=message) as error:
        parse_key_figure_config(raw, "config/key_figures.yaml")
    assert "config/key_figures.yaml" in str(error.value)


def test_valid_config_parses() -> None:
    config = parse_key_figure_config(VALID)
    assert config.figures[0].latest_year is None
    assert config.figures[0].kind == "level"
    # The wording comes from population_groups.yaml, the one place of it.
    assert config.indicators["unemployment_rate"].sentence == "werkloosheid"
    assert config.indicator_label("unemployment_rate") == "Werkloosheidspercentage"
    assert config.group_sentence("western") == "burgers met een westerse migratieachtergrond"
    assert config.group_label("total") == "Totaal (hele bevolking 15 tot 75 jaar)"
    assert config.figure_title("a") == "Werkloosheid A"
    assert config.figure_title("removed_key") == "removed_key"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"groups": {"total": {"sentence": "s", "label": "l"}}}, "`groups` is no longer read"),
        (
            {"indicators": {"unemployment_rate": {"sentence": "w", "disadvantage_sign": 1}}},
            "sentence no longer read here",
        ),
        ({"indicators": {"wages": {"disadvantage_sign": 1}}}, "'wages' is not declared in"),
    ],
)
def test_wording_in_key_figures_yaml_is_refused(change: dict, message: str) -> None:
    """Wording left in key_figures.yaml would silently be ignored: it must be moved instead."""
    with pytest.raises(ConfigFileError, match=message) as error:
        parse_key_figure_config({**VALID, **change}, "config/key_figures.yaml")
    assert "population_groups.yaml" in str(error.value)


def test_every_shipped_statement_has_a_readable_title() -> None:
    titles = [spec.title for spec in CONFIG.figures]
    assert titles[0] == "Werkloosheid: herkomst buiten Europa t.o.v. gemiddelde"
    assert len(set(titles)) == len(titles)
    assert all("_" not in title and title[0].isupper() for title in titles)


@pytest.mark.parametrize(
    ("breakdowns", "message"),
    [
        ({"generations": "generatie"}, "breakdown\\(s\\) generations not one of"),
        ({"sex": ""}, "`breakdowns` maps a breakdown code to its Dutch name"),
    ],
)
def test_breakdown_charts_config_errors_name_the_setting(breakdowns: dict, message: str) -> None:
    raw = {**VALID, "charts": {"reference_group": "total", "breakdowns": breakdowns}}
    with pytest.raises(ConfigFileError, match=message) as error:
        parse_key_figure_config(raw, "config/key_figures.yaml")
    assert "config/key_figures.yaml charts" in str(error.value)


def test_the_shipped_breakdown_charts() -> None:
    assert dict(CONFIG.charts.breakdowns) == {
        "generation": "generatie",
        "sex": "geslacht",
        "start_qualification": "startkwalificatie",
    }
