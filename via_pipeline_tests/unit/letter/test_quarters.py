"""The annex's quarterly sentence, chart and sheet (issue 24), from monitor.quarterly_gaps rows."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from via_pipeline.core.letter.config import load_key_figure_config
from via_pipeline.core.letter.quarter_chart import render_quarter_chart
from via_pipeline.core.letter.quarters import (
    chart_rows,
    quarter_title,
    quarterly_statements,
    quarters_phrase,
    quarters_table,
)
from via_pipeline.core.monitor.quarters import QUARTERLY_GAP_COLUMNS

CONFIG = load_key_figure_config()
# Only the first statement: unemployment, origin outside Europe against the population.
ONE = replace(CONFIG, figures=CONFIG.figures[:1])
SERIES = ("85456NED", "unemployment_rate", "outside_europe_origin", "total")
STATUS = {2021: "Definitief", 2022: "Definitief", 2023: "Voorlopig"}


def quarter_rows(values: dict[tuple[int, int], tuple[float, float]]) -> pd.DataFrame:
    rows = []
    for (year, quarter), (value, reference) in sorted(values.items()):
        status = STATUS[year]
        rows.append(
            dict(
                zip(
                    QUARTERLY_GAP_COLUMNS,
                    (
                        *SERIES[:1],
                        f"{year}KW0{quarter}",
                        year,
                        quarter,
                        SERIES[1],
                        SERIES[2],
                        SERIES[3],
                        "none",
                        value,
                        reference,
                        round(value - reference, 1),
                        None,
                        status,
                        status != "Definitief",
                        1,
                    ),
                    strict=True,
                )
            )
        )
    return pd.DataFrame(rows, columns=QUARTERLY_GAP_COLUMNS)


# The issue's example: Q1-Q3 2023 3.3 points, the same quarters of 2022 2.9 points.
EXAMPLE = {
    (2022, 1): (6.9, 3.9),
    (2022, 2): (6.4, 3.6),
    (2022, 3): (7.0, 4.1),  # means 6.7667 - 3.8667 = 2.9
    (2022, 4): (7.2, 3.9),
    (2023, 1): (7.3, 3.8),
    (2023, 2): (7.1, 3.9),
    (2023, 3): (7.6, 4.4),  # means 7.3333 - 4.0333 = 3.3
}
NO_YEARLY_GAP = pd.DataFrame(
    columns=["source_table", "indicator", "population_group", "reference_group", "year", "gap_pp"]
)


def test_the_issues_example_sentence() -> None:
    [statement] = quarterly_statements(ONE, quarter_rows(EXAMPLE), NO_YEARLY_GAP, 2023)
    assert statement.text_nl == (
        "In de eerste drie kwartalen van 2023* was het verschil in werkloosheid tussen burgers "
        "met een buiten-Europese migratieachtergrond en het gemiddelde van de bevolking 3,3 "
        "procentpunten, tegen 2,9 in dezelfde kwartalen van 2022 (voorlopige cijfers)."
    )
    assert (statement.current.quarters, statement.earlier and statement.earlier.quarters) == (
        (1, 2, 3),
        (1, 2, 3),
    )


def test_no_sentence_when_the_year_has_its_yearly_figure() -> None:
    yearly = pd.DataFrame([dict(zip(NO_YEARLY_GAP.columns, (*SERIES, 2023, 3.1), strict=True))])
    assert quarterly_statements(ONE, quarter_rows(EXAMPLE), yearly, 2023) == []


def test_a_year_earlier_missing_a_quarter_is_not_compared() -> None:
    rows = {k: v for k, v in EXAMPLE.items() if k != (2022, 2)}
    [statement] = quarterly_statements(ONE, quarter_rows(rows), NO_YEARLY_GAP, 2023)
    assert statement.earlier is None
    assert statement.text_nl.endswith(
        "3,3 procentpunten; voor dezelfde kwartalen van 2022 is geen vergelijkbaar cijfer "
        "beschikbaar (voorlopige cijfers)."
    )


@pytest.mark.parametrize(
    ("quarters", "phrase"),
    [
        ((1,), "het eerste kwartaal van 2023*"),
        ((1, 2), "de eerste twee kwartalen van 2023*"),
        ((1, 2, 3), "de eerste drie kwartalen van 2023*"),
        ((2, 3), "het tweede en derde kwartaal van 2023*"),
    ],
)
def test_quarters_in_words(quarters: tuple[int, ...], phrase: str) -> None:
    assert quarters_phrase(quarters, "2023*") == phrase


def test_the_sheet_names_each_quarter_and_its_status() -> None:
    table = quarters_table(quarter_rows(EXAMPLE), ONE, 2023)
    assert table.sheet == "Kwartalen"
    assert table.rows[0][1] == "2022 1e kwartaal" and table.rows[0][8] == "Definitief"
    assert table.rows[-1][1:3] == ("2023 3e kwartaal", "Werkloosheidspercentage")
    assert table.rows[-1][5:] == (7.6, 4.4, 3.2, "Voorlopig")
    assert quarter_title("2024KW04") == "2024 4e kwartaal"


def test_the_chart_is_the_same_bytes_twice(tmp_path: Path) -> None:
    rows = quarter_rows(EXAMPLE)
    statements = quarterly_statements(ONE, rows, NO_YEARLY_GAP, 2023)
    shown = chart_rows(rows, statements, 2023)
    assert set(shown["year"]) == {2022, 2023}  # 2021-2023; the rows start in 2022
    first = render_quarter_chart(shown, statements, ONE, 2023, tmp_path / "a.png").read_bytes()
    second = render_quarter_chart(shown, statements, ONE, 2023, tmp_path / "b.png").read_bytes()
    assert first == second and first.startswith(b"\x89PNG") and b"Software" not in first
