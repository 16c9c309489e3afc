"""The rules a submission must meet: the Great Expectations suite and the file-level rules.

Decision (docs/operations.md, "How the rules are checked"): every column rule is defined ONCE,
as a GE expectation in `submission_suite`, paired with the rule code partners see. Two
evaluators read that one definition: Great Expectations itself (the blocking asset check on
partners.actions, through core.quality.expectations.validate_frame), and `unexpected_rows` below, which
interprets the same expectation in pandas to name the offending rows for the feedback file (the
shared GE runner reports counts and examples, not row numbers). A unit test runs both on the same
frame and requires the same unexpected counts. Parsing text into numbers and dates happens
before the suite (core.partners.cells: a value that cannot be parsed is one problem, not also a
suite failure), and the rules that need the file name or the registry's years are plain functions
here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from via_pipeline.core.partners.cells import (
    Parsed,
    parse_code,
    parse_date,
    parse_integer,
    parse_text,
)
from via_pipeline.core.partners.fileformat import (
    FILE_COLUMNS,
    STATUSES,
    WAREHOUSE_TO_FILE,
    SubmissionName,
    normalise_code,
)
from via_pipeline.core.partners.problems import Problem, display_value, make_problem
from via_pipeline.core.partners.programme_rules import (
    default_programme,
    or_list,
    programme_expectations,
    programme_theme_problems,
)
from via_pipeline.core.partners.programmes import Programmes, load_programmes
from via_pipeline.core.partners.reading import RawTable
from via_pipeline.core.partners.registry import Partner, Theme
from via_pipeline.core.quality.expectations import Expectation

SUITE_NAME = "partner_submission"
ACTION_COLUMNS = [
    "partner_id",
    "reporting_year",
    "action_id",
    "theme",
    "title",
    "status",
    "start_date",
    "end_date",
    "people_reached",
    "employers_reached",
    "explanation",
    "source_row",
    "submission_sha256",
    "programme",
]
# partners.actions' primary key: uniqueness holds per partner and year, never across partners.
ACTION_KEY = ("partner_id", "reporting_year", "action_id")
INTEGER_COLUMNS = ("reporting_year", "people_reached", "employers_reached")
DATE_COLUMNS = ("start_date", "end_date")


@dataclass(frozen=True)
class Rule:
    """A column rule: the expectation (its one definition), the rule code and the file column it names."""

    rule: str
    expectation: Expectation
    expected_text: str = ""

    @property
    def column(self) -> str:
        """The column a problem is reported in (a key rule: its last column, actie_id)."""
        kwargs = self.expectation.kwargs
        if "column_list" in kwargs:
            return str(kwargs["column_list"][-1])
        return str(kwargs.get("column") or kwargs["column_A"])


def submission_suite(
    partner_ids: Sequence[str],
    theme_codes: Sequence[str],
    reporting_year: int | None,
    programmes: Programmes | None = None,
) -> tuple[Rule, ...]:
    """The column rules over partners.actions' columns; reporting_year None leaves out the year
    rules. `programmes` default to config/programmes.yaml; their themes count as known themes."""
    programmes = programmes or load_programmes()
    theme_codes = [
        *theme_codes,
        *(t.code for t in programmes.all_themes() if t.code not in theme_codes),
    ]

    def expect(kind: str, **kwargs: Any) -> Expectation:
        return Expectation(f"expect_{kind}", kwargs)

    statuses = list(STATUSES)
    rules = [
        Rule("missing_value", expect("column_values_to_not_be_null", column="partner_id")),
        Rule(
            "unknown_partner",
            expect(
                "column_values_to_be_in_set", column="partner_id", value_set=sorted(partner_ids)
            ),
        ),
        Rule("missing_value", expect("column_values_to_not_be_null", column="reporting_year")),
    ]
    if reporting_year is not None:
        rules.append(
            Rule(
                "reporting_year_mismatch",
                expect(
                    "column_values_to_be_in_set",
                    column="reporting_year",
                    value_set=[reporting_year],
                ),
                str(reporting_year),
            )
        )
    rules += [
        Rule("missing_value", expect("column_values_to_not_be_null", column="action_id")),
        # The table's key: partners number their actions 1..n each, so actie_id alone is not unique.
        Rule(
            "duplicate_action_id",
            expect("compound_columns_to_be_unique", column_list=list(ACTION_KEY)),
        ),
        Rule("missing_value", expect("column_values_to_not_be_null", column="theme")),
        Rule(
            "unknown_theme",
            expect("column_values_to_be_in_set", column="theme", value_set=list(theme_codes)),
            or_list(theme_codes),
        ),
        Rule("missing_value", expect("column_values_to_not_be_null", column="title")),
        Rule("missing_value", expect("column_values_to_not_be_null", column="status")),
        Rule(
            "unknown_status",
            expect("column_values_to_be_in_set", column="status", value_set=statuses),
            or_list(statuses),
        ),
        Rule(
            "negative_number",
            expect("column_values_to_be_between", column="people_reached", min_value=0.0),
        ),
        Rule(
            "negative_number",
            expect("column_values_to_be_between", column="employers_reached", min_value=0.0),
        ),
        Rule(
            "end_before_start",
            expect(
                "column_pair_values_a_to_be_greater_than_b",
                column_A="end_date",
                column_B="start_date",
                or_equal=True,
                ignore_row_if="either_value_is_missing",
            ),
        ),
    ]
    rules += [
        Rule(code, expectation, expected)
        for code, expectation, expected in programme_expectations(programmes, reporting_year)
    ]
    return tuple(rules)


def suite_expectations(rules: Sequence[Rule]) -> list[Expectation]:
    return [rule.expectation for rule in rules]


def unexpected_rows(frame: pd.DataFrame, expectation: Expectation) -> pd.Series:
    """The rows (boolean mask) that break the expectation, read the way Great Expectations reads it.

    Only the expectation types the suite uses are known; a new one must be added here and to
    the parity test, or this raises.
    """
    kwargs = expectation.kwargs
    if expectation.type == "expect_column_pair_values_a_to_be_greater_than_b":
        a, b = frame[kwargs["column_A"]], frame[kwargs["column_B"]]
        both = a.notna() & b.notna()
        compare = (
            a.where(both) >= b.where(both)
            if kwargs.get("or_equal")
            else a.where(both) > b.where(both)
        )
        return both & ~compare.fillna(False).astype(bool)
    if expectation.type == "expect_compound_columns_to_be_unique":
        # GE leaves out rows whose key columns are all empty, and compares the rest whole.
        key = frame[list(kwargs["column_list"])]
        return key.notna().any(axis=1) & key.duplicated(keep=False)
    column = frame[kwargs["column"]]
    present = column.notna()
    if expectation.type == "expect_column_values_to_not_be_null":
        return ~present
    if expectation.type == "expect_column_values_to_be_in_set":
        return present & ~column.isin(list(kwargs["value_set"]))
    if expectation.type == "expect_column_values_to_be_unique":
        return present & column.duplicated(keep=False)
    if expectation.type == "expect_column_values_to_be_between":
        numbers = pd.to_numeric(column, errors="coerce")
        too_low = numbers < kwargs["min_value"] if kwargs.get("min_value") is not None else False
        too_high = numbers > kwargs["max_value"] if kwargs.get("max_value") is not None else False
        return present & (too_low | too_high)
    raise NotImplementedError(f"no pandas reading of {expectation.type}; add it with a parity test")


# -- the whole file ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FileContext:
    """What the checks know besides the table: the file name's claim, the registry, the years."""

    file_name: str
    name: SubmissionName | None
    partners: tuple[Partner, ...]
    themes: tuple[Theme, ...]
    reporting_years: tuple[int, ...]
    # config/programmes.yaml when None; a test passes its own.
    programmes: Programmes | None = None

    def programme_config(self) -> Programmes:
        return self.programmes or load_programmes()


