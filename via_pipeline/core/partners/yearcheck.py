"""The year's safety net: the submission suite over the stored actions, in slices of whole partners.

Every rule of the suite is checked on each file before it is accepted (rules.check_table), and
the only rule across rows is keyed per partner and year, so a slice made of whole partners gives
the same verdict as the whole year while holding a bounded number of rows in memory (GE held
863 MB for 200,000 rows at once). When the suite fails anyway (rows written outside the intake),
each failure names the partner, the file and the rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from via_pipeline.core.partners.fileformat import WAREHOUSE_TO_FILE
from via_pipeline.core.partners.rules import Rule, suite_expectations, unexpected_rows
from via_pipeline.core.quality.expectations import Expectation, SuiteResult, merge_suite_results
from via_pipeline.core.warehouse import WarehouseStore

# Rows validated at once; a partner's year is never split (its key rule needs all its rows).
SLICE_ROWS = 20_000
ROWS_NAMED = 10

Validator = Callable[[pd.DataFrame, str, Sequence[Expectation]], SuiteResult]


@dataclass(frozen=True)
class YearCheck:
    result: SuiteResult
    failures: tuple[str, ...]  # one line per (file, partner, rule): which rows
    rows_checked: int


def partner_slices(
    counts: Sequence[tuple[str, int]], max_rows: int = SLICE_ROWS
) -> list[list[str]]:
    """Partners (in order) grouped so each group holds at most max_rows, or one partner alone."""
    slices: list[list[str]] = []
    current: list[str] = []
    held = 0
    for partner_id, count in counts:
        if current and held + count > max_rows:
            slices.append(current)
            current, held = [], 0
        current.append(partner_id)
        held += count
    if current:
        slices.append(current)
    return slices


def _rows_text(numbers: Sequence[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:ROWS_NAMED])
    more = f" en {len(numbers) - ROWS_NAMED} meer" if len(numbers) > ROWS_NAMED else ""
    return f"{'rij' if len(numbers) == 1 else 'rijen'} {shown}{more}"


def describe_failures(frame: pd.DataFrame, rules: Sequence[Rule]) -> list[str]:
    """`abu_2023.csv (abu, 2023): rijen 2, 3 breken duplicate_action_id (actie_id)` per broken rule and file."""
    lines = []
    for rule in rules:
        broken = frame[unexpected_rows(frame, rule.expectation).to_numpy(dtype=bool)]
        if broken.empty:
            continue
        groups = broken.groupby(
            [broken["file_name"].fillna("(onbekend bestand)"), broken["partner_id"].fillna("?")],
            sort=True,
        )
        for (file_name, partner_id), rows in groups:
            numbers = sorted(int(n) for n in rows["source_row"].dropna())
            where = _rows_text(numbers) if numbers else f"{len(rows)} rij(en) zonder rijnummer"
            column = WAREHOUSE_TO_FILE.get(rule.column, rule.column)
            lines.append(
                f"{file_name} (partner {partner_id}): {where} breken {rule.rule} ({column})"
            )
    return lines


SLICE_SQL = (
    "SELECT a.*, s.file_name FROM partners.actions a "
    "LEFT JOIN partners.submissions s ON s.sha256 = a.submission_sha256 AND s.is_current "
    "AND s.partner_id = a.partner_id AND s.reporting_year = a.reporting_year "
    "WHERE a.reporting_year = :year AND a.partner_id >= :first AND a.partner_id <= :last"
)


def check_year(
    store: WarehouseStore,
    year: int,
    rules: Sequence[Rule],
    suite_name: str,
    validate: Validator,
    max_rows: int = SLICE_ROWS,
) -> YearCheck:
    """The suite over the year's stored actions, slice by slice, with failures named."""
    counts = store.read(
        "SELECT partner_id, count(*) AS n FROM partners.actions WHERE reporting_year = :year "
        "GROUP BY partner_id ORDER BY partner_id",
        {"year": year},
    )
    pairs = [(str(row.partner_id), int(row.n)) for row in counts.itertuples()]
    expectations = suite_expectations(rules)
    results: list[SuiteResult] = []
    failures: list[str] = []
    rows = 0
    for partners in partner_slices(pairs, max_rows) or [[]]:
        if partners:
            frame = store.read(
                SLICE_SQL, {"year": year, "first": partners[0], "last": partners[-1]}
            )
        else:  # an empty year still runs the suite once, so its outcomes are recorded
            frame = store.read(f"{SLICE_SQL} AND 1 = 0", {"year": year, "first": "", "last": ""})
        rows += len(frame)
        checked = frame.drop(columns=["file_name"]).astype(object)
        checked = checked.where(checked.notna(), None)
        result = validate(checked, suite_name, expectations)
        results.append(result)
        if not result.success:
            failures.extend(
                describe_failures(frame.astype(object).where(frame.notna(), None), rules)
            )
    return YearCheck(merge_suite_results(results), tuple(failures), rows)
