"""Guards the partner summaries of the annex: the count of partners that reported (from the
registry, also when nobody did), theme summaries with correct singular/plural and Dutch
thousands, and theme rows completed with zeros for themes nobody reported on."""

from __future__ import annotations

import pandas as pd
import pytest

from via_pipeline.core.letter.config import Theme
from via_pipeline.core.letter.progress import (
    complete_theme_progress,
    reporting_summary_nl,
    theme_summary_nl,
)


@pytest.mark.parametrize(
    ("reported", "partners", "expected"),
    [
        (0, 21, "0 van de 21 partners hebben gerapporteerd."),
        (1, 21, "1 van de 21 partners heeft gerapporteerd."),
        (21, 21, "21 van de 21 partners hebben gerapporteerd."),
    ],
)
def test_reporting_summary(reported: int, partners: int, expected: str) -> None:
    assert reporting_summary_nl(reported, partners) == expected


def row(**counts: int) -> dict[str, object]:
    base = dict.fromkeys(
        [
            "partners_reporting",
            "action_count",
            "actions_planned",
            "actions_ongoing",
            "actions_completed",
            "actions_stopped",
            "people_reached",
            "employers_reached",
        ],
        0,
    )
    return {**base, **counts}


def test_theme_summary_plural_and_thousands() -> None:
    text = theme_summary_nl(
        row(
            partners_reporting=3,
            action_count=4,
            actions_planned=1,
            actions_completed=2,
            actions_stopped=1,
            people_reached=1234,
            employers_reached=1,
        ),
        2023,
    )
    assert text == (
        "Over 2023 rapporteerden 3 partners 4 acties binnen dit thema (1 gepland, 2 afgerond en "
        "1 gestopt). Samen bereikten zij 1.234 personen en 1 werkgever, voor zover gerapporteerd."
    )


def test_theme_summary_singular_and_empty() -> None:
    assert theme_summary_nl(
        row(partners_reporting=1, action_count=1, actions_ongoing=1, people_reached=1), 2022
    ) == (
        "Over 2022 rapporteerde 1 partner 1 actie binnen dit thema (1 lopend). Samen bereikten "
        "zij 1 persoon en 0 werkgevers, voor zover gerapporteerd."
    )
    assert theme_summary_nl(row(), 2024) == "Over 2024 is voor dit thema geen actie gerapporteerd."


def test_every_theme_gets_a_row_and_unknown_codes_follow() -> None:
    themes = (Theme("b", "Thema B", 2), Theme("a", "Thema A", 1))
    aggregates = pd.DataFrame(
        [{**row(action_count=2, actions_planned=2, partners_reporting=1), "theme": "x"}]
    )
    frame = complete_theme_progress(aggregates, themes, 2023)
    assert frame["theme"].tolist() == ["b", "a", "x"]
    assert frame.set_index("theme").loc["x", "theme_order"] == 999
    assert frame.set_index("theme").loc["a", "action_count"] == 0
    assert set(frame["reporting_year"]) == {2023}