def file_name_problems(context: FileContext) -> list[Problem]:
    """Rules on the name itself: the pattern, a known partner, a year we report on."""
    name = context.name
    if name is None or name.extension not in ("csv", "xlsx"):
        return [make_problem("file_name_pattern", value=context.file_name)]
    problems = []
    known = {partner.partner_id: partner for partner in context.partners}
    if name.partner_id not in known:
        problems.append(make_problem("unknown_partner", value=name.partner_id))
    elif name.reporting_year in context.reporting_years and not known[
        name.partner_id
    ].takes_part_in(name.reporting_year):
        problems.append(
            make_problem("partner_not_active", value=name.partner_id, expected=name.reporting_year)
        )
    if name.reporting_year not in context.reporting_years:
        years = context.reporting_years
        span = f"{min(years)} tot en met {max(years)}" if years else "(geen)"
        problems.append(make_problem("year_out_of_range", value=name.reporting_year, expected=span))
    return problems


def prepare_actions(table: RawTable, context: FileContext) -> tuple[pd.DataFrame, list[Problem]]:
    """The table's rows as partners.actions columns, typed, with a problem per unreadable cell."""
    programmes = context.programme_config()
    themes = [*context.themes, *programmes.all_themes()]
    programme_titles = {normalise_code(p.title): p.code for p in programmes.programmes}
    titles = {normalise_code(theme.title): theme.code for theme in themes}
    for theme in themes:
        titles[theme.code] = theme.code
        titles[theme.code.replace("_", " ")] = theme.code
    parsers: dict[str, Callable[[object], Parsed]] = {
        "partner_id": lambda cell: parse_code(cell),
        "reporting_year": parse_integer,
        "action_id": parse_text,
        "theme": lambda cell: parse_code(cell, titles),
        "title": parse_text,
        "status": lambda cell: parse_code(cell),
        "start_date": parse_date,
        "end_date": parse_date,
        "people_reached": parse_integer,
        "employers_reached": parse_integer,
        "explanation": parse_text,
        "programme": lambda cell: parse_code(cell, programme_titles),
    }
    problems: list[Problem] = []
    records: list[dict[str, object]] = []
    for row in table.rows:
        record: dict[str, object] = {"source_row": row.number}
        for file_column, warehouse_column in FILE_COLUMNS.items():
            cell = row.cells.get(file_column)
            parsed = parsers[warehouse_column](cell)
            record[warehouse_column] = parsed.value
            if parsed.problem and file_column in table.columns:
                problems.append(
                    make_problem(parsed.problem, row=row.number, column=file_column, value=cell)
                )
        records.append(record)
    frame = pd.DataFrame(records, columns=[*FILE_COLUMNS.values(), "source_row"])
    for column in INTEGER_COLUMNS:
        frame[column] = pd.array(frame[column].tolist(), dtype="Int64")
    for column in (
        "partner_id",
        "action_id",
        "theme",
        "title",
        "status",
        "explanation",
        "programme",
    ):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame, problems


