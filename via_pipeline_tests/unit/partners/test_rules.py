"""Guards the rules partners are told about: for each kind of bad file, exactly which rejection rows.

Each case names the problems as (row, column, rule, value); row None is the file as a whole.
"""

from __future__ import annotations

import pandas as pd
import pytest

from via_pipeline.core.partners.cells import parse_date, parse_integer
from via_pipeline.core.partners.evaluation import Evaluation, evaluate_submission
from via_pipeline.core.partners.registry import load_partners, load_themes
from via_pipeline.core.partners.rules import (
    SUITE_NAME,
    submission_suite,
    suite_expectations,
    unexpected_rows,
)
from via_pipeline.core.quality.expectations import validate_frame
from via_pipeline_tests.support.partners import HEADER, csv_bytes, valid_rows, xlsx_bytes

PARTNERS = load_partners()
THEMES = load_themes()
YEARS = (2022, 2023, 2024, 2025, 2026)


def evaluate(file_name: str, content: bytes) -> Evaluation:
    return evaluate_submission(content, file_name, PARTNERS, THEMES, YEARS)


def problem_rows(evaluation: Evaluation) -> list[tuple[object, ...]]:
    return [(p.row_number, p.column_name, p.rule, p.value) for p in evaluation.problems]


def one_row(**changes: object) -> list[list[object]]:
    row = valid_rows("abu", 2023, 1)[0]
    for column, value in changes.items():
        row[HEADER.index(column)] = value
    return [row]


REJECTIONS = {
    "unknown partner": (
        "xyz_2023.csv",
        csv_bytes(valid_rows("xyz", 2023, 1)),
        [(None, None, "unknown_partner", "xyz"), (2, "partner_id", "unknown_partner", "xyz")],
    ),
    "file name and content disagree": (
        "abu_2023.csv",
        csv_bytes(one_row(partner_id="fnv", verslagjaar=2022)),
        [
            (2, "partner_id", "partner_id_mismatch", "fnv"),
            (2, "verslagjaar", "reporting_year_mismatch", "2022"),
        ],
    ),
    "missing columns": (
        "abu_2023.csv",
        csv_bytes(
            [
                [
                    v
                    for c, v in zip(HEADER, row, strict=True)
                    if c not in ("titel", "bereikte_werkgevers")
                ]
                for row in valid_rows()
            ],
            header=[c for c in HEADER if c not in ("titel", "bereikte_werkgevers")],
        ),
        [(1, "titel", "missing_column", None), (1, "bereikte_werkgevers", "missing_column", None)],
    ),
    "extra column": (
        "abu_2023.csv",
        csv_bytes([[*row, "100"] for row in valid_rows()], header=[*HEADER, "Budget"]),
        [(1, "Budget", "unknown_column", "Budget")],
    ),
    "unknown theme and status": (
        "abu_2023.csv",
        csv_bytes(one_row(thema="werk", status="klaar")),
        [(2, "thema", "unknown_theme", "werk"), (2, "status", "unknown_status", "klaar")],
    ),
    "text in a number column": (
        "abu_2023.csv",
        csv_bytes(one_row(bereikte_personen="veel")),
        [(2, "bereikte_personen", "not_a_whole_number", "veel")],
    ),
    "negative numbers": (
        "abu_2023.csv",
        csv_bytes(one_row(bereikte_personen=-1, bereikte_werkgevers="-3")),
        [
            (2, "bereikte_personen", "negative_number", "-1"),
            (2, "bereikte_werkgevers", "negative_number", "-3"),
        ],
    ),
    "decimal comma in a count": (
        "abu_2023.csv",
        csv_bytes(one_row(bereikte_personen="2,5")),
        [(2, "bereikte_personen", "decimal_in_count", "2,5")],
    ),
    "end before start": (
        "abu_2023.csv",
        csv_bytes(one_row(startdatum="01-06-2023", einddatum="2023-05-31")),
        [(2, "einddatum", "end_before_start", "2023-05-31")],
    ),
    "not a date": (
        "abu_2023.csv",
        csv_bytes(one_row(startdatum="31-02-2023", einddatum="morgen")),
        [(2, "startdatum", "not_a_date", "31-02-2023"), (2, "einddatum", "not_a_date", "morgen")],
    ),
    "duplicate actie_id": (
        "abu_2023.csv",
        csv_bytes([*valid_rows(count=2), valid_rows(count=1)[0]]),
        [
            (2, "actie_id", "duplicate_action_id", "A1"),
            (4, "actie_id", "duplicate_action_id", "A1"),
        ],
    ),
    "required values empty": (
        "abu_2023.csv",
        csv_bytes(one_row(titel="  ", actie_id="", status=None)),
        [
            (2, "actie_id", "missing_value", None),
            (2, "titel", "missing_value", None),
            (2, "status", "missing_value", None),
        ],
    ),
    "empty file": ("abu_2023.csv", b"", [(None, None, "empty_file", None)]),
    "header only": ("abu_2023.csv", csv_bytes([]), [(None, None, "empty_file", None)]),
    "not CSV or XLSX at all (name)": (
        "abu_2023.pdf",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
        [
            (None, None, "file_name_pattern", "abu_2023.pdf"),
            (None, None, "unreadable_file", "extensie .pdf"),
        ],
    ),
    "not an XLSX although named so": (
        "abu_2023.xlsx",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        [(None, None, "unreadable_file", "het is geen Excel-werkmap (.xlsx)")],
    ),
    "binary data named .csv": (
        "abu_2023.csv",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        [(None, None, "unreadable_file", "het is een binair bestand, geen tekst")],
    ),
    "XLSX without sheet acties": (
        "abu_2023.xlsx",
        xlsx_bytes(valid_rows(), sheet="Blad1"),
        [(None, None, "missing_sheet", "Blad1")],
    ),
    "file name without a year": (
        "abu.csv",
        csv_bytes(valid_rows()),
        [(None, None, "file_name_pattern", "abu.csv")],
    ),
    "year we do not report on": (
        "abu_2019.csv",
        csv_bytes(valid_rows("abu", 2019, 1)),
        [(None, None, "year_out_of_range", "2019")],
    ),
}


