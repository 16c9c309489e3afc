"""The column programma (issue 27): empty is via, files without it read as before, and the three
Dutch row errors: a programme not running that year, an unknown one, a theme outside its programme."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from via_pipeline.core.letter.programmes import separately_reported_nl
from via_pipeline.core.partners.evaluation import evaluate_submission
from via_pipeline.core.partners.programmes import load_programmes
from via_pipeline.core.partners.registry import load_partners, load_themes
from via_pipeline_tests.support.partners import HEADER, csv_bytes, valid_rows, xlsx_bytes
from via_pipeline_tests.support.programmes import with_own_statushouders_themes

PARTNERS = load_partners()
THEMES = load_themes()
YEARS = (2022, 2023, 2024)
WITH_PROGRAMME = [*HEADER, "programma"]


def _row(year: int, action_id: str, theme: str, programme: str) -> list[object]:
    return [
        "abu",
        year,
        action_id,
        theme,
        f"Actie {action_id}",
        "lopend",
        "",
        "",
        5,
        "",
        "",
        programme,
    ]


def test_a_file_without_the_column_reads_as_before_and_is_via() -> None:
    rows = valid_rows("abu", 2023, 3)
    evaluation = evaluate_submission(csv_bytes(rows), "abu_2023.csv", PARTNERS, THEMES, YEARS)
    assert evaluation.problems == ()
    assert evaluation.actions["programme"].tolist() == ["via", "via", "via"]
    assert evaluation.actions["title"].tolist() == ["Actie 1", "Actie 2", "Actie 3"]


def test_empty_is_via_and_the_title_counts_as_the_code() -> None:
    rows = [
        _row(2023, "1", "kans_op_baan_of_stage", ""),
        _row(2023, "2", "kans_op_baan_of_stage", "Statushouders aan het werk"),
        _row(2023, "3", "begeleiding_naar_werk", " STATUSHOUDERS "),
        _row(2023, "4", "diversiteit_op_het_werk", "via"),
    ]
    content = xlsx_bytes(rows, WITH_PROGRAMME)
    evaluation = evaluate_submission(content, "abu_2023.xlsx", PARTNERS, THEMES, YEARS)
    assert evaluation.problems == ()
    assert evaluation.actions["programme"].tolist() == [
        "via", "statushouders", "statushouders", "via"
    ]  # fmt: skip


def test_statushouders_before_2023_is_a_dutch_error_naming_the_row() -> None:
    rows = [
        _row(2022, "1", "kans_op_baan_of_stage", ""),
        _row(2022, "2", "kans_op_baan_of_stage", "statushouders"),
    ]
    content = csv_bytes(rows, WITH_PROGRAMME, ";")
    (problem,) = evaluate_submission(content, "abu_2022.csv", PARTNERS, THEMES, YEARS).problems
    assert (problem.row_number, problem.column_name, problem.rule) == (
        3,
        "programma",
        "programme_not_running",
    )
    assert problem.message_nl == (
        "Programma 'statushouders' loopt niet in verslagjaar 2022 (via loopt vanaf 2022; "
        "statushouders loopt vanaf 2023)."
    )


def test_an_unknown_programme_is_a_dutch_error_naming_the_row() -> None:
    rows = [
        _row(2023, "1", "kans_op_baan_of_stage", "via"),
        _row(2023, "2", "kans_op_baan_of_stage", "vluchtelingen"),
    ]
    content = csv_bytes(rows, WITH_PROGRAMME)
    (problem,) = evaluate_submission(content, "abu_2023.csv", PARTNERS, THEMES, YEARS).problems
    assert (problem.row_number, problem.column_name, problem.rule) == (
        3,
        "programma",
        "unknown_programme",
    )
    assert problem.message_nl == (
        "Programma 'vluchtelingen' bestaat niet; kies 'via' of 'statushouders' (leeg is via)."
    )
    # In 2022 an unknown programme is reported once, as unknown (not also as not running).
    rows = [_row(2022, "1", "kans_op_baan_of_stage", "vluchtelingen")]
    problems = evaluate_submission(
        csv_bytes(rows, WITH_PROGRAMME), "abu_2022.csv", PARTNERS, THEMES, YEARS
    ).problems
    assert [p.rule for p in problems] == ["unknown_programme"]


def test_a_theme_outside_its_programme_is_a_dutch_error_naming_the_row(tmp_path: Path) -> None:
    programmes = load_programmes(with_own_statushouders_themes(tmp_path))
    rows = [
        _row(2023, "1", "taal_en_werk", "statushouders"),  # its own theme: fine
        _row(2023, "2", "kans_op_baan_of_stage", "statushouders"),  # a VIA theme
        _row(2023, "3", "Taal en werk tegelijk", ""),  # statushouders' theme (by title) for via
        _row(2023, "4", "kans_op_baan_of_stage", ""),  # fine
    ]
    evaluation = evaluate_submission(
        csv_bytes(rows, WITH_PROGRAMME), "abu_2023.csv", PARTNERS, THEMES, YEARS, programmes
    )
    assert [(p.row_number, p.column_name, p.rule) for p in evaluation.problems] == [
        (3, "thema", "theme_not_in_programme"),
        (4, "thema", "theme_not_in_programme"),
    ]
    assert evaluation.problems[0].message_nl == (
        "Thema 'kans_op_baan_of_stage' hoort niet bij programma 'statushouders' (Statushouders "
        "aan het werk); kies 'taal_en_werk' of 'werkgevers_statushouders'."
    )
    assert evaluation.problems[1].message_nl == (
        "Thema 'taal_en_werk' hoort niet bij programma 'via' (Werkagenda VIA); kies "
        "'diversiteit_op_het_werk', 'kans_op_baan_of_stage' of 'begeleiding_naar_werk'."
    )


def test_the_via_letters_sentence_on_the_actions_reported_apart() -> None:
    programmes = load_programmes()
    via = programmes.get("via")
    actions = pd.DataFrame(
        {"partner_id": ["abu", "abu", "fnv", "uwv"],
         "programme": ["via", "statushouders", "statushouders", "statushouders"]}
    )  # fmt: skip
    assert separately_reported_nl(actions, via, programmes, 2024) == (
        "Over 2024 rapporteerden 3 partners daarnaast 3 acties voor Statushouders aan het werk; "
        "die acties worden in een aparte voortgangsbrief gerapporteerd en tellen hier niet mee."
    )
    assert separately_reported_nl(actions.iloc[:1], via, programmes, 2024) is None
    # The statushouders letter speaks of VIA's actions the same way if asked; the build asks only via's.
    assert "1 actie voor Werkagenda VIA" in str(
        separately_reported_nl(actions, programmes.get("statushouders"), programmes, 2024)
    )
