"""The rules of a partner file's column `programma` (issue 27): which programme an action is for.

The column is optional: a file without it, or an empty cell, is the default programme (via), so
every file valid before stays valid and reads the same. Two rules are column rules of the
submission suite (one definition, read by Great Expectations and by `rules.unexpected_rows`): a
known programme, and one running in the file's reporting year. The third spans two columns and
depends on config, so it is a plain function here: an action's theme must be one of its
programme's themes (config/programmes.yaml; by default every programme has the VIA themes).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from via_pipeline.core.partners.problems import Problem, make_problem
from via_pipeline.core.partners.programmes import Programmes
from via_pipeline.core.quality.expectations import Expectation

PROGRAMME_COLUMN = "programme"  # partners.actions; `programma` in the file


def or_list(values: Sequence[str]) -> str:
    """ "'a', 'b' of 'c'": the choices a Dutch message offers."""
    quoted = [f"'{value}'" for value in values]
    return ", ".join(quoted[:-1]) + f" of {quoted[-1]}" if len(quoted) > 1 else "".join(quoted)


def programme_expectations(
    programmes: Programmes, reporting_year: int | None
) -> list[tuple[str, Expectation, str]]:
    """(rule code, expectation, expected text) of the column rules on `programma`; the year rule
    only with a reporting year (as the suite's own year rule)."""
    column = PROGRAMME_COLUMN
    rules = [
        (
            "unknown_programme",
            Expectation(
                "expect_column_values_to_be_in_set",
                {"column": column, "value_set": list(programmes.codes)},
            ),
            or_list(programmes.codes),
        )
    ]
    running = (
        [programme.code for programme in programmes.running_in(reporting_year)]
        if reporting_year is not None
        else list(programmes.codes)
    )
    # When every programme runs that year the year rule is the first rule again: left out.
    if reporting_year is not None and running != list(programmes.codes):
        years = "; ".join(
            f"{programme.code} loopt {programme.years_text()}"
            for programme in programmes.programmes
        )
        rules.append(
            (
                "programme_not_running",
                Expectation(
                    "expect_column_values_to_be_in_set", {"column": column, "value_set": running}
                ),
                f"{reporting_year} ({years})",
            )
        )
    return rules


def default_programme(frame: pd.DataFrame, programmes: Programmes) -> pd.DataFrame:
    """An empty `programma` (or a file without the column) is the default programme."""
    frame[PROGRAMME_COLUMN] = frame[PROGRAMME_COLUMN].where(
        frame[PROGRAMME_COLUMN].notna(), programmes.default
    )
    return frame


def programme_theme_problems(frame: pd.DataFrame, programmes: Programmes) -> list[Problem]:
    """A problem per row whose theme is known but not one of its programme's themes.

    A row with an unknown programme or an unknown theme has its problem already (the suite's),
    so it is not also reported here.
    """
    known_themes = {theme.code for theme in programmes.all_themes()}
    problems = []
    for programme_code, theme, number in zip(
        frame[PROGRAMME_COLUMN], frame["theme"], frame["source_row"], strict=True
    ):
        if programme_code not in programmes.codes or theme not in known_themes:
            continue
        programme = programmes.get(str(programme_code))
        if theme not in programme.theme_codes:
            problems.append(
                make_problem(
                    "theme_not_in_programme",
                    row=int(number),
                    column="thema",
                    value=theme,
                    expected=f"'{programme.code}' ({programme.title}); kies "
                    f"{or_list(programme.theme_codes)}",
                )
            )
    return problems