@pytest.mark.parametrize("case", list(REJECTIONS), ids=list(REJECTIONS))
def test_rejection_rows(case: str) -> None:
    file_name, content, expected = REJECTIONS[case]
    evaluation = evaluate(file_name, content)
    assert not evaluation.accepted
    assert problem_rows(evaluation) == expected


def test_year_out_of_range_is_matched_against_the_file_name_year() -> None:
    """A file named for 2019 whose rows say 2019 agrees with its name: only the year is out of range."""
    evaluation = evaluate("abu_2019.csv", csv_bytes(valid_rows("abu", 2019, 1)))
    assert (
        evaluation.problems[0].message_nl
        == "Verslagjaar 2019 in de bestandsnaam valt buiten de verslagjaren 2022 tot en met 2026."
    )


def test_empty_partner_id_and_year_are_the_file_names() -> None:
    """A row added to a pre-filled template without partner_id and verslagjaar counts for the
    partner and year the file is named for; a different value stays an error."""
    rows = [*valid_rows("abu", 2023, 2), *one_row(partner_id="", verslagjaar="", actie_id="9")]
    evaluation = evaluate("abu_2023.csv", csv_bytes(rows, delimiter=";"))
    assert evaluation.problems == ()
    added = evaluation.actions.loc[evaluation.actions["action_id"] == "9"].iloc[0]
    assert (added["partner_id"], int(added["reporting_year"])) == ("abu", 2023)
    wrong = evaluate("abu_2023.csv", csv_bytes([*rows, *one_row(partner_id="fnv", actie_id="10")]))
    assert problem_rows(wrong) == [(5, "partner_id", "partner_id_mismatch", "fnv")]