def suite_problems(frame: pd.DataFrame, rules: Sequence[Rule], table: RawTable) -> list[Problem]:
    """A problem per row breaking a column rule, for the columns the file has."""
    problems: list[Problem] = []
    raw = {row.number: row.cells for row in table.rows}
    for rule in rules:
        file_column = WAREHOUSE_TO_FILE[rule.column]
        if file_column not in table.columns:
            continue  # already reported as a missing column
        mask = unexpected_rows(frame, rule.expectation)
        for index in frame.index[mask.to_numpy(dtype=bool)]:
            number = int(frame.at[index, "source_row"])
            value: object = raw[number].get(file_column)
            expected: object = rule.expected_text
            if rule.rule == "end_before_start":
                expected = display_value(raw[number].get("startdatum"))
            problems.append(
                make_problem(
                    rule.rule, row=number, column=file_column, value=value, expected=expected
                )
            )
    return problems


def name_agreement_problems(frame: pd.DataFrame, context: FileContext) -> list[Problem]:
    """Each row's partner_id must be the file name's (the year is a suite rule)."""
    if context.name is None or "partner_id" not in frame:
        return []
    problems = []
    for partner_id, number in zip(frame["partner_id"], frame["source_row"], strict=True):
        if partner_id is not None and partner_id != context.name.partner_id:
            problems.append(
                make_problem(
                    "partner_id_mismatch",
                    row=int(number),
                    column="partner_id",
                    value=partner_id,
                    expected=context.name.partner_id,
                )
            )
    return problems


def default_from_file_name(frame: pd.DataFrame, context: FileContext) -> pd.DataFrame:
    """An empty partner_id or verslagjaar is the file name's: a row a partner adds to a pre-filled
    template need not repeat them (docs/submission-format.md). A different value stays an error."""
    if context.name is None:
        return frame
    frame["partner_id"] = frame["partner_id"].where(
        frame["partner_id"].notna(), context.name.partner_id
    )
    frame["reporting_year"] = frame["reporting_year"].fillna(context.name.reporting_year)
    return frame


def one_per_cell(problems: Sequence[Problem]) -> list[Problem]:
    """Keep the first problem per (row, column): an unreadable number is not also 'missing'."""
    seen: set[tuple[int, str]] = set()
    kept = []
    for problem in problems:
        if problem.row_number is not None and problem.column_name is not None:
            key = (problem.row_number, problem.column_name)
            if key in seen:
                continue
            seen.add(key)
        kept.append(problem)
    return kept


def check_table(table: RawTable, context: FileContext) -> tuple[pd.DataFrame, list[Problem]]:
    """Every problem of the file at once, and its rows as partners.actions columns (sans sha256)."""
    frame, parse_problems = prepare_actions(table, context)
    frame = default_from_file_name(frame, context)
    programmes = context.programme_config()
    frame = default_programme(frame, programmes)
    year = context.name.reporting_year if context.name else None
    rules = submission_suite(
        [p.partner_id for p in context.partners],
        [t.code for t in context.themes],
        year,
        programmes,
    )
    problems = [
        *table.problems,
        *one_per_cell(
            [
                *table.cell_problems,
                *parse_problems,
                *suite_problems(frame, rules, table),
                *name_agreement_problems(frame, context),
                *programme_theme_problems(frame, programmes),
            ]
        ),
    ]
    return frame, sorted(problems, key=problem_order)


def problem_order(problem: Problem) -> tuple[int, int, str]:
    columns = list(FILE_COLUMNS)
    column_position = columns.index(problem.column_name) if problem.column_name in columns else -1
    return (problem.row_number or 0, column_position, problem.rule)