def test_every_problem_is_reported_at_once() -> None:
    rows = valid_rows(count=3)
    rows[0][HEADER.index("thema")] = "onbekend"
    rows[1][HEADER.index("bereikte_personen")] = "veel"
    rows[2][HEADER.index("einddatum")] = "2022-01-01"
    rows = [[*row, ""] for row in rows]  # the extra column, left empty
    evaluation = evaluate("abu_2023.csv", csv_bytes(rows, header=[*HEADER, "extra"]))
    assert [(p.row_number, p.rule) for p in evaluation.problems] == [
        (1, "unknown_column"),
        (2, "unknown_theme"),
        (3, "not_a_whole_number"),
        (4, "end_before_start"),
    ]


def test_messages_are_dutch_and_name_the_value() -> None:
    evaluation = evaluate(
        "abu_2023.csv", csv_bytes(one_row(status="klaar", einddatum="2022-12-31"))
    )
    assert [p.message_nl for p in evaluation.problems] == [
        "Status 'klaar' bestaat niet; kies 'gepland', 'lopend', 'afgerond' of 'gestopt'.",
        "De einddatum 2022-12-31 ligt voor de startdatum 2023-01-02.",
    ]


def test_header_in_other_case_and_with_spaces_is_accepted() -> None:
    header = [
        " Partner_ID",
        "VERSLAGJAAR",
        "Actie ID",
        "Thema ",
        "Titel",
        "STATUS",
        "Start datum",
        "eind-datum",
        "Bereikte Personen",
        "bereikte  werkgevers",
        "Toelichting",
    ]
    evaluation = evaluate("abu_2023.csv", csv_bytes(valid_rows(count=3), header=header))
    assert evaluation.problems == ()
    assert evaluation.actions["action_id"].tolist() == ["A1", "A2", "A3"]


def test_theme_title_and_case_are_read_as_the_code() -> None:
    rows = one_row(thema="Meer kans op een baan of stage", status=" Afgerond ")
    evaluation = evaluate("abu_2023.csv", csv_bytes(rows))
    assert evaluation.problems == ()
    assert evaluation.actions.loc[0, "theme"] == "kans_op_baan_of_stage"
    assert evaluation.actions.loc[0, "status"] == "afgerond"


def test_windows_1252_text_with_accents_is_read() -> None:
    rows = one_row(titel="Coördinatie café", toelichting="Voorbeeld: één actie")
    evaluation = evaluate("abu_2023.csv", csv_bytes(rows, encoding="cp1252"))
    assert evaluation.problems == ()
    assert evaluation.actions.loc[0, "title"] == "Coördinatie café"
    assert evaluation.actions.loc[0, "explanation"] == "Voorbeeld: één actie"


def test_utf8_with_bom_and_semicolons_and_decimal_comma_zero() -> None:
    rows = valid_rows(count=2)
    rows[0][HEADER.index("bereikte_personen")] = "12,0"
    rows[1][HEADER.index("bereikte_personen")] = "1.234"
    content = b"\xef\xbb\xbf" + csv_bytes(rows, delimiter=";")
    evaluation = evaluate("abu_2023.csv", content)
    assert evaluation.problems == ()
    assert evaluation.actions["people_reached"].tolist() == [12, 1234]


def test_dutch_dates_and_empty_optional_cells() -> None:
    rows = one_row(startdatum="01-03-2023", einddatum="", bereikte_personen="", toelichting="")
    evaluation = evaluate("abu_2023.csv", csv_bytes(rows))
    assert evaluation.problems == ()
    action = evaluation.actions.iloc[0]
    assert str(action["start_date"]) == "2023-03-01"
    assert action["end_date"] is None
    assert pd.isna(action["people_reached"])
    assert action["explanation"] is None


@pytest.mark.parametrize(
    ("cell", "value", "problem"),
    [
        (12, 12, None),
        (12.0, 12, None),
        (12.5, None, "decimal_in_count"),
        ("12", 12, None),
        (" 1 234 ", 1234, None),
        ("1.234.567", 1234567, None),
        ("12,00", 12, None),
        ("0,5", None, "decimal_in_count"),
        ("-4", -4, None),
        ("twaalf", None, "not_a_whole_number"),
        (True, None, "not_a_whole_number"),
        ("", None, None),
    ],
)
def test_parse_integer(cell: object, value: object, problem: str | None) -> None:
    parsed = parse_integer(cell)
    assert (parsed.value, parsed.problem) == (value, problem)


@pytest.mark.parametrize(
    ("cell", "value", "problem"),
    [
        ("2023-03-01", "2023-03-01", None),
        ("2023-03-01 00:00:00", "2023-03-01", None),
        ("1-3-2023", "2023-03-01", None),
        ("01/03/2023", "2023-03-01", None),
        ("2023-02-30", None, "not_a_date"),
        ("maart", None, "not_a_date"),
    ],
)
def test_parse_date(cell: object, value: str | None, problem: str | None) -> None:
    parsed = parse_date(cell)
    assert (None if parsed.value is None else str(parsed.value), parsed.problem) == (value, problem)


@pytest.mark.slow
def test_great_expectations_and_the_pandas_reading_agree_on_every_rule() -> None:
    """One definition, two evaluators: GE's unexpected counts equal the rows the feedback names."""
    rules = submission_suite(["abu", "fnv"], [t.code for t in THEMES], 2023)
    from datetime import date

    frame = pd.DataFrame(
        {
            # "1" twice for abu (a duplicate key), "1" also for fnv and xyz (not one).
            "partner_id": ["abu", "xyz", None, "fnv", "abu", None],
            "reporting_year": [2023, 2022, None, 2023, 2023, None],
            "action_id": ["1", "1", None, "1", "1", None],
            "theme": ["kans_op_baan_of_stage", "werk", None, "begeleiding_naar_werk", "werk", None],
            "title": ["t", None, None, "t", "t", None],
            "status": ["lopend", "klaar", None, "gepland", "lopend", None],
            "start_date": [date(2023, 5, 1), date(2023, 1, 1), None, date(2023, 1, 1), None, None],
            "end_date": [date(2023, 4, 1), date(2023, 1, 1), date(2023, 1, 1), None, None, None],
            "people_reached": [-1, 0, None, 5, 1, None],
            "employers_reached": [3, -2, None, -7, 0, None],
            # 'vía' is no programme (so neither one running in 2023).
            "programme": ["statushouders", "statushouders", None, "vía", "via", None],
        }
    ).astype(object)
    frame = frame.where(frame.notna(), None)
    result = validate_frame(frame, SUITE_NAME, suite_expectations(rules))
    for rule, outcome in zip(rules, result.outcomes, strict=True):
        pandas_count = int(unexpected_rows(frame, rule.expectation).sum())
        assert outcome.unexpected_count == pandas_count, rule.expectation.describe()
        assert outcome.success == (pandas_count == 0), rule.expectation.describe()
    (key_rule,) = [rule for rule in rules if rule.rule == "duplicate_action_id"]
    assert unexpected_rows(frame, key_rule.expectation).tolist() == [
        True, False, False, False, True, False
    ]  # fmt: skip
    (programme_rule,) = [rule for rule in rules if rule.rule == "unknown_programme"]
    assert unexpected_rows(frame, programme_rule.expectation).tolist() == [
        False, False, False, True, False, False
    ]  # fmt: skip
    # Every programme runs in 2023; in 2022 only via, and the year rule is a rule of its own.
    assert "programme_not_running" not in [rule.rule for rule in rules]
    (not_running,) = [
        rule
        for rule in submission_suite(["abu", "fnv"], [t.code for t in THEMES], 2022)
        if rule.rule == "programme_not_running"
    ]
    (outcome,) = validate_frame(frame, SUITE_NAME, [not_running.expectation]).outcomes
    pandas_mask = unexpected_rows(frame, not_running.expectation)
    assert pandas_mask.tolist() == [True, True, False, True, False, False]
    assert outcome.unexpected_count == 3
